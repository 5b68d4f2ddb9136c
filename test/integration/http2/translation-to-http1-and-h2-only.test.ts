// HTTP/2 on one side, HTTP/1.1 on the other (issue 11): an h2 client reaching an
// HTTP/1.1-only backend (Debian's nginx, a Node https origin with chunked trailers), an
// HTTP/1.1 client reaching an h2-only backend, and client certificates / the mTLS probe
// against an h2-only backend that demands one.
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge } from '../../../proxy/judge/index.js';
import type { RequestEvent, ResponseEvent, SessionLine, UpstreamEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { h2Get, h2ThroughProxy, startH2Origin, type H2Origin } from '../../helpers/h2.js';
import { nginxAvailable, startNginx } from '../../helpers/nginx.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { testPki } from '../../helpers/pki.js';
import { curl } from '../../helpers/run.js';
import type { RunningServer } from '../../helpers/tls-servers.js';

let nginx: RunningServer;
let h1: Origin;
let h2only: H2Origin;
let h2mtls: H2Origin;
let proxy: TestEngine;
let ca: string;
const pki = testPki();

beforeAll(async () => {
  nginxAvailable();
  nginx = await startNginx({ verifyClient: 'off' });
  h1 = await startOrigin((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'text/plain');
      res.setHeader('trailer', 'x-digest');
      res.write(`h1 origin: ${req.method} ${req.url} host=${req.headers.host} body=${Buffer.concat(chunks).toString()} `);
      res.addTrailers({ 'x-digest': 'd1' });
      res.end(`req-trailer=${req.trailers['x-sum'] ?? '-'}\n`);
    });
  });
  h2only = await startH2Origin((stream, headers) => {
    let body = '';
    stream.on('data', (c: Buffer) => (body += c.toString()));
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'text/plain' });
      stream.end(`h2-only origin: ${String(headers[':method'])} ${String(headers[':path'])}${body ? ` body=${body}` : ''}\n`);
    });
  });
  h2mtls = await startH2Origin(
    (stream) => {
      const peer = (stream.session?.socket as unknown as { getPeerCertificate(): { subject?: { CN?: string } } }).getPeerCertificate();
      stream.respond({ ':status': 200 });
      stream.end(`hello ${peer.subject?.CN ?? 'nobody'}\n`);
    },
    { requestCert: true, rejectUnauthorized: true, ca: pki.clientCaCert, maxVersion: 'TLSv1.2' },
  );
  proxy = await startEngine({
    scenario: 'trusted',
    mapRemote: [{ from: 'grpc-mtls.app.test', to: `127.0.0.1:${h2mtls.port}` }],
    clientCerts: [{ host: 'grpc-mtls.app.test', cert: pki.clientCertPath, key: pki.clientKeyPath }],
  });
  ca = readFileSync(proxy.caPath, 'utf8');
});
afterAll(async () => {
  await proxy?.close();
  await Promise.all([nginx?.close(), h1?.close(), h2only?.close(), h2mtls?.close()]);
});

const isRequest = (l: SessionLine): l is RequestEvent => l.type === 'request';
const isResponse = (l: SessionLine): l is ResponseEvent => l.type === 'response';
const responseTo = (suffix: string) =>
  proxy.waitFor((l): l is RequestEvent => isRequest(l) && l.url.endsWith(suffix)).then((req) =>
    proxy.waitFor((l): l is ResponseEvent => isResponse(l) && l.id === req.id).then((res) => ({ req, res })),
  );

