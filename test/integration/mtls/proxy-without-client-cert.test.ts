// mTLS through the real proxy, no client certificate configured: curl plays the phone
// (trusting the engine's CA), each *.app.test host is map-remoted to a real backend from
// TLS-FACTS.md, and the verdict comes from judging the recorded session lines.
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge } from '../../../proxy/judge/index.js';
import { bodyHeadText } from '../../../proxy/observe/cert-complaint.js';
import type { HostVerdict } from '../../../proxy/judge/report-types.js';
import type { ResponseEvent, SessionLine, UpstreamEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { nginxAvailable, startNginx } from '../../helpers/nginx.js';
import { testPki } from '../../helpers/pki.js';
import { curl, run } from '../../helpers/run.js';
import { gateway403Server, opensslServer, requireCertServer, type RunningServer } from '../../helpers/tls-servers.js';

/**
 * A gateway whose 403 complaint is compressed when the client accepts it, as real gateways
 * and CDNs do — and every mobile HTTP stack (OkHttp, URLSession) sends Accept-Encoding.
 */
function compressingGateway(): Promise<RunningServer> {
  const pki = testPki();
  const body = Buffer.from(JSON.stringify({ message: 'Forbidden: a valid client certificate is required for this API', pad: 'x'.repeat(200) }));
  const server = https.createServer({ cert: pki.serverCert, key: pki.serverKey, ca: [pki.clientCaCert], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    if ((req.socket as TLSSocket).authorized) return res.end('ok\n');
    const accept = String(req.headers['accept-encoding'] ?? '');
    const [encoding, data] = /\bbr\b/.test(accept) ? ['br', brotliCompressSync(body)] : /gzip/.test(accept) ? ['gzip', gzipSync(body)] : ['identity', body];
    res.writeHead(403, { 'content-type': 'application/json', ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }) });
    res.end(data);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ port, url: `https://127.0.0.1:${port}/`, close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }) });
    }),
  );
}

const servers: Record<string, RunningServer> = {};
let proxy: TestEngine;

const BACKENDS: Record<string, () => Promise<RunningServer>> = {
  'tls12.app.test': () => requireCertServer({ maxVersion: 'TLSv1.2' }),
  'tls13.app.test': () => requireCertServer({ maxVersion: 'TLSv1.3' }),
  'tls13-post.app.test': () => requireCertServer({ maxVersion: 'TLSv1.3' }),
  'gateway.app.test': () => gateway403Server(),
  'bare403.app.test': () => gateway403Server({ body: JSON.stringify({ message: 'Forbidden' }) }),
  'sserver.app.test': () => opensslServer({ verify: true }),
  'gzip-gw.app.test': compressingGateway,
  'br-gw.app.test': compressingGateway,
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

const get = (host: string, path = '/') => curl(proxy.proxyUrl, `https://${host}${path}`, ['--http1.1', '--cacert', proxy.caPath, '-i', '--suppress-connect-headers']);

const upstreamOf = (host: string) => (l: SessionLine): l is UpstreamEvent => l.type === 'upstream' && l.host === host;

function hostReport(host: string): HostVerdict {
  const found = judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === host && h.port === 443);
  if (!found) throw new Error(`no report for ${host}`);
  return found;
}

/** The response line the engine recorded for the request behind an upstream event. */
async function responseFor(ev: UpstreamEvent): Promise<ResponseEvent> {
  return (await proxy.waitFor((l) => l.type === 'response' && l.id === ev.request, 5000)) as ResponseEvent;
}

describe('nginx behind the proxy, no client certificate', () => {
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
    expect(r.stdout).toContain('Pinprobe: tls12.app.test:443 demanded a client certificate (TLS alert handshake_failure) — add a client certificate for this host (Controls → Client certificates (mTLS) in the app, or --client-cert on the command line)');
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

describe('an upload as the first request over TLS 1.3 (what is really observed)', () => {
  it('the body\'s write can hit the server\'s RST before the alert is read: still enforced, evidence alert or reset:after-handshake', async () => {
    const r = await run('curl', ['-sS', '--http1.1', '-i', '--suppress-connect-headers', '--max-time', '15', '--proxy', proxy.proxyUrl, '--cacert', proxy.caPath, '--data-binary', '@-', 'https://tls13-post.app.test/upload'], { input: 'x'.repeat(200_000) });
    expect(r.stdout).toMatch(/^HTTP\/1\.1 502/);
    expect(r.stdout).toMatch(/Pinprobe: tls13-post\.app\.test:443 (demanded a client certificate \(TLS alert certificate_required\)|closed the connection right after the TLS handshake — it may demand a client certificate)/);
    const up = await proxy.waitFor(upstreamOf('tls13-post.app.test'));
    expect(up.stage).toBe('after-handshake');
    const { mtls } = hostReport('tls13-post.app.test');
    expect(mtls.verdict).toBe('enforced');
    expect(['tls-alert:certificate_required', 'reset:after-handshake']).toContain(mtls.evidence);
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

describe('a compressed complaint (the phone sends Accept-Encoding)', () => {
  it.each([
    ['gzip-gw.app.test', 'gzip, deflate'],
    ['br-gw.app.test', 'br, gzip'],
  ])('%s: the phone gets the compressed 403 untouched; the complaint is still read: enforced', async (host, accept) => {
    const r = await curl(proxy.proxyUrl, `https://${host}/`, ['--http1.1', '--cacert', proxy.caPath, '-i', '--suppress-connect-headers', '-H', `Accept-Encoding: ${accept}`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 403/);
    expect(r.stdout).toMatch(/content-encoding: (gzip|br)/i);
    expect(r.stdout).not.toContain('client certificate');
    const up = await proxy.waitFor(upstreamOf(host));
    expect(up).toMatchObject({ outcome: 'answered', httpStatus: 403, certComplaint: true, complaint: 'client-certificate-required' });
    expect(hostReport(host).mtls).toEqual({ verdict: 'enforced', evidence: 'http-403:client-certificate-required', withCert: 'untested' });
  });
});

describe('bodyHeadText (what the engine reads of a compressed answer)', () => {
  const text = 'No required SSL certificate was sent. ' + 'filler '.repeat(2000);
  it('undoes gzip, deflate (zlib and raw), br and stacked codings; a cut-off stream still gives its start', () => {
    expect(bodyHeadText(gzipSync(text), 'gzip')).toBe(text.slice(0, 4096));
    expect(bodyHeadText(deflateSync(text), 'deflate')).toBe(text.slice(0, 4096));
    expect(bodyHeadText(deflateRawSync(text), 'deflate')).toBe(text.slice(0, 4096));
    expect(bodyHeadText(brotliCompressSync(gzipSync(text)), 'gzip, br')).toBe(text.slice(0, 4096));
    const cut = gzipSync(text, { level: 0 }).subarray(0, 200);
    expect(bodyHeadText(cut, 'gzip')).toMatch(/^No required SSL certificate was sent/);
  });
  it('identity passes through; an unknown coding or garbage gives nothing rather than noise', () => {
    expect(bodyHeadText(Buffer.from('plain'), undefined)).toBe('plain');
    expect(bodyHeadText(Buffer.from('plain'), 'identity')).toBe('plain');
    expect(bodyHeadText(Buffer.from('\x28\xb5\x2f\xfd'), 'zstd')).toBe('');
    expect(bodyHeadText(Buffer.from('not gzip at all'), 'gzip')).toBe('');
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
