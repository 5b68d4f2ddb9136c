// mTLS through the real proxy, no client certificate configured: curl plays the phone
// (trusting the engine's CA), each *.app.test host is map-remoted to a real backend from
// TLS-FACTS.md, and the verdict comes from judging the recorded session lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/index.js';
import type { HostReport } from '../../proxy/judge/report-types.js';
import type { ResponseEvent, SessionLine, UpstreamEvent } from '../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../helpers/engine.js';
import { nginxAvailable, startNginx } from '../helpers/nginx.js';
import { curl } from '../helpers/run.js';
import { gateway403Server, opensslServer, requireCertServer, type RunningServer } from '../helpers/tls-servers.js';

const servers: Record<string, RunningServer> = {};
let proxy: TestEngine;

const BACKENDS: Record<string, () => Promise<RunningServer>> = {
  'tls12.app.test': () => requireCertServer({ maxVersion: 'TLSv1.2' }),
  'tls13.app.test': () => requireCertServer({ maxVersion: 'TLSv1.3' }),
  'gateway.app.test': () => gateway403Server(),
  'bare403.app.test': () => gateway403Server({ body: JSON.stringify({ message: 'Forbidden' }) }),
  'sserver.app.test': () => opensslServer({ verify: true }),
  ...(nginxAvailable()
    ? {
        'nginx-on.app.test': () => startNginx({ verifyClient: 'on' }),
        'nginx-optional.app.test': () => startNginx({ verifyClient: 'optional' }),
        'nginx-off.app.test': () => startNginx({ verifyClient: 'off' }),
      }
    : {}),
};

beforeAll(async () => {
  await Promise.all(Object.entries(BACKENDS).map(async ([host, start]) => (servers[host] = await start())));
  proxy = await startEngine({
    scenario: 'trusted',
    mapRemote: Object.entries(servers).map(([host, s]) => ({ from: host, to: `127.0.0.1:${s.port}` })),
  });
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

const get = (host: string, path = '/') => curl(proxy.proxyUrl, `https://${host}${path}`, ['--cacert', proxy.caPath, '-i', '--suppress-connect-headers']);

const upstreamOf = (host: string) => (l: SessionLine): l is UpstreamEvent => l.type === 'upstream' && l.host === host;

function hostReport(host: string): HostReport {
  const found = judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === host && h.port === 443);
  if (!found) throw new Error(`no report for ${host}`);
  return found;
}

/** The response line the engine recorded for the request behind an upstream event. */
async function responseFor(ev: UpstreamEvent): Promise<ResponseEvent> {
  return (await proxy.waitFor((l) => l.type === 'response' && l.id === ev.request, 5000)) as ResponseEvent;
}

describe.skipIf(!nginxAvailable())('nginx behind the proxy, no client certificate', () => {
  it('ssl_verify_client on: the phone gets nginx\'s own 400, the report says enforced (http-400:no-required-ssl-certificate)', async () => {
    const r = await get('nginx-on.app.test', '/api/me');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(r.stdout).toContain('400 No required SSL certificate was sent');
    expect(r.stdout).toMatch(/Server: nginx/i);
    expect(r.stdout).not.toContain('x-pinprobe-error');
    const up = await proxy.waitFor(upstreamOf('nginx-on.app.test'));
    expect(up).toMatchObject({ probe: false, clientCert: null, outcome: 'answered', httpStatus: 400, certComplaint: true, complaint: 'no-required-ssl-certificate' });
    expect(up.tlsVersion).toBe('TLSv1.3');
    expect(hostReport('nginx-on.app.test').mtls).toEqual({ verdict: 'enforced', evidence: 'http-400:no-required-ssl-certificate', withCert: 'untested' });
    expect(hostReport('nginx-on.app.test').findings.filter((f) => f.id.startsWith('mtls-'))).toEqual([]);
  });

  it('ssl_verify_client optional: 200 without a certificate, not-enforced (info)', async () => {
    const r = await get('nginx-optional.app.test');
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200/);
    expect(r.stdout.endsWith('ok\n')).toBe(true);
    await proxy.waitFor(upstreamOf('nginx-optional.app.test'));
    const host = hostReport('nginx-optional.app.test');
    expect(host.mtls).toEqual({ verdict: 'not-enforced', evidence: 'http-200', withCert: 'untested' });
    expect(host.findings).toContainEqual(expect.objectContaining({ id: 'mtls-not-enforced', severity: 'info' }));
  });

  it('without ssl_verify_client: not-enforced', async () => {
    const r = await get('nginx-off.app.test');
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200/);
    await proxy.waitFor(upstreamOf('nginx-off.app.test'));
    expect(hostReport('nginx-off.app.test').mtls).toMatchObject({ verdict: 'not-enforced', evidence: 'http-200' });
  });
});

