// `pinprobe check-auth FILE` while a running `pinprobe proxy` records FILE, and a second
// `--record FILE`: both refused before anything is sent or written (recording-lock.ts) —
// appended from outside, the running proxy could no longer read back its older lines and
// would never show the appended ones. Once the proxy has stopped (or was killed: a stale
// marker), check-auth runs and appends as before.
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockPath } from '../../../proxy/session/recording-lock.js';
import { testPki } from '../../helpers/pki.js';
import { curl, pinprobe, spawnProxy } from '../../helpers/run.js';
import { freePort } from '../../helpers/tls-servers.js';

const pki = testPki();
const dir = mkdtempSync(join(tmpdir(), 'pinprobe-live-check-'));
let origin: https.Server;
/** Requests the origin saw without the app's credentials (what check-auth sends). */
let bare = 0;

beforeAll(async () => {
  origin = https.createServer({ cert: pki.serverCert, key: pki.serverKey }, (req, res) => {
    if (req.headers.authorization !== 'Bearer app-token') bare++;
    res.writeHead(req.headers.authorization === 'Bearer app-token' ? 200 : 401).end('x');
  });
  await new Promise<void>((ok) => origin.listen(0, '127.0.0.1', ok));
});
afterAll(() => origin?.close());

/** A proxy recording `file`, one request with credentials through it. */
async function recordOne(file: string, dataDir: string) {
  const port = await freePort();
  const to = `127.0.0.1:${(origin.address() as AddressInfo).port}`;
  const proxy = await spawnProxy(['--port', String(port), '--listen', '127.0.0.1', '--data-dir', dataDir, '--record', file, '--scenario', 'trusted', '--upstream-ca', pki.caCertPath]);
  const ca = join(dataDir, 'ca', 'pinprobe-ca.pem');
  const r = await curl(`http://127.0.0.1:${port}`, `https://${to}/account`, ['--cacert', ca, '-H', 'Authorization: Bearer app-token']);
  expect(r.code).toBe(0);
  return proxy;
}

const checkAuth = (file: string) => pinprobe(['check-auth', file, '--host', '127.0.0.1', '--upstream-ca', pki.caCertPath]);

describe('a session a running Pinprobe records', () => {
  it('check-auth and a second --record are refused, nothing sent or written; after the stop check-auth runs', async () => {
    const file = join(dir, 'live.pinprobe.jsonl');
    const proxy = await recordOne(file, join(dir, 'pp1'));
    expect(existsSync(lockPath(file))).toBe(true);
    const before = readFileSync(file, 'utf8');
    const sentBefore = bare;

    const refused = await checkAuth(file);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toMatch(new RegExp(`^pinprobe: check-auth: .*live\\.pinprobe\\.jsonl is being recorded by a running Pinprobe \\(pid ${proxy.child.pid}\\): .* — run the check from that Pinprobe's UI if it has one \\(\`pinprobe ui\` or the desktop app: a host's "Check without credentials"\\), or stop it first`));
    const second = await pinprobe(['proxy', '--port', '0', '--listen', '127.0.0.1', '--data-dir', join(dir, 'pp2'), '--record', file]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/--record: .*live\.pinprobe\.jsonl is being recorded by a running Pinprobe .* choose another path with --record/);
    expect(bare).toBe(sentBefore);
    expect(readFileSync(file, 'utf8').startsWith(before)).toBe(true);
    expect(readFileSync(file, 'utf8')).not.toContain('"check"');

    proxy.child.kill('SIGINT');
    expect((await proxy.exited).code).toBe(0);
    expect(existsSync(lockPath(file))).toBe(false);
    const after = await checkAuth(file);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/no credentials\s+protected\s+401/);
    expect(bare).toBe(sentBefore + 1);
    expect(readFileSync(file, 'utf8')).toContain('"check"');
  });

  it('a recorder killed with SIGKILL leaves a stale marker, which does not block check-auth', async () => {
    const file = join(dir, 'killed.pinprobe.jsonl');
    const proxy = await recordOne(file, join(dir, 'pp3'));
    // Its lines reach the file within the writer's batch time: wait for the request line itself.
    for (const end = Date.now() + 10_000; !readFileSync(file, 'utf8').includes('"type":"response"'); ) {
      if (Date.now() > end) throw new Error('the recorder never wrote the response line');
      await new Promise((r) => setTimeout(r, 20));
    }
    proxy.child.kill('SIGKILL');
    await proxy.exited;
    expect(existsSync(lockPath(file))).toBe(true);
    const r = await checkAuth(file);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no credentials\s+protected\s+401/);
  });
});
