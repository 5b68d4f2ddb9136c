// Real TLS stacks through the real proxy: curl (OpenSSL), Node's TLS, JDK 17
// HttpsURLConnection, wget (GnuTLS) and headless Chromium (BoringSSL, CA in an NSS db).
// Each stack's fingerprint is present, stable and its own; the false "pinned" verdicts of
// issue 8 now come out as SPEC says (likely-pinned / inconclusive), and a Firefox-style
// encrypted alert after a TLS 1.2 handshake is recorded with its alert.
//
// Clients whose evidence must not mix use their own loopback source address (curl
// --interface, wget --bind-address, Node localAddress); Chromium and Java cannot choose
// theirs and share 127.0.0.1, which is the point of the "different TLS client" case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { judge } from '../../../proxy/judge/index.js';
import { tlsStackOf } from '../../../proxy/judge/tls-stacks.js';
import type { HostVerdict } from '../../../proxy/judge/report-types.js';
import type { ClientTlsEvent, SessionLine } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { curl } from '../../helpers/run.js';
import { chromium, chromiumProfile, javaFetch, wget, type ChromiumProfile } from '../../helpers/stacks.js';
import { tls12AlertAfterHandshake } from '../../helpers/tls12-alert.js';

/** A Node TLS client through a CONNECT tunnel (default trust unless `ca`); resolves how it ended. */
async function nodeClient(proxyPort: number, host: string, opts: { ca?: string; localAddress?: string }): Promise<string> {
  const socket = await new Promise<net.Socket>((ok, fail) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: `${host}:443`, localAddress: opts.localAddress });
    req.once('connect', (res, s) => (res.statusCode === 200 ? ok(s) : fail(new Error(`CONNECT answered ${res.statusCode}`))));
    req.once('error', fail);
    req.end();
  });
  return new Promise((resolve) => {
    const t = tls.connect({ socket, servername: host, ...(opts.ca ? { ca: opts.ca } : {}) });
    t.once('secureConnect', () => {
      t.end(`GET /node HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      let body = '';
      t.on('data', (c: Buffer) => (body += c.toString()));
      t.once('end', () => resolve(body));
    });
    t.once('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
  });
}

describe('real TLS stacks through the proxy', () => {
  let origin: Origin;
  let proxy: TestEngine;
  let caPem: string;
  let trusting: ChromiumProfile;
  const hosts = ['curl.app.test', 'node.app.test', 'java.app.test', 'wget.app.test', 'chromium.app.test',
    'fp-a.app.test', 'fp-b.app.test', 'chrome-ok.app.test', 'java-app.app.test', 'wget-noca.app.test', 'node-noca.app.test', 'firefox12.app.test'];

  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startEngine({ scenario: 'trusted', mapRemote: hosts.map((h) => ({ from: h, to: `127.0.0.1:${origin.port}` })) });
    caPem = readFileSync(proxy.caPath, 'utf8');
    trusting = await chromiumProfile(proxy.caPath);
  }, 60_000);
  afterAll(async () => {
    trusting?.close();
    await proxy?.close();
    await origin?.close();
  });

  const tlsOf = (host: string): ClientTlsEvent[] =>
    proxy.engine.lines().filter((l: SessionLine): l is ClientTlsEvent => l.type === 'client-tls' && l.host === host);
  const until = async (host: string, n: number): Promise<ClientTlsEvent[]> => {
    for (let i = 0; i < 200 && tlsOf(host).length < n; i++) await new Promise((ok) => setTimeout(ok, 50));
    return tlsOf(host);
  };
  const verdict = (host: string): HostVerdict => {
    const found = judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === host);
    if (!found) throw new Error(`no verdict for ${host}`);
    return found;
  };

  it('records a fingerprint for every stack: present, stable over two connections, different between stacks, and named', async () => {
    const clients: Record<string, (host: string) => Promise<unknown>> = {
      // Own addresses, so 127.0.0.1 holds only Chromium and Java (see the Java case below).
      curl: (h) => curl(proxy.proxyUrl, `https://${h}/`, ['--interface', '127.0.0.25', '--cacert', proxy.caPath]),
      node: (h) => nodeClient(proxy.port, h, { ca: caPem, localAddress: '127.0.0.26' }),
      java: (h) => javaFetch(proxy.port, `https://${h}/`),
      wget: (h) => wget(proxy.port, `https://${h}/`, { ca: proxy.caPath, bind: '127.0.0.27' }),
      chromium: (h) => chromium(trusting, proxy.port, `https://${h}/`),
    };
    const names: Record<string, string> = { curl: 'curl/OpenSSL', node: 'Node', java: 'Java', wget: 'GnuTLS', chromium: 'Chromium/BoringSSL' };
    const ja4s: Record<string, string> = {};
    for (const [stack, go] of Object.entries(clients)) {
      const host = `${stack}.app.test`;
      await go(host);
      await go(host);
      const events = await until(host, 2);
      expect(events.length, `${stack} connections`).toBeGreaterThanOrEqual(2);
      const prints = events.map((e) => e.fingerprint);
      for (const p of prints) {
        expect(p?.ja4, stack).toMatch(/^t1[23][di]\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/);
        expect(p?.ja3, stack).toMatch(/^[0-9a-f]{32}$/);
      }
      // Stable: protocol, version, SNI, cipher count and cipher hash never move. A resumed
      // handshake (Chromium retries under load with its ticket) adds the pre_shared_key
      // extension, which JA4 counts, so the extension part may differ on such a connection.
      const core = (ja4: string | undefined) => `${ja4?.slice(0, 6)}_${ja4?.split('_')[1]}`;
      expect(new Set(prints.map((p) => core(p?.ja4))).size, `${stack} JA4 is stable`).toBe(1);
      if (stack !== 'chromium') expect(new Set(prints.map((p) => p?.ja4)).size, `${stack} JA4 is stable`).toBe(1);
      ja4s[stack] = prints[0]?.ja4 ?? '';
      expect(tlsStackOf(ja4s[stack]), stack).toBe(names[stack]);
      expect(verdict(host).fingerprints).toContain(ja4s[stack]);
    }
    expect(new Set(Object.values(ja4s)).size).toBe(Object.keys(clients).length);
    // What each stack did with Pinprobe's CA (Java trusts only its own store).
    expect(tlsOf('curl.app.test')[0]?.result).toBe('accepted');
    // Chromium speaks h2 through Pinprobe: of its pre-opened connections it keeps one and
    // closes the spare right after the handshake (which of them finishes first varies).
    expect(tlsOf('chromium.app.test').some((e) => e.result === 'accepted' && e.alpn === 'h2')).toBe(true);
    expect(verdict('chromium.app.test').pinning).toBe('not-pinned');
    expect(tlsOf('java.app.test')[0]).toMatchObject({ result: 'rejected', stage: 'handshake', alert: 'certificate_unknown' });
  }, 180_000);

  it('curl without the CA after curl with it on the same address: likely-pinned (same TLS client), not pinned', async () => {
    expect((await curl(proxy.proxyUrl, 'https://fp-a.app.test/', ['--interface', '127.0.0.21', '--cacert', proxy.caPath])).code).toBe(0);
    expect((await curl(proxy.proxyUrl, 'https://fp-b.app.test/', ['--interface', '127.0.0.21'])).code).toBe(60);
    await until('fp-b.app.test', 1);
    const v = verdict('fp-b.app.test');
    expect(v.pinning).toBe('likely-pinned');
    expect(v.pinningEvidence).toBe('same-client-trusted-elsewhere');
    expect(v.pinningReason).toContain('fp-a.app.test:443');
    expect(v.pinningReason).toContain('To settle it');
  }, 60_000);

  it('Java on the system store after Chromium (CA in its NSS db) was accepted on the same address: inconclusive, naming both clients', async () => {
    await chromium(trusting, proxy.port, 'https://chrome-ok.app.test/');
    const r = await javaFetch(proxy.port, 'https://java-app.app.test/');
    expect(r.stdout).toMatch(/failed javax\.net\.ssl\.SSLHandshakeException/);
    await until('java-app.app.test', 1);
    // Of Chromium's pre-opened connections the one it does not keep may close first (as above).
    expect(tlsOf('chrome-ok.app.test').some((e) => e.result === 'accepted')).toBe(true);
    const v = verdict('java-app.app.test');
    expect(v.pinning).toBe('inconclusive');
    expect(v.pinningEvidence).toBeNull();
    expect(v.pinningReason).toMatch(/Another TLS client on 127\.0\.0\.1 \(Chromium\/BoringSSL \(JA4 t13d\d{4}h2_8daaf6152771_/);
    expect(v.pinningReason).toMatch(/this client \(Java \(JA4 t13/);
  }, 120_000);

  it('wget (GnuTLS) and Node without the CA finish the handshake and close: inconclusive, not pinned', async () => {
    const w = await wget(proxy.port, 'https://wget-noca.app.test/', { bind: '127.0.0.22' });
    expect(w.code).not.toBe(0);
    const n = await nodeClient(proxy.port, 'node-noca.app.test', { localAddress: '127.0.0.23' });
    expect(n).toMatch(/^error /);
    for (const host of ['wget-noca.app.test', 'node-noca.app.test']) {
      const [event] = await until(host, 1);
      expect(event, host).toMatchObject({ scenario: 'trusted', result: 'rejected', stage: 'after-handshake' });
      const v = verdict(host);
      expect(v.pinning, host).toBe('inconclusive');
      expect(v.pinningReason, host).toMatch(/GnuTLS, Node and Firefox on TLS 1\.2/);
    }
  }, 60_000);

  it('a Firefox-style refusal on TLS 1.2 (encrypted bad_certificate alert after Finished) is recorded with its alert', async () => {
    const r = await tls12AlertAfterHandshake(proxy.port, 'firefox12.app.test', { localAddress: '127.0.0.24' });
    expect(r.secure).toBe(false); // it did not trust the chain, and said so after the handshake
    const [event] = await until('firefox12.app.test', 1);
    expect(event).toMatchObject({ tlsVersion: 'TLSv1.2', result: 'rejected', stage: 'after-handshake', alert: 'bad_certificate', alertCode: 42 });
    expect(verdict('firefox12.app.test')).toMatchObject({
      pinning: 'inconclusive', client: { trusted: { result: 'rejected', stage: 'after-handshake', alert: 'bad_certificate', connections: 1 } },
    });
  }, 30_000);
});

describe('declared device trust and stage contrast with real clients', () => {
  let origin: Origin;
  beforeAll(async () => {
    origin = await startOrigin();
  });
  afterAll(async () => {
    await origin?.close();
  });

  it('--device-trusts-ca turns a handshake refusal into pinned (device-trusts-ca), and withdrawing it re-judges', async () => {
    const proxy = await startEngine({ scenario: 'trusted', deviceTrustsCa: ['127.0.0.31'], mapRemote: [{ from: 'dev.app.test', to: `127.0.0.1:${origin.port}` }] });
    try {
      expect(proxy.engine.lines().filter((l) => l.type === 'device-trust')).toEqual([
        expect.objectContaining({ device: '127.0.0.31', trustsCa: true, source: 'option' }),
      ]);
      expect((await curl(proxy.proxyUrl, 'https://dev.app.test/', ['--interface', '127.0.0.31'])).code).toBe(60);
      await proxy.waitFor((l) => l.type === 'client-tls' && l.host === 'dev.app.test', 8000);
      const v = () => judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === 'dev.app.test');
      expect(v()).toMatchObject({ pinning: 'pinned', pinningEvidence: 'device-trusts-ca' });
      await proxy.engine.updateSettings({ deviceTrustsCa: [] });
      expect(proxy.engine.lines().filter((l) => l.type === 'device-trust').at(-1)).toMatchObject({ device: '127.0.0.31', trustsCa: false, source: 'ui' });
      expect(v()?.pinning).toBe('inconclusive');
    } finally {
      await proxy.close();
    }
  }, 30_000);

  it('wget in audit rotation refuses untrusted-root after the handshake too: no stage contrast, still inconclusive', async () => {
    const proxy = await startEngine({ mapRemote: [{ from: 'wget-rot.app.test', to: `127.0.0.1:${origin.port}` }] });
    try {
      await wget(proxy.port, 'https://wget-rot.app.test/', { bind: '127.0.0.32' });
      await proxy.waitFor((l) => l.type === 'client-tls' && l.host === 'wget-rot.app.test', 8000);
      await wget(proxy.port, 'https://wget-rot.app.test/', { bind: '127.0.0.32' });
      await proxy.waitFor((l) => l.type === 'passthrough' && l.host === 'wget-rot.app.test', 8000);
      const tlsLines = proxy.engine.lines().filter((l): l is ClientTlsEvent => l.type === 'client-tls' && l.host === 'wget-rot.app.test');
      expect(tlsLines.map((t) => [t.scenario, t.result, t.stage])).toEqual([
        ['trusted', 'rejected', 'after-handshake'], ['untrusted-root', 'rejected', 'after-handshake'],
      ]);
      const v = judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === 'wget-rot.app.test');
      expect(v).toMatchObject({ pinning: 'inconclusive', pinningEvidence: null, passthrough: true });
    } finally {
      await proxy.close();
    }
  }, 30_000);
});
