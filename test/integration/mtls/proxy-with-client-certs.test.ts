// mTLS through the real proxy WITH configured client certificates (PEM and P12): the phone
// (curl) gets the backend's real 200, the engine's one extra probe without a certificate
// tells whether the backend refuses without it, connection reuse never mixes identities,
// and --request-client-cert records what the phone itself offers.
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge } from '../../../proxy/judge/index.js';
import type { HostVerdict } from '../../../proxy/judge/report-types.js';
import type { ClientTlsEvent, ConnectionEvent, ResponseEvent, SessionLine, UpstreamEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { nginxAvailable, startNginx } from '../../helpers/nginx.js';
import { testPki } from '../../helpers/pki.js';
import { curl } from '../../helpers/run.js';
import { gateway403Server, plainServer, requireCertServer, type RunningServer } from '../../helpers/tls-servers.js';
import type { ClientCertSetting } from '../../../proxy/api/engine-port.js';
import type { MtlsProber } from '../../../proxy/features/mtls-prober.js';

const pki = testPki();
const SUBJECT = 'CN=test-device-001';
const pem = (host: string) => ({ host, cert: pki.clientCertPath, key: pki.clientKeyPath });
const p12 = (host: string) => ({ host, cert: pki.clientP12Path, passphrase: pki.clientP12Pass });
/** A certificate the backends do not trust as a client: the server's own (upstream CA, serverAuth). */
const wrong = (host: string) => ({ host, cert: pki.serverCertPath, key: pki.serverKeyPath });

const isUpstream = (l: SessionLine): l is UpstreamEvent => l.type === 'upstream';

function reportFor(engine: TestEngine, host: string): HostVerdict {
  const found = judge(engine.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === host && h.port === 443);
  if (!found) throw new Error(`no report for ${host}`);
  return found;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Answers 200 to everyone and remembers each request's path and whether a valid client certificate came. */
const seen: Array<{ path: string; authorized: boolean }> = [];
function recordingServer(): Promise<RunningServer> {
  const server = https.createServer({ cert: pki.serverCert, key: pki.serverKey, ca: [pki.clientCaCert], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    seen.push({ path: req.url ?? '', authorized: (req.socket as TLSSocket).authorized });
    res.end('ok\n');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ port, url: `https://127.0.0.1:${port}/`, close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }) });
    }),
  );
}

