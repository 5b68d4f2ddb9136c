// The `pinprobe` command as a user runs it: options, signals, kill -9, exports, reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readSession } from '../../../proxy/session/reader.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { testPki } from '../../helpers/pki.js';
import { curl, pinprobe, ROOT, run, spawnProxy } from '../../helpers/run.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'pinprobe-cli-'));

describe('pinprobe CLI', () => {
  let origin: Origin;
  beforeAll(async () => {
    origin = await startOrigin();
  });
  afterAll(async () => {
    await origin.close();
  });

  it('prints help and exits 0', async () => {
    const r = await pinprobe(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['proxy', 'ca', 'report', 'probe-mtls', 'ui']) expect(r.stdout).toContain(cmd);
  });

  it.each([
    [['proxy', '--port', 'abc'], /--port must be a port number/],
    [['proxy', '--scenario', 'bogus'], /--scenario must be one of trusted, self-signed/],
    [['proxy', '--upstream-ca', '/nonexistent/ca.pem'], /--upstream-ca \/nonexistent\/ca\.pem: file not found/],
    [['proxy', '--map-remote', 'nonsense'], /--map-remote nonsense: expected HOST\[:PORT\]=ADDR:PORT/],
    [['proxy', '--client-cert', 'api.example.com=/nonexistent/c.pem,/nonexistent/k.pem', '--port', '0'], /--client-cert .*\/nonexistent\/c\.pem/],
    [['proxy', '--frobnicate'], /unknown option '--frobnicate'/],
    [['proxy', '--passthrough', ''], /--passthrough "": an empty host glob matches no host/],
    [['proxy', '--expect-mtls', ' '], /--expect-mtls " ": an empty host glob matches no host/],
    [['report', '/nonexistent/session.jsonl'], /\/nonexistent\/session\.jsonl/],
    [['report', '/dev/null', '--format', 'pdf'], /--format must be text, json, html, junit or har/],
    [['nonsense-command'], /unknown command 'nonsense-command'/],
  ])('rejects %j with exit 2 and one clear line', async (args, pattern) => {
    const dataDir = tmp();
    const r = await pinprobe([...args, ...(args[0] === 'proxy' ? ['--data-dir', dataDir] : [])]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  });

  it('exports the CA for Android under the name openssl gives (subject_hash_old) and never the key', async () => {
    const dataDir = tmp();
    const out = join(dataDir, 'export');
    const r = await pinprobe(['ca', '--data-dir', dataDir, '--format', 'android']);
    expect(r.code).toBe(0);
    const file = r.stdout.trim();
    const caPem = join(dataDir, 'ca', 'pinprobe-ca.pem');
    const hash = execFileSync('openssl', ['x509', '-subject_hash_old', '-noout', '-in', caPem]).toString().trim();
    expect(basename(file)).toBe(`${hash}.0`);
    expect(readFileSync(file, 'utf8')).not.toMatch(/PRIVATE KEY/);
    const der = await pinprobe(['ca', '--data-dir', dataDir, '--format', 'der', '--out', `${out}.cer`]);
    expect(der.stdout.trim()).toBe(`${out}.cer`);
    expect(execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-subject', '-in', `${out}.cer`]).toString()).toMatch(/Pinprobe CA/);
    expect(statSync(join(dataDir, 'ca', 'pinprobe-ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'ca')).mode & 0o777).toBe(0o700);
  });

  it('stops on SIGINT and on SIGTERM: flushes the session, prints a summary, exits 0', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const dataDir = tmp();
      const record = join(dataDir, 'run.pinprobe.jsonl');
      const p = await spawnProxy(['--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir, '--record', record, '--upstream-ca', testPki().caCertPath]);
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(p.output())![1];
      const r = await curl(`http://127.0.0.1:${port}`, `https://localhost:${origin.port}/sig`, ['--cacert', join(dataDir, 'ca', 'pinprobe-ca.pem')]);
      expect(r.stdout).toBe('origin says hi to /sig\n');
      p.child.kill(signal);
      const done = await p.exited;
      expect(done.code).toBe(0);
      expect(done.stdout).toMatch(/localhost:\d+\s+Not pinned/);
      expect(done.stdout).toContain(`Session saved: ${record}`);
      const session = await readSession(record);
      expect(session.warnings).toEqual([]);
      expect(session.events.at(-1)?.type).toBe('session-end');
      expect(session.events.some((e) => e.type === 'response')).toBe(true);
    }
  });

  it('stops cleanly when run through npx and npx gets SIGTERM (the child is not orphaned)', async () => {
    const { spawn } = await import('node:child_process');
    const dataDir = tmp();
    const record = join(dataDir, 'npx.pinprobe.jsonl');
    const child = spawn('npx', ['pinprobe', 'proxy', '--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir, '--record', record], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise<void>((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`npx pinprobe did not start: ${out}`)), 30_000);
      child.stdout.on('data', () => /Certificates: /.test(out) && (clearTimeout(t), ok()));
    });
    child.kill('SIGTERM');
    // The session is closed with a session-end line once the proxy itself has stopped.
    const deadline = Date.now() + 10_000;
    let last = '';
    while (Date.now() < deadline) {
      last = readFileSync(record, 'utf8').trim().split('\n').at(-1) ?? '';
      if (last.includes('session-end')) break;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    expect(last).toContain('"type":"session-end"');
  });

  it('leaves a readable session after kill -9 mid-recording (at most the last line lost)', async () => {
    const dataDir = tmp();
    const record = join(dataDir, 'killed.pinprobe.jsonl');
    const p = await spawnProxy(['--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir, '--record', record, '--upstream-ca', testPki().caCertPath]);
    const port = /listening on 127\.0\.0\.1:(\d+)/.exec(p.output())![1];
    const ca = join(dataDir, 'ca', 'pinprobe-ca.pem');
    const urls = Array.from({ length: 20 }, (_, i) => `https://localhost:${origin.port}/k${i}`);
    const r = await run('curl', ['-sS', '--proxy', `http://127.0.0.1:${port}`, '--cacert', ca, ...urls]);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(20);
    // Kill while a second batch is in flight, so the kill can land mid-write.
    const inflight = run('curl', ['-sS', '--proxy', `http://127.0.0.1:${port}`, '--cacert', ca, ...urls]);
    await new Promise((ok) => setTimeout(ok, 60));
    p.child.kill('SIGKILL');
    await inflight;
    await p.exited;
    // Simulate the worst case too: a line cut in half at the moment of the kill.
    const cut = join(dataDir, 'cut.pinprobe.jsonl');
    const text = readFileSync(record, 'utf8');
    writeFileSync(cut, text + '{"type":"request","time":"2026-');
    for (const [file, maxWarnings] of [[record, 1], [cut, 1]] as const) {
      const session = await readSession(file);
      expect(session.header?.schema).toBe('pinprobe.session/1');
      expect(session.warnings.length).toBeLessThanOrEqual(maxWarnings);
      expect(session.events.filter((e) => e.type === 'response').length).toBeGreaterThanOrEqual(20);
    }
    expect((await readSession(cut)).warnings[0]).toMatch(/cut\.pinprobe\.jsonl.*line/);
    const report = await pinprobe(['report', cut, '--format', 'json']);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout).hosts[0].client.trusted.result).toBe('accepted');
  });

  it('reports a recorded session as json, text and har, and --fail-on exits 1', async () => {
    const dataDir = tmp();
    const record = join(dataDir, 'r.pinprobe.jsonl');
    const p = await spawnProxy(['--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir, '--record', record, '--upstream-ca', testPki().caCertPath]);
    const port = /listening on 127\.0\.0\.1:(\d+)/.exec(p.output())![1];
    await curl(`http://127.0.0.1:${port}`, `https://localhost:${origin.port}/r`, ['--cacert', join(dataDir, 'ca', 'pinprobe-ca.pem')]);
    p.child.kill('SIGINT');
    await p.exited;
    const json = JSON.parse((await pinprobe(['report', record, '--format', 'json'])).stdout);
    expect(json.schema).toBe('pinprobe.report/1');
    expect(json.hosts[0]).toMatchObject({ host: 'localhost', port: origin.port, pinning: 'not-pinned' });
    expect(Object.keys(json.hosts[0].client)).toEqual(['trusted', 'self-signed', 'wrong-host', 'expired', 'untrusted-root']);
    expect(json.hosts[0].mtls.verdict).toBeDefined();
    const text = await pinprobe(['report', record]);
    expect(text.stdout).toMatch(/localhost:\d+\s+Not pinned/);
    const harFile = join(dataDir, 'out.har');
    const har = await pinprobe(['report', record, '--format', 'har', '--out', harFile]);
    expect(har.stdout.trim()).toBe(harFile);
    const parsed = JSON.parse(readFileSync(harFile, 'utf8'));
    expect(parsed.log.version).toBe('1.2');
    expect(parsed.log.entries[0].request.url).toBe(`https://localhost:${origin.port}/r`);
    expect(parsed.log.entries[0].response.status).toBe(200);
    expect((await pinprobe(['report', record, '--fail-on', 'medium'])).code).toBe(1);
    expect((await pinprobe(['report', record, '--fail-on', 'critical'])).code).toBe(0);
  });
});
