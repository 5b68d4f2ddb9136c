// Real curl and openssl clients through the real proxy to a real HTTPS origin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { judge } from '../../../proxy/judge/index.js';
import type { ClientTlsEvent, ConnectionEvent, RequestEvent, ResponseEvent, SessionLine } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { testPki } from '../../helpers/pki.js';
import { curl, run } from '../../helpers/run.js';

const isTls = (id: string) => (l: SessionLine): l is ClientTlsEvent => l.type === 'client-tls' && l.id === id;

describe('engine with curl and openssl', () => {
  let origin: Origin;
  let proxy: TestEngine;
  const hosts = ['plain.app.test', 'pinned.app.test', 'noca.app.test', 'silent.app.test', 'ws.app.test', 'post.app.test'];

  beforeAll(async () => {
    origin = await startOrigin((req, res) => {
      if (req.method === 'POST') {
        let n = 0;
        req.on('data', (c: Buffer) => (n += c.length));
        req.on('end', () => res.end(`received ${n} bytes\n`));
        return;
      }
      res.end(`origin says hi to ${req.url}\n`);
    });
    proxy = await startEngine({
      scenario: 'trusted',
      mapRemote: hosts.map((h) => ({ from: h, to: `127.0.0.1:${origin.port}` })),
    });
  });
  afterAll(async () => {
    await proxy.close();
    await origin.close();
  });

  const connIdFor = async (host: string): Promise<string> => {
    const conn = (await proxy.waitFor((l) => l.type === 'connection' && l.target.host === host)) as ConnectionEvent;
    return conn.id;
  };

  it('relays a request when the client trusts the exported CA, recording request and response', async () => {
    const r = await curl(proxy.proxyUrl, 'https://plain.app.test/hello?x=1', ['--cacert', proxy.caPath]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('origin says hi to /hello?x=1\n');
    const id = await connIdFor('plain.app.test');
    const outcome = await proxy.waitFor(isTls(id));
    expect(outcome).toMatchObject({ result: 'accepted', scenario: 'trusted', sni: 'plain.app.test', stage: null });
    const req = (await proxy.waitFor((l) => l.type === 'request' && l.conn === id)) as RequestEvent;
    expect(req.url).toBe('https://plain.app.test/hello?x=1');
    const res = (await proxy.waitFor((l) => l.type === 'response' && l.id === req.id)) as ResponseEvent;
    expect(res.status).toBe(200);
    expect(res.body.data).toBe('origin says hi to /hello?x=1\n');
    const report = judge(proxy.engine.lines(), { file: 'live' });
    expect(report.hosts.find((h) => h.host === 'plain.app.test')?.pinning).toBe('not-pinned');
  });

  it('streams a POST body upstream and records its true size', async () => {
    const body = 'x'.repeat(300_000);
    const r = await run('curl', ['-sS', '--proxy', proxy.proxyUrl, '--cacert', proxy.caPath, '--data-binary', '@-', 'https://post.app.test/upload'], { input: body });
    expect(r.stdout).toBe('received 300000 bytes\n');
    const req = (await proxy.waitFor((l) => l.type === 'request' && l.host === 'post.app.test')) as RequestEvent;
    expect(req.body.size).toBe(300_000);
    // In memory (for the UI) the body is cut to 64 KiB; the session file keeps all of it (cap 1 MiB).
    expect(req.body.data.length).toBe(64 * 1024);
    expect(req.body.truncated).toBe(true);
    const { readSession } = await import('../../../proxy/session/reader.js');
    const fromFile = (await readSession(proxy.engine.sessionFile)).events.find((e) => e.type === 'request' && e.id === req.id) as RequestEvent;
    expect(fromFile.body.data).toBe(body);
    expect(fromFile.body.truncated).toBe(false);
  });

  it('records curl --pinnedpubkey as rejected after the handshake; with --scenario trusted the only evidence is the same client elsewhere: likely-pinned', async () => {
    const r = await curl(proxy.proxyUrl, 'https://pinned.app.test/', ['--cacert', proxy.caPath, '--pinnedpubkey', `sha256//${testPki().serverPubkeySha256}`]);
    expect(r.code).toBe(90);
    const id = await connIdFor('pinned.app.test');
    const outcome = await proxy.waitFor(isTls(id));
    expect(outcome).toMatchObject({ result: 'rejected', stage: 'after-handshake', scenario: 'trusted' });
    const host = judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === 'pinned.app.test');
    // The same curl (address + JA4) accepted trusted for plain.app.test; no untrusted-root
    // contrast is possible under a forced scenario, so it is likely, not proven (SPEC "Pinning").
    expect(host?.pinning).toBe('likely-pinned');
    expect(host?.pinningEvidence).toBe('same-client-trusted-elsewhere');
    expect(outcome.fingerprint?.ja4).toMatch(/^t13d\d{4}h[12]_e8f1e7e78f70_/);
  });

  it('records curl without the CA as rejected in the handshake with unknown_ca; pinning stays inconclusive', async () => {
    const r = await curl(proxy.proxyUrl, 'https://noca.app.test/');
    expect(r.code).toBe(60);
    const id = await connIdFor('noca.app.test');
    const outcome = await proxy.waitFor(isTls(id));
    expect(outcome).toMatchObject({ result: 'rejected', stage: 'handshake', alert: 'unknown_ca', alertCode: 48 });
    // The trusted acceptance for plain.app.test came from this same client address, so the
    // judge has evidence the device trusts the CA: that makes it "pinned". Judged alone
    // (only this host's lines), there is no such evidence.
    const alone = proxy.engine.lines().filter((l) => l.type === 'session' || ('id' in l && l.id === id) || (l.type === 'connection' && l.id === id));
    const host = judge(alone, { file: 'live' }).hosts.find((h) => h.host === 'noca.app.test');
    expect(host?.pinning).toBe('inconclusive');
    expect(host?.pinningReason).toMatch(/handshake/);
  });

  it('records an openssl s_client that sends nothing and closes as rejected after the handshake', async () => {
    const r = await run('openssl', ['s_client', '-proxy', `127.0.0.1:${proxy.port}`, '-connect', 'silent.app.test:443', '-servername', 'silent.app.test', '-CAfile', proxy.caPath], { input: '' });
    expect(r.stdout).toContain('BEGIN CERTIFICATE');
    const id = await connIdFor('silent.app.test');
    const outcome = await proxy.waitFor(isTls(id));
    expect(outcome).toMatchObject({ result: 'rejected', stage: 'after-handshake', alert: null });
  });

  it('issues an IP-SAN leaf to a client that connects by address (no SNI) and the client accepts it', async () => {
    const r = await curl(proxy.proxyUrl, `https://127.0.0.1:${origin.port}/by-ip`, ['--cacert', proxy.caPath]);
    expect(r.stdout).toBe('origin says hi to /by-ip\n');
    const id = await connIdFor('127.0.0.1');
    const outcome = await proxy.waitFor(isTls(id));
    expect(outcome).toMatchObject({ result: 'accepted', sni: null, host: '127.0.0.1' });
    const leaf = await proxy.engine.issuer.certificate('127.0.0.1', 'trusted');
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('answers 502 at once, naming the host and reason, when the backend cannot be reached', async () => {
    const started = Date.now();
    const r = await curl(proxy.proxyUrl, 'https://127.0.0.1:9/', ['--cacert', proxy.caPath, '-w', '%{http_code}']);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.stdout).toMatch(/could not connect to 127\.0\.0\.1:9 .*ECONNREFUSED/);
    expect(r.stdout).toMatch(/502$/);
  });

  it('answers 502 naming the host when the backend certificate is not trusted', async () => {
    const strict = await startEngine({ upstreamCa: [], scenario: 'trusted', mapRemote: [{ from: 'strict.app.test', to: `127.0.0.1:${origin.port}` }] });
    try {
      const r = await curl(strict.proxyUrl, 'https://strict.app.test/', ['--cacert', strict.caPath, '-w', '%{http_code}']);
      expect(r.stdout).toMatch(/strict\.app\.test:443 is not trusted/);
      expect(r.stdout).toMatch(/--upstream-ca/);
      expect(r.stdout).toMatch(/502$/);
    } finally {
      await strict.close();
    }
  });

  it('refuses to proxy to its own listener', async () => {
    const r = await curl(proxy.proxyUrl, `http://127.0.0.1:${proxy.port}/x`, ['-w', '%{http_code}', '-o', '/dev/null']);
    expect(r.stdout).toBe('403');
    const c = await run('curl', ['-sS', '--proxy', proxy.proxyUrl, '-k', `https://localhost:${proxy.port}/`]);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toMatch(/403|CONNECT/);
  });

  it('records cleartext HTTP through the proxy', async () => {
    const http = await import('node:http');
    const server = http.createServer((_q, s) => s.end('plain ok\n'));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as import('node:net').AddressInfo).port;
    try {
      const r = await curl(proxy.proxyUrl, `http://127.0.0.1:${port}/clear`);
      expect(r.stdout).toBe('plain ok\n');
      await proxy.waitFor((l) => l.type === 'response' && l.status === 200 && l.body.data === 'plain ok\n');
      const host = judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.port === port);
      expect(host?.cleartext).toBe(true);
    } finally {
      server.close();
    }
  });
});
