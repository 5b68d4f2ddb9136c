// A second Ctrl-C hurries a slow stop (issue 13, defect 8) and the session still ends.
// The slow stop is a real one: `pinprobe proxy` with --client-cert sends its mTLS probe
// (a second attempt without the certificate) to a backend that accepts the TLS
// connection and never answers it, so the first SIGINT waits for the probe (up to its
// 5 s timeout). A second SIGINT a moment later must end that wait: the process exits 0,
// prints "Session saved", and the file's last line is `session-end`.
// Exit code after a hurried stop: 0, like any clean stop (docs/ui.md "Stopping").
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPki } from '../../helpers/pki.js';
import { curl, spawnProxy } from '../../helpers/run.js';

const pki = testPki();
const dir = mkdtempSync(join(tmpdir(), 'pinprobe-ctrl-c-'));
let server: https.Server;
let port = 0;
let probesHeld = 0;

beforeAll(async () => {
  // Answers a connection that presented a client certificate; holds one without it open.
  server = https.createServer({ cert: pki.serverCert, key: pki.serverKey, ca: [pki.clientCaCert], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    if (!peer || Object.keys(peer).length === 0) {
      probesHeld += 1;
      return; // never answered: the probe waits for its timeout
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello with cert\n');
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function recordThenStop(signals: number[]): Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string; lastLine: { type?: string }; types: string[]; stopMs: number }> {
  const record = join(dir, `s-${signals.length}.pinprobe.jsonl`);
  const proxy = await spawnProxy([
    '--data-dir', join(dir, 'data'), '--port', '0', '--listen', '127.0.0.1', '--record', record, '--scenario', 'trusted',
    '--upstream-ca', pki.caCertPath, '--client-cert', `127.0.0.1=${pki.clientCertPath},${pki.clientKeyPath}`,
  ]);
  const proxyPort = Number(/listening on [^\s]*:(\d+)/.exec(proxy.output())![1]);
  const held = probesHeld;
  const r = await curl(`http://127.0.0.1:${proxyPort}`, `https://127.0.0.1:${port}/`, ['-k']);
  expect(r.stdout).toBe('hello with cert\n');
  // The probe is now held by the backend: a stop has to wait for it.
  const until = Date.now() + 5000;
  while (probesHeld === held && Date.now() < until) await sleep(20);
  expect(probesHeld).toBe(held + 1);
  const started = Date.now();
  for (const [i, delay] of signals.entries()) {
    if (i > 0) await sleep(delay);
    proxy.child.kill('SIGINT');
  }
  const done = await proxy.exited;
  const stopMs = Date.now() - started;
  const lines = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type?: string; probe?: boolean });
  return { code: done.code, signal: done.signal, stderr: done.stderr, stdout: done.stdout, lastLine: lines[lines.length - 1]!, types: lines.map((l) => `${l.type}${l.probe ? ':probe' : ''}`), stopMs };
}

describe('a second Ctrl-C during a slow stop', () => {
  it('one Ctrl-C waits for the mTLS probe in flight (it lands in the file before session-end)', async () => {
    const r = await recordThenStop([0]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/hurrying/);
    // The probe timed out (5 s) and its line was written before the end.
    expect(r.stopMs).toBeGreaterThanOrEqual(4000);
    expect(r.types.indexOf('upstream:probe')).toBeGreaterThan(0);
    expect(r.lastLine.type).toBe('session-end');
  }, 40_000);

  it('a second Ctrl-C 0.8 s later hurries: exit 0, summary, session-end last, no wait for the probe', async () => {
    const r = await recordThenStop([0, 800]);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/SIGINT: stopping…/);
    expect(r.stderr).toMatch(/SIGINT again: hurrying/);
    expect(r.stdout).toMatch(/Session saved: /);
    expect(r.lastLine.type).toBe('session-end');
    // Well before the probe's 5 s timeout: the hurry ended the wait.
    expect(r.stopMs).toBeLessThan(3500);
    expect(r.types).not.toContain('upstream:probe');
  }, 40_000);
});
