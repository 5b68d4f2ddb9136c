// mTLS as a user drives it from the built CLI (run `npx tsc -p tsconfig.json` first):
// `pinprobe probe-mtls` against real backends, `pinprobe proxy` with --client-cert /
// --expect-mtls / --request-client-cert, then `pinprobe report --format json` of the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../../proxy/judge/report-types.js';
import type { ProbeResult } from '../../../proxy/probe-mtls/probe.js';
import { readSession } from '../../../proxy/session/reader.js';
import { nginxAvailable, startNginx } from '../../helpers/nginx.js';
import { testPki } from '../../helpers/pki.js';
import { curl, pinprobe, ROOT, spawnProxy } from '../../helpers/run.js';
import { opensslServer, requireCertServer, type RunningServer } from '../../helpers/tls-servers.js';
import type { ConnectionEvent } from '../../../proxy/session/events.js';

const pki = testPki();
const tmp = () => mkdtempSync(join(tmpdir(), 'pinprobe-mtls-cli-'));
const servers: Record<string, RunningServer> = {};

beforeAll(async () => {
  const starts: Record<string, () => Promise<RunningServer>> = {
    tls13: () => requireCertServer({ maxVersion: 'TLSv1.3' }),
    sserver: () => opensslServer({ verify: true }),
    ...(nginxAvailable()
      ? { on: () => startNginx({ verifyClient: 'on' }), off: () => startNginx({ verifyClient: 'off' }), optional: () => startNginx({ verifyClient: 'optional' }) }
      : {}),
  };
  await Promise.all(Object.entries(starts).map(async ([name, start]) => (servers[name] = await start())));
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

const probeCli = (url: string, extra: string[] = []) => pinprobe(['probe-mtls', url, '--upstream-ca', pki.caCertPath, ...extra], { timeoutMs: 30_000 });
const pemSpec = `${pki.clientCertPath},${pki.clientKeyPath}`;

describe('pinprobe probe-mtls', () => {
  it('nginx on, text: every attempt line, enforced by the 400, exit 0', async () => {
    const r = await probeCli(servers.on.url);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`probe-mtls ${servers.on.url}`);
    expect(lines.slice(1, 5).map((l) => l.replace(/\s+/g, ' ').trim())).toEqual([
      'TLS 1.2 no certificate http-400:no-required-ssl-certificate Bad Request',
      'TLS 1.2 untrusted self-signed http-400:ssl-certificate-error Bad Request',
      'TLS 1.3 no certificate http-400:no-required-ssl-certificate Bad Request',
      'TLS 1.3 untrusted self-signed http-400:ssl-certificate-error Bad Request',
    ]);
    expect(lines).toContain('mTLS: enforced (http-400:no-required-ssl-certificate)');
    expect(lines).toContain('with the configured certificate: untested (no --client-cert)');
  });

  it('nginx on, json with --client-cert (HOST= left out): enforced + accepted, exit 0', async () => {
    const r = await probeCli(servers.on.url, ['--client-cert', pemSpec, '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as ProbeResult;
    expect(j).toMatchObject({ schema: 'pinprobe.probe-mtls/1', verdict: 'enforced', evidence: 'http-400:no-required-ssl-certificate', withCert: 'accepted', acceptsAnyCert: false, reachable: true, untrustedUpstream: null, findings: [] });
    expect(j.attempts).toHaveLength(6);
    expect(j.attempts.filter((a) => a.cert === 'configured').map((a) => a.httpStatus)).toEqual([200, 200]);
  });

  it('nginx off: not-enforced, an info finding, exit 0 (text and json)', async () => {
    const text = await probeCli(servers.off.url);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('mTLS: not-enforced (http-200)');
    const json = await probeCli(servers.off.url, ['--format', 'json']);
    expect(json.code).toBe(0);
    const j = JSON.parse(json.stdout) as ProbeResult;
    expect(j).toMatchObject({ verdict: 'not-enforced', evidence: 'http-200', acceptsAnyCert: false });
    expect(j.findings).toEqual([expect.objectContaining({ id: 'mtls-not-enforced', severity: 'info' })]);
  });

  it('Node TLS 1.3 requireCert: 40 in the 1.2 handshake, 116 after the 1.3 handshake; enforced; with the P12 accepted', async () => {
    const r = await probeCli(servers.tls13.url, ['--client-cert', `127.0.0.1=${pki.clientP12Path}:${pki.clientP12Pass}`]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
    expect(lines).toContain('TLS 1.2 no certificate tls-alert:handshake_failure (in the handshake)');
    expect(lines).toContain('TLS 1.3 no certificate tls-alert:certificate_required (after the handshake, on the first read)');
    expect(lines).toContain('TLS 1.3 configured (CN=test-device-001) http-200 OK');
    expect(lines).toContain('mTLS: enforced (tls-alert:certificate_required)');
    expect(lines).toContain('with the configured certificate: accepted');
    const json = JSON.parse((await probeCli(servers.tls13.url, ['--format', 'json'])).stdout) as ProbeResult;
    expect(json).toMatchObject({ verdict: 'enforced', evidence: 'tls-alert:certificate_required', withCert: 'untested', acceptsAnyCert: false });
  });

  it('s_server -Verify 1 accepts any certificate: exit 1, output exactly as docs/mtls.md shows it', async () => {
    const r = await probeCli(servers.sserver.url, ['--client-cert', pemSpec]);
    expect(r.code).toBe(1);
    const doc = readFileSync(join(ROOT, 'docs', 'mtls.md'), 'utf8');
    const example = /```\n(probe-mtls https:\/\/127\.0\.0\.1:\d+\/\n[\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    expect(r.stdout).toBe(example!.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${servers.sserver.port}`));
  });

  it('backend certificate not trusted (no --upstream-ca): incomplete, exit 3', async () => {
    const r = await pinprobe(['probe-mtls', servers.tls13.url]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/incomplete: the certificate of 127\.0\.0\.1:\d+ is not trusted .* --upstream-ca FILE/);
  });

  it('bad usage: exit 2 with one line (http URL, unknown format, missing cert file)', async () => {
    for (const args of [
      ['probe-mtls', 'http://127.0.0.1:1/'],
      ['probe-mtls', servers.tls13.url, '--format', 'xml'],
      ['probe-mtls', servers.tls13.url, '--client-cert', '/nonexistent/c.pem,/nonexistent/k.pem'],
    ]) {
      const r = await pinprobe(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });
});

describe('pinprobe proxy --client-cert: bad certificates are one line and exit 2 at start-up', () => {
  const dataDir = tmp();
  const proxyCli = (spec: string) => pinprobe(['proxy', '--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir, '--client-cert', spec], { timeoutMs: 20_000 });
  const expectOneLine = (r: { code: number | null; stderr: string; stdout: string }, pattern: RegExp) => {
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(r.stdout).not.toContain('listening');
  };

  it('a missing certificate file', async () => {
    expectOneLine(await proxyCli(`api.app.test=/nonexistent/missing.pem,${pki.clientKeyPath}`), /^pinprobe: --client-cert api\.app\.test=\/nonexistent\/missing\.pem,.*: cannot read certificate file \/nonexistent\/missing\.pem \(no such file\)$/);
  });

  it('a wrong P12 password, naming it', async () => {
    expectOneLine(await proxyCli(`api.app.test=${pki.clientP12Path}:wrong-pass`), /^pinprobe: --client-cert api\.app\.test=.*client\.p12: .*password/i);
  });

  it('a missing P12 password, naming it', async () => {
    expectOneLine(await proxyCli(`api.app.test=${pki.clientP12Path}`), /^pinprobe: --client-cert api\.app\.test=.*client\.p12: .*password/i);
  });

  it('a key that does not belong to the certificate', async () => {
    expectOneLine(await proxyCli(`api.app.test=${pki.clientCertPath},${pki.serverKeyPath}`), /^pinprobe: --client-cert api\.app\.test=.*: .*(does not match|does not belong)/i);
  });
});

describe('pinprobe proxy, then pinprobe report --format json', () => {
  it('--expect-mtls makes not-enforced high (else info); --client-cert gives enforced + accepted; --request-client-cert records the phone\'s certificate', async () => {
    const dataDir = tmp();
    const record = join(dataDir, 'mtls.pinprobe.jsonl');
    const p = await spawnProxy([
      '--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir, '--record', record, '--upstream-ca', pki.caCertPath, '--scenario', 'trusted',
      '--map-remote', `expected.app.test=127.0.0.1:${servers.optional.port}`,
      '--map-remote', `casual.app.test=127.0.0.1:${servers.optional.port}`,
      '--map-remote', `device.app.test=127.0.0.1:${servers.on.port}`,
      '--expect-mtls', 'expected.app.test',
      '--client-cert', `device.app.test=${pki.clientP12Path}:${pki.clientP12Pass}`,
      '--request-client-cert',
    ]);
    let exited = false;
    try {
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(p.output())![1];
      const proxyUrl = `http://127.0.0.1:${port}`;
      const ca = join(dataDir, 'ca', 'pinprobe-ca.pem');
      expect((await curl(proxyUrl, 'https://expected.app.test/', ['--cacert', ca])).stdout).toBe('ok\n');
      expect((await curl(proxyUrl, 'https://casual.app.test/', ['--cacert', ca])).stdout).toBe('ok\n');
      expect((await curl(proxyUrl, 'https://device.app.test/', ['--cacert', ca, '--cert', pki.clientCertPath, '--key', pki.clientKeyPath])).stdout).toBe('ok\n');
      // The probe runs in the background: wait (bounded) until the session file shows it.
      const deadline = Date.now() + 8000;
      while (!(await readSession(record)).events.some((e) => e.type === 'upstream' && e.probe)) {
        if (Date.now() > deadline) throw new Error('no probe recorded within 8 s');
        await new Promise((ok) => setTimeout(ok, 100));
      }
      p.child.kill('SIGINT');
      const done = await p.exited;
      exited = true;
      expect(done.code).toBe(0);

      const r = await pinprobe(['report', record, '--format', 'json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as Report;
      const host = (name: string) => report.hosts.find((h) => h.host === name)!;
      expect(host('expected.app.test').mtls).toMatchObject({ verdict: 'not-enforced', evidence: 'http-200' });
      expect(host('expected.app.test').findings).toContainEqual(expect.objectContaining({ id: 'mtls-not-enforced', severity: 'high' }));
      expect(host('casual.app.test').findings).toContainEqual(expect.objectContaining({ id: 'mtls-not-enforced', severity: 'info' }));
      expect(host('device.app.test').mtls).toEqual({ verdict: 'enforced', evidence: 'http-400:no-required-ssl-certificate', withCert: 'accepted' });
      expect(host('device.app.test').findings.filter((f) => f.id.startsWith('mtls-'))).toEqual([]);
      const failOn = await pinprobe(['report', record, '--fail-on', 'high']);
      expect(failOn.code).toBe(1);

      const session = await readSession(record);
      const tlsOf = (name: string) => {
        const conn = session.events.find((e): e is ConnectionEvent => e.type === 'connection' && e.target.host === name);
        return session.events.find((e) => e.type === 'client-tls' && e.id === conn?.id);
      };
      expect(tlsOf('device.app.test')).toMatchObject({ clientCert: { offered: true, subject: 'CN=test-device-001' } });
      expect(tlsOf('casual.app.test')).toMatchObject({ clientCert: { offered: false, subject: null } });
    } finally {
      if (!exited) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
  });
});