describe('Node requestCert + rejectUnauthorized behind the proxy', () => {
  it('TLS 1.2: alert handshake_failure (40) in the handshake; the phone gets a 502 naming the demanded certificate', async () => {
    const r = await get('tls12.app.test');
    expect(r.stdout).toMatch(/^HTTP\/1\.1 502 Bad Gateway/);
    expect(r.stdout).toContain('Pinprobe: tls12.app.test:443 demanded a client certificate (TLS alert handshake_failure) — configure one with --client-cert');
    const up = await proxy.waitFor(upstreamOf('tls12.app.test'));
    expect(up).toMatchObject({ probe: false, clientCert: null, outcome: 'tls-alert', stage: 'handshake', alert: 'handshake_failure', alertCode: 40 });
    expect((await responseFor(up))).toMatchObject({ status: 502, synthetic: true });
    expect(hostReport('tls12.app.test').mtls).toEqual({ verdict: 'enforced', evidence: 'tls-alert:handshake_failure', withCert: 'untested' });
  });

  it('TLS 1.3: handshake completes, then alert certificate_required (116); 502 naming it', async () => {
    const r = await get('tls13.app.test');
    expect(r.stdout).toMatch(/^HTTP\/1\.1 502 Bad Gateway/);
    expect(r.stdout).toContain('Pinprobe: tls13.app.test:443 demanded a client certificate (TLS alert certificate_required)');
    const up = await proxy.waitFor(upstreamOf('tls13.app.test'));
    expect(up).toMatchObject({ clientCert: null, outcome: 'tls-alert', stage: 'after-handshake', alert: 'certificate_required', alertCode: 116, tlsVersion: 'TLSv1.3' });
    expect(hostReport('tls13.app.test').mtls).toEqual({ verdict: 'enforced', evidence: 'tls-alert:certificate_required', withCert: 'untested' });
  });
});

describe('API-gateway style 403 behind the proxy', () => {
  it('a 403 whose body names the certificate: the phone gets that 403, enforced (http-403:client-certificate-required)', async () => {
    const r = await get('gateway.app.test');
    expect(r.stdout).toMatch(/^HTTP\/1\.1 403/);
    expect(r.stdout).toContain('{"message":"client certificate required"}');
    await proxy.waitFor(upstreamOf('gateway.app.test'));
    expect(hostReport('gateway.app.test').mtls).toEqual({ verdict: 'enforced', evidence: 'http-403:client-certificate-required', withCert: 'untested' });
  });

  it('a bare "Forbidden" 403 without any contrast stays unknown (http-403)', async () => {
    const r = await get('bare403.app.test');
    expect(r.stdout).toMatch(/^HTTP\/1\.1 403/);
    await proxy.waitFor(upstreamOf('bare403.app.test'));
    expect(hostReport('bare403.app.test').mtls).toEqual({ verdict: 'unknown', evidence: 'http-403', withCert: 'untested' });
  });
});

describe('openssl s_server -Verify 1 behind the proxy', () => {
  it('TLS 1.3 by default: certificate_required after the handshake, enforced; 502 to the phone', async () => {
    const r = await get('sserver.app.test');
    expect(r.stdout).toMatch(/^HTTP\/1\.1 502/);
    expect(r.stdout).toContain('demanded a client certificate (TLS alert certificate_required)');
    const up = await proxy.waitFor(upstreamOf('sserver.app.test'));
    expect(up).toMatchObject({ outcome: 'tls-alert', alert: 'certificate_required', alertCode: 116, stage: 'after-handshake', tlsVersion: 'TLSv1.3' });
    expect(hostReport('sserver.app.test').mtls).toEqual({ verdict: 'enforced', evidence: 'tls-alert:certificate_required', withCert: 'untested' });
  });
});

describe('no probe without a configured certificate', () => {
  it('every upstream event of this session is the app\'s own attempt (probe: false)', () => {
    const ups = proxy.engine.lines().filter((l): l is UpstreamEvent => l.type === 'upstream');
    expect(ups.length).toBeGreaterThan(0);
    expect(ups.every((u) => !u.probe && u.clientCert === null)).toBe(true);
  });
});