describe('h2 client, HTTP/1.1-only backend', () => {
  it('curl --http2 to nginx (no h2 there): HTTP/2 to the client, nginx answers over HTTP/1.1', async () => {
    const r = await curl(proxy.proxyUrl, `https://localhost:${nginx.port}/`, ['--http2', '--cacert', proxy.caPath, '-w', '%{http_version}']);
    expect(r.stdout).toBe('ok\n2');
    const { req, res } = await responseTo(`:${nginx.port}/`);
    expect(req.httpVersion).toBe('2');
    expect(res).toMatchObject({ status: 200, httpVersion: '1.1' });
    expect(res.headers[0]).toEqual([':status', '200']);
    expect(res.headers).toContainEqual(['Server', expect.stringMatching(/^nginx/)]);
  });

  it('translates body, Host and trailers both ways (the h1 answer is chunked)', async () => {
    const session = await h2ThroughProxy(proxy.port, `localhost:${h1.port}`, ca);
    const a = await new Promise<{ body: string; trailers: http2.IncomingHttpHeaders | null }>((ok, fail) => {
      const req = session.request({ ':method': 'POST', ':path': '/t?q=1', 'content-type': 'text/plain' }, { waitForTrailers: true });
      let body = '';
      let trailers: http2.IncomingHttpHeaders | null = null;
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('trailers', (t) => (trailers = t));
      req.on('end', () => ok({ body, trailers }));
      req.on('error', fail);
      req.once('wantTrailers', () => req.sendTrailers({ 'x-sum': 's42' }));
      req.end('payload');
    });
    session.close();
    expect(a.body).toBe(`h1 origin: POST /t?q=1 host=localhost:${h1.port} body=payload req-trailer=s42\n`);
    expect(a.trailers?.['x-digest']).toBe('d1');
    const { req, res } = await responseTo('/t?q=1');
    expect(req.trailers).toEqual([['x-sum', 's42']]);
    expect(res.trailers).toEqual([['x-digest', 'd1']]);
  });
});

describe('HTTP/1.1 client, h2-only backend', () => {
  it('is answered: Pinprobe speaks h2 to the backend', async () => {
    const r = await curl(proxy.proxyUrl, `https://localhost:${h2only.port}/from-h1`, ['--http1.1', '--cacert', proxy.caPath, '-w', '%{http_version}']);
    expect(r.stdout).toBe('h2-only origin: GET /from-h1\n1.1');
    const { req, res } = await responseTo('/from-h1');
    expect(req.httpVersion).toBe('1.1');
    expect(res).toMatchObject({ status: 200, httpVersion: '2' });
    // The ALPN refusal that told us so is not an mTLS refusal.
    const ups = proxy.engine.lines().filter((l): l is UpstreamEvent => l.type === 'upstream' && l.port === h2only.port);
    expect(ups.map((u) => u.outcome)).toEqual(['answered']);
  });

  it('later requests, bodies included, go straight over h2', async () => {
    const r = await curl(proxy.proxyUrl, `https://localhost:${h2only.port}/post`, ['--http1.1', '--cacert', proxy.caPath, '--data-binary', 'abc']);
    expect(r.stdout).toBe('h2-only origin: POST /post body=abc\n');
    const { req } = await responseTo('/post');
    expect(req.body.data).toBe('abc');
  });

  it('a settings change drops the shared h2 session: no longer trusting the backend, the next request is a 502', async () => {
    await proxy.engine.updateSettings({ upstreamCa: [] });
    try {
      const r = await curl(proxy.proxyUrl, `https://localhost:${h2only.port}/after-change`, ['--http1.1', '--cacert', proxy.caPath, '-w', '%{http_code}']);
      expect(r.stdout).toMatch(/502$/);
      expect(r.stdout).not.toContain('h2-only origin');
    } finally {
      await proxy.engine.updateSettings({ upstreamCa: [pki.caCertPath] });
    }
  });
});

describe('client certificates and the mTLS probe with an h2-only backend', () => {
  it('the h2 client gets the answer made with the configured certificate; the probe without one is refused: enforced', async () => {
    const session = await h2ThroughProxy(proxy.port, 'grpc-mtls.app.test:443', ca);
    const a = await h2Get(session, '/me');
    session.close();
    expect(a.body.toString()).toBe('hello test-device-001\n');
    expect(a.status).toBe(200);
    await proxy.waitFor((l) => l.type === 'upstream' && l.host === 'grpc-mtls.app.test' && l.probe);
    const host = judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === 'grpc-mtls.app.test');
    expect(host?.mtls).toMatchObject({ verdict: 'enforced', withCert: 'accepted' });
    expect(host?.mtls.evidence).toMatch(/^tls-alert:/);
  });
});