describe('configured client certificates through the proxy', () => {
  const servers: Record<string, RunningServer> = {};
  let proxy: TestEngine;
  // host -> [backend, client certificate form]
  const HOSTS: Record<string, [string, 'pem' | 'p12' | 'wrong' | null]> = {
    'pem13.app.test': ['node13', 'pem'],
    'wrong13.app.test': ['node13', 'wrong'],
    'p12-13.app.test': ['node13', 'p12'],
    'gw.app.test': ['gateway', 'pem'],
    'paths.app.test': ['recorder', 'pem'],
    'bare-gw.app.test': ['bare403', 'pem'],
    ...(nginxAvailable()
      ? {
          'pem-nginx.app.test': ['nginx-on', 'pem'],
          'p12-nginx.app.test': ['nginx-on', 'p12'],
          'anon-nginx.app.test': ['nginx-on', null],
          'wrong-nginx.app.test': ['nginx-on', 'wrong'],
        } as Record<string, [string, 'pem' | 'p12' | 'wrong' | null]>
      : {}),
  };

  beforeAll(async () => {
    const starts: Record<string, () => Promise<RunningServer>> = {
      node13: () => requireCertServer({ maxVersion: 'TLSv1.3' }),
      gateway: () => gateway403Server(),
      bare403: () => gateway403Server({ body: JSON.stringify({ message: 'Forbidden' }) }),
      recorder: recordingServer,
      ...(nginxAvailable() ? { 'nginx-on': () => startNginx({ verifyClient: 'on' }) } : {}),
    };
    await Promise.all(Object.entries(starts).map(async ([name, start]) => (servers[name] = await start())));
    proxy = await startEngine({
      scenario: 'trusted',
      mapRemote: Object.entries(HOSTS).map(([host, [backend]]) => ({ from: host, to: `127.0.0.1:${servers[backend].port}` })),
      clientCerts: Object.entries(HOSTS).flatMap(([host, [, form]]): ClientCertSetting[] => (form === 'pem' ? [pem(host)] : form === 'p12' ? [p12(host)] : form === 'wrong' ? [wrong(host)] : [])),
    });
  });

  afterAll(async () => {
    await proxy?.close();
    await Promise.all(Object.values(servers).map((s) => s.close()));
  });

  const get = (host: string, path = '/') => curl(proxy.proxyUrl, `https://${host}${path}`, ['--http1.1', '--cacert', proxy.caPath, '-i', '--suppress-connect-headers']);
  const probesOf = (host: string) => proxy.engine.lines().filter((l): l is UpstreamEvent => isUpstream(l) && l.host === host && l.probe);

  /**
   * Several requests (three of them at once, so the agent opens more than one upstream
   * connection with the certificate): every one gets the backend's real 200, exactly one
   * probe without a certificate is recorded, and its answer reaches nobody.
   */
  async function severalRequestsOneProbe(host: string): Promise<UpstreamEvent> {
    const first = await get(host, '/v1/profile?id=7');
    expect(first.stdout).toMatch(/^HTTP\/1\.1 200/);
    expect(first.stdout.endsWith('ok\n')).toBe(true);
    const rest = await Promise.all([get(host, '/a'), get(host, '/b'), get(host, '/c')]);
    rest.push(await get(host, '/d'));
    for (const r of rest) {
      expect(r.stdout).toMatch(/^HTTP\/1\.1 200/);
      expect(r.stdout.endsWith('ok\n')).toBe(true);
    }
    const probe = (await proxy.waitFor((l) => isUpstream(l) && l.host === host && l.probe, 8000)) as UpstreamEvent;
    // Give a wrongly repeated probe the time to show up before counting.
    await sleep(400);
    expect(probesOf(host)).toHaveLength(1);
    expect(probe).toMatchObject({ probe: true, clientCert: null, port: 443 });
    const ups = proxy.engine.lines().filter((l): l is UpstreamEvent => isUpstream(l) && l.host === host && !l.probe);
    expect(ups.length).toBeGreaterThanOrEqual(1);
    for (const u of ups) expect(u).toMatchObject({ clientCert: { subject: SUBJECT }, outcome: 'answered', httpStatus: 200 });
    // The phone only ever saw the backend's answers to its own requests.
    const responses = proxy.engine.lines().filter((l): l is ResponseEvent => l.type === 'response' && l.id !== undefined);
    const mine = responses.filter((r) => proxy.engine.lines().some((q) => q.type === 'request' && q.id === r.id && q.host === host));
    expect(mine).toHaveLength(5);
    for (const r of mine) expect(r).toMatchObject({ status: 200, body: { data: 'ok\n' } });
    expect(mine.some((r) => r.synthetic)).toBe(false);
    return probe;
  }

  describe('nginx ssl_verify_client on', () => {
    it('PEM: the phone gets 200; the probe gets the 400; enforced (http-400:no-required-ssl-certificate) + withCert accepted', async () => {
      const probe = await severalRequestsOneProbe('pem-nginx.app.test');
      expect(probe).toMatchObject({ outcome: 'answered', httpStatus: 400, certComplaint: true, complaint: 'no-required-ssl-certificate' });
      const host = reportFor(proxy, 'pem-nginx.app.test');
      expect(host.mtls).toEqual({ verdict: 'enforced', evidence: 'http-400:no-required-ssl-certificate', withCert: 'accepted' });
      expect(host.findings.filter((f) => f.id.startsWith('mtls-'))).toEqual([]);
    });

    it('P12: the same', async () => {
      const probe = await severalRequestsOneProbe('p12-nginx.app.test');
      expect(probe).toMatchObject({ httpStatus: 400, complaint: 'no-required-ssl-certificate' });
      expect(reportFor(proxy, 'p12-nginx.app.test').mtls).toEqual({ verdict: 'enforced', evidence: 'http-400:no-required-ssl-certificate', withCert: 'accepted' });
    });

    it('connection reuse never mixes identities: interleaved, the host with a certificate always 200, the one without always 400', async () => {
      const order = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? 'pem-nginx.app.test' : 'anon-nginx.app.test'));
      const status = (r: { stdout: string }) => Number(/^HTTP\/1\.1 (\d{3})/.exec(r.stdout)?.[1]);
      // Sequential, then concurrent, so kept-alive sockets of both identities exist side by side.
      const seq: Array<readonly [string, number]> = [];
      for (const host of order) seq.push([host, status(await get(host, '/mix'))]);
      const together = await Promise.all(order.map((host) => get(host, '/mix2').then((r) => [host, status(r)] as const)));
      const statuses = [...seq, ...together];
      for (const [host, status] of statuses) expect([host, status]).toEqual([host, host.startsWith('pem') ? 200 : 400]);
      const anon = proxy.engine.lines().filter((l): l is UpstreamEvent => isUpstream(l) && l.host === 'anon-nginx.app.test');
      expect(anon.length).toBeGreaterThanOrEqual(1);
      expect(anon.every((u) => u.clientCert === null && !u.probe && u.httpStatus === 400)).toBe(true);
      expect(reportFor(proxy, 'anon-nginx.app.test').mtls).toMatchObject({ verdict: 'enforced', withCert: 'untested' });
      // Every response of the anonymous host is nginx's 400, of the certified one a 200.
      const lines = proxy.engine.lines();
      const hostOf = new Map(lines.flatMap((l) => (l.type === 'request' ? [[l.id, l.host] as const] : [])));
      for (const l of lines) {
        if (l.type !== 'response') continue;
        if (hostOf.get(l.id) === 'anon-nginx.app.test') expect(l.status).toBe(400);
        if (hostOf.get(l.id) === 'pem-nginx.app.test') expect(l.status).toBe(200);
      }
    });
  });

  describe('Node requestCert + rejectUnauthorized, TLS 1.3', () => {
    it('PEM: 200 to the phone; the probe gets certificate_required after the handshake; enforced + accepted', async () => {
      const probe = await severalRequestsOneProbe('pem13.app.test');
      expect(probe).toMatchObject({ outcome: 'tls-alert', alert: 'certificate_required', alertCode: 116, stage: 'after-handshake', tlsVersion: 'TLSv1.3' });
      expect(reportFor(proxy, 'pem13.app.test').mtls).toEqual({ verdict: 'enforced', evidence: 'tls-alert:certificate_required', withCert: 'accepted' });
    });

    it('P12: the same', async () => {
      const probe = await severalRequestsOneProbe('p12-13.app.test');
      expect(probe).toMatchObject({ outcome: 'tls-alert', alert: 'certificate_required' });
      expect(reportFor(proxy, 'p12-13.app.test').mtls).toEqual({ verdict: 'enforced', evidence: 'tls-alert:certificate_required', withCert: 'accepted' });
    });
  });

  describe('API-gateway style', () => {
    it('with the certificate 200; the probe\'s 403 names the certificate: enforced (http-403:client-certificate-required) + accepted', async () => {
      const probe = await severalRequestsOneProbe('gw.app.test');
      expect(probe).toMatchObject({ outcome: 'answered', httpStatus: 403, certComplaint: true });
      expect(reportFor(proxy, 'gw.app.test').mtls).toEqual({ verdict: 'enforced', evidence: 'http-403:client-certificate-required', withCert: 'accepted' });
    });

    it('a bare 403 for the probe counts, because the same host served our certificate (contrast): enforced (http-403)', async () => {
      const probe = await severalRequestsOneProbe('bare-gw.app.test');
      expect(probe).toMatchObject({ httpStatus: 403, certComplaint: false });
      expect(reportFor(proxy, 'bare-gw.app.test').mtls).toEqual({ verdict: 'enforced', evidence: 'http-403', withCert: 'accepted' });
    });
  });

  describe('a configured certificate the backend does not accept', () => {
    it('nginx: the phone gets "400 The SSL certificate error"; enforced, withCert rejected, an info finding', async () => {
      const r = await get('wrong-nginx.app.test');
      expect(r.stdout).toMatch(/^HTTP\/1\.1 400/);
      expect(r.stdout).toContain('400 The SSL certificate error');
      const up = (await proxy.waitFor((l) => isUpstream(l) && l.host === 'wrong-nginx.app.test' && !l.probe)) as UpstreamEvent;
      expect(up).toMatchObject({ clientCert: { subject: 'CN=localhost' }, httpStatus: 400, certComplaint: true, complaint: 'ssl-certificate-error' });
      await proxy.waitFor((l) => isUpstream(l) && l.host === 'wrong-nginx.app.test' && l.probe, 8000);
      const host = reportFor(proxy, 'wrong-nginx.app.test');
      expect(host.mtls).toEqual({ verdict: 'enforced', evidence: 'http-400:no-required-ssl-certificate', withCert: 'rejected' });
      expect(host.findings).toContainEqual(expect.objectContaining({ id: 'mtls-client-cert-rejected', severity: 'info' }));
    });

    it('Node TLS 1.3: the phone gets a 502 saying our certificate was refused; withCert rejected', async () => {
      const r = await get('wrong13.app.test');
      expect(r.stdout).toMatch(/^HTTP\/1\.1 502/);
      const up = (await proxy.waitFor((l) => isUpstream(l) && l.host === 'wrong13.app.test' && !l.probe)) as UpstreamEvent;
      // Node drops a client whose certificate fails verification without an alert (docs/mtls.md).
      expect(up).toMatchObject({ clientCert: { subject: 'CN=localhost' }, outcome: 'reset', stage: 'after-handshake', tlsVersion: 'TLSv1.3' });
      expect(r.stdout).toContain(
        'Pinprobe: wrong13.app.test:443 closed the connection right after the TLS handshake — it may have refused the client certificate Pinprobe presented; check the client certificate configured for this host (Controls → Client certificates (mTLS) in the app, or --client-cert)',
      );
      await proxy.waitFor((l) => isUpstream(l) && l.host === 'wrong13.app.test' && l.probe, 8000);
      const host = reportFor(proxy, 'wrong13.app.test');
      expect(host.mtls).toEqual({ verdict: 'enforced', evidence: 'tls-alert:certificate_required', withCert: 'rejected' });
      expect(host.findings).toContainEqual(expect.objectContaining({ id: 'mtls-client-cert-rejected', severity: 'info' }));
    });
  });

  it('the probe asks for the app\'s own GET path, and the prober forgets request paths once a host is probed', async () => {
    const r = await get('paths.app.test', '/v2/items?page=3');
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200/);
    for (const path of ['/x', '/y']) expect((await get('paths.app.test', path)).stdout).toMatch(/^HTTP\/1\.1 200/);
    await proxy.waitFor((l) => isUpstream(l) && l.host === 'paths.app.test' && l.probe, 8000);
    await sleep(200);
    // The app's three requests carried the certificate; the probe alone came without one.
    expect(seen.filter((s) => !s.authorized).map((s) => s.path)).toEqual(['/v2/items?page=3']);
    expect(seen.filter((s) => s.authorized).map((s) => s.path)).toEqual(['/v2/items?page=3', '/x', '/y']);
    const prober = proxy.engine['features'].find((f) => f.name === 'mtls-prober') as MtlsProber;
    expect(prober.pendingPaths).toBe(0);
  });
});

describe('a --client-cert glob with :PORT applies to that port only', () => {
  let nginx: RunningServer;
  let proxy: TestEngine;

  beforeAll(async () => {
    nginx = await startNginx({ verifyClient: 'on' });
    proxy = await startEngine({
      scenario: 'trusted',
      mapRemote: [
        { from: 'ported.app.test:443', to: `127.0.0.1:${nginx.port}` },
        { from: 'ported.app.test:8443', to: `127.0.0.1:${nginx.port}` },
      ],
      // The first match wins: on 443 the :8443 entry must not shadow the P12 one.
      clientCerts: [wrong('ported.app.test:8443'), p12('ported.app.test')],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await nginx?.close();
  });

  it('8443 presents the :8443 certificate, 443 the port-less one; each port gets its own probe', async () => {
    const on8443 = await curl(proxy.proxyUrl, 'https://ported.app.test:8443/', ['--cacert', proxy.caPath]);
    expect(on8443.stdout).toContain('400 The SSL certificate error');
    const on443 = await curl(proxy.proxyUrl, 'https://ported.app.test/', ['--cacert', proxy.caPath]);
    expect(on443.stdout).toBe('ok\n');
    const ups = () => proxy.engine.lines().filter(isUpstream);
    await proxy.waitFor(() => ups().filter((u) => u.probe).length === 2, 8000);
    expect(ups().find((u) => !u.probe && u.port === 8443)?.clientCert).toEqual({ subject: 'CN=localhost' });
    expect(ups().find((u) => !u.probe && u.port === 443)?.clientCert).toEqual({ subject: SUBJECT });
    const report = judge(proxy.engine.lines(), { file: 'live' }).hosts;
    expect(report.find((h) => h.port === 443)?.mtls).toEqual({ verdict: 'enforced', evidence: 'http-400:no-required-ssl-certificate', withCert: 'accepted' });
    expect(report.find((h) => h.port === 8443)?.mtls).toEqual({ verdict: 'enforced', evidence: 'http-400:no-required-ssl-certificate', withCert: 'rejected' });
  });
});

describe('--request-client-cert: does the app carry an mTLS identity?', () => {
  let backend: RunningServer;
  let proxy: TestEngine;

  beforeAll(async () => {
    backend = await plainServer();
    proxy = await startEngine({
      scenario: 'trusted',
      requestClientCert: true,
      mapRemote: ['with.app.test', 'without.app.test'].map((h) => ({ from: h, to: `127.0.0.1:${backend.port}` })),
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await backend?.close();
  });

  async function clientTls(host: string): Promise<ClientTlsEvent> {
    const conn = (await proxy.waitFor((l) => l.type === 'connection' && l.target.host === host, 5000)) as ConnectionEvent;
    return (await proxy.waitFor((l) => l.type === 'client-tls' && l.id === conn.id, 5000)) as ClientTlsEvent;
  }

  it('a phone that presents a certificate: offered true with its subject; the request still goes through', async () => {
    const r = await curl(proxy.proxyUrl, 'https://with.app.test/', ['--cacert', proxy.caPath, '--cert', pki.clientCertPath, '--key', pki.clientKeyPath]);
    expect(r.stdout).toBe('ok\n');
    expect(await clientTls('with.app.test')).toMatchObject({ result: 'accepted', clientCert: { offered: true, subject: SUBJECT } });
  });

  it('a phone without one: offered false', async () => {
    const r = await curl(proxy.proxyUrl, 'https://without.app.test/', ['--cacert', proxy.caPath]);
    expect(r.stdout).toBe('ok\n');
    expect(await clientTls('without.app.test')).toMatchObject({ result: 'accepted', clientCert: { offered: false, subject: null } });
  });
});
