// Audit rotation (no --scenario) with real clients: the per-host order of scenarios, the
// verdicts it leads to, automatic passthrough after a pinning client refuses `trusted`
// (and not with autoPassthrough off), and TLS session resumption never skipping a scenario.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { judge } from '../../../proxy/judge/index.js';
import type { ClientTlsEvent, ConnectionEvent, PassthroughEvent, SessionLine } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { testPki } from '../../helpers/pki.js';
import { curl } from '../../helpers/run.js';

const tlsFor = (lines: readonly SessionLine[], host: string) => lines.filter((l): l is ClientTlsEvent => l.type === 'client-tls' && l.host === host);
const connsFor = (lines: readonly SessionLine[], host: string) => lines.filter((l): l is ConnectionEvent => l.type === 'connection' && l.target.host === host);

async function until(cond: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Seen {
  secure: boolean;
  reused: boolean;
  issuer: string | null;
  subject: string | null;
  session: Buffer | null;
  error: string | null;
}

/** One Node TLS connection through a CONNECT tunnel: request /, keep the session ticket. */
async function nodeConnect(proxy: TestEngine, host: string, opts: tls.ConnectionOptions): Promise<Seen> {
  const socket = await new Promise<net.Socket>((ok, fail) => {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: `${host}:443` });
    req.once('connect', (res, s) => (res.statusCode === 200 ? ok(s) : fail(new Error(`CONNECT answered ${res.statusCode}`))));
    req.once('error', fail);
    req.end();
  });
  return new Promise<Seen>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`node client to ${host} did not finish within 8 s`)), 8000);
    let session: Buffer | null = null;
    const t = tls.connect({ socket, servername: host, ...opts });
    t.on('session', (s: Buffer) => (session = s));
    t.once('secureConnect', () => {
      const cert = t.getPeerCertificate();
      const reused = t.isSessionReused();
      t.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      t.on('data', () => undefined);
      t.once('end', () => {
        clearTimeout(timer);
        ok({ secure: true, reused, issuer: cert.issuer?.CN ?? null, subject: cert.subject?.CN ?? null, session, error: null });
      });
    });
    t.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      ok({ secure: false, reused: false, issuer: null, subject: null, session: null, error: err.code ?? err.message });
    });
  });
}

describe('audit rotation with real clients', () => {
  let origin: Origin;
  let proxy: TestEngine;
  const pki = testPki();
  const pin = ['--pinnedpubkey', `sha256//${pki.serverPubkeySha256}`];
  const hosts = ['rotate.app.test', 'pinning.app.test', 'resume.app.test', 'resume-insecure.app.test', 'noca-rotation.app.test'];

  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startEngine({ mapRemote: hosts.map((h) => ({ from: h, to: `127.0.0.1:${origin.port}` })) });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('gives one host trusted, the four bad certificates, then trusted again; a validating client gets validation ok, not pinned', async () => {
    const codes: Array<number | null> = [];
    for (let i = 0; i < 6; i++) codes.push((await curl(proxy.proxyUrl, 'https://rotate.app.test/', ['--cacert', proxy.caPath])).code);
    expect(codes).toEqual([0, 60, 60, 60, 60, 0]);
    await until(() => tlsFor(proxy.engine.lines(), 'rotate.app.test').length === 6);
    const lines = proxy.engine.lines();
    expect(connsFor(lines, 'rotate.app.test').map((c) => [c.mode, c.scenario])).toEqual([
      ['intercept', 'trusted'], ['intercept', 'self-signed'], ['intercept', 'wrong-host'],
      ['intercept', 'expired'], ['intercept', 'untrusted-root'], ['intercept', 'trusted'],
    ]);
    expect(tlsFor(lines, 'rotate.app.test').map((e) => [e.scenario, e.result, e.stage, e.alert])).toEqual([
      ['trusted', 'accepted', null, null],
      ['self-signed', 'rejected', 'handshake', 'unknown_ca'],
      ['wrong-host', 'rejected', 'after-handshake', null],
      ['expired', 'rejected', 'handshake', 'certificate_expired'],
      ['untrusted-root', 'rejected', 'handshake', 'unknown_ca'],
      ['trusted', 'accepted', null, null],
    ]);
    const host = judge(lines, { file: 'live' }).hosts.find((h) => h.host === 'rotate.app.test');
    expect(host?.client).toEqual({
      trusted: { result: 'accepted', stage: null, alert: null, connections: 2 },
      'self-signed': { result: 'rejected', stage: 'handshake', alert: 'unknown_ca', connections: 1 },
      'wrong-host': { result: 'rejected', stage: 'after-handshake', alert: null, connections: 1 },
      expired: { result: 'rejected', stage: 'handshake', alert: 'certificate_expired', connections: 1 },
      'untrusted-root': { result: 'rejected', stage: 'handshake', alert: 'unknown_ca', connections: 1 },
    });
    expect(host?.validation).toBe('ok');
    expect(host?.pinning).toBe('not-pinned');
    expect(host?.passthrough).toBeUndefined();
    expect(lines.some((l) => l.type === 'passthrough' && l.host === 'rotate.app.test')).toBe(false);
  });

  it('after a refusal past the handshake, shows untrusted-root once (stage contrast: pinned), then tunnels the host so the client sees the real origin', async () => {
    const first = await curl(proxy.proxyUrl, 'https://pinning.app.test/', ['--cacert', proxy.caPath, ...pin]);
    expect(first.code).toBe(90);
    await proxy.waitFor((l) => l.type === 'client-tls' && l.host === 'pinning.app.test', 8000);
    // Not tunnelled yet: a close after the handshake is how GnuTLS or Node refuse an untrusted
    // chain too, so the next connection gets untrusted-root to see where this stack refuses.
    expect(proxy.engine.lines().some((l) => l.type === 'passthrough' && l.host === 'pinning.app.test')).toBe(false);
    const contrast = await curl(proxy.proxyUrl, 'https://pinning.app.test/', ['--cacert', proxy.caPath, ...pin]);
    expect(contrast.code).toBe(60);
    await until(() => tlsFor(proxy.engine.lines(), 'pinning.app.test').length === 2);
    expect(tlsFor(proxy.engine.lines(), 'pinning.app.test').map((t) => [t.scenario, t.result, t.stage, t.alert])).toEqual([
      ['trusted', 'rejected', 'after-handshake', null], ['untrusted-root', 'rejected', 'handshake', 'unknown_ca'],
    ]);
    const passthrough = (await proxy.waitFor((l) => l.type === 'passthrough' && l.host === 'pinning.app.test', 8000)) as PassthroughEvent;
    expect(passthrough).toMatchObject({ port: 443, reason: 'auto' });
    expect(passthrough.detail).toMatch(/after the handshake, untrusted-root then rejected \(handshake, unknown_ca\)/);

    // Through the tunnel the client talks to the origin itself: only the origin's own CA
    // validates it, and the pin matches.
    const second = await curl(proxy.proxyUrl, 'https://pinning.app.test/through', ['--cacert', pki.caCertPath, ...pin]);
    expect(second.stderr).toBe('');
    expect(second.stdout).toBe('origin says hi to /through\n');
    const conns = connsFor(proxy.engine.lines(), 'pinning.app.test');
    expect(conns.map((c) => [c.mode, c.scenario, c.tunnelReason])).toEqual([
      ['intercept', 'trusted', null], ['intercept', 'untrusted-root', null], ['tunnel', null, 'auto'],
    ]);
    // Pinprobe's CA no longer works there: the certificate is not Pinprobe's.
    const third = await curl(proxy.proxyUrl, 'https://pinning.app.test/', ['--cacert', proxy.caPath]);
    expect(third.code).toBe(60);
    expect(tlsFor(proxy.engine.lines(), 'pinning.app.test')).toHaveLength(2);

    const host = judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === 'pinning.app.test');
    expect(host).toMatchObject({ pinning: 'pinned', pinningEvidence: 'stage-contrast', passthrough: true, validation: 'partial' });
  });

  it('tunnels at once after a refusal inside the handshake (no contrast to gain)', async () => {
    const first = await curl(proxy.proxyUrl, 'https://noca-rotation.app.test/', []);
    expect(first.code).toBe(60);
    const passthrough = (await proxy.waitFor((l) => l.type === 'passthrough' && l.host === 'noca-rotation.app.test', 8000)) as PassthroughEvent;
    expect(passthrough.detail).toMatch(/handshake, unknown_ca/);
    expect(connsFor(proxy.engine.lines(), 'noca-rotation.app.test').map((c) => c.scenario)).toEqual(['trusted']);
  });

  it('keeps intercepting with the next scenario when autoPassthrough is off', async () => {
    const strict = await startEngine({ autoPassthrough: false, mapRemote: [{ from: 'pinning.app.test', to: `127.0.0.1:${origin.port}` }] });
    try {
      expect((await curl(strict.proxyUrl, 'https://pinning.app.test/', ['--cacert', strict.caPath, ...pin])).code).toBe(90);
      await strict.waitFor((l) => l.type === 'client-tls' && l.host === 'pinning.app.test', 8000);
      // With the origin's CA the client refuses: it is shown Pinprobe's self-signed leaf, not the origin.
      const second = await curl(strict.proxyUrl, 'https://pinning.app.test/', ['--cacert', pki.caCertPath, ...pin]);
      expect(second.code).toBe(60);
      await until(() => tlsFor(strict.engine.lines(), 'pinning.app.test').length === 2);
      const lines = strict.engine.lines();
      expect(lines.some((l) => l.type === 'passthrough')).toBe(false);
      expect(connsFor(lines, 'pinning.app.test').map((c) => [c.mode, c.scenario, c.tunnelReason ?? null])).toEqual([
        ['intercept', 'trusted', null], ['intercept', 'self-signed', null],
      ]);
      const host = judge(lines, { file: 'live' }).hosts.find((h) => h.host === 'pinning.app.test');
      // self-signed refused in the handshake, trusted only after it: stage contrast.
      expect(host?.pinning).toBe('pinned');
      expect(host?.pinningEvidence).toBe('stage-contrast');
      expect(host?.passthrough).toBeUndefined();
    } finally {
      await strict.close();
    }
  });

  it('does not let a TLS session resumed from a trusted connection skip the next scenario', async () => {
    const ca = readFileSync(proxy.caPath, 'utf8');
    const trusted = await nodeConnect(proxy, 'resume.app.test', { ca });
    expect(trusted).toMatchObject({ secure: true, reused: false, subject: 'resume.app.test' });
    expect(trusted.issuer).toMatch(/^Pinprobe CA/);
    expect(trusted.session).not.toBeNull();
    // Offered the saved session, the next connection still gets a full handshake with the
    // self-signed leaf, which a client trusting Pinprobe's CA refuses.
    const resumed = await nodeConnect(proxy, 'resume.app.test', { ca, session: trusted.session! });
    expect(resumed).toMatchObject({ secure: false, error: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    await until(() => tlsFor(proxy.engine.lines(), 'resume.app.test').length === 2);
    expect(tlsFor(proxy.engine.lines(), 'resume.app.test').map((e) => [e.scenario, e.result])).toEqual([['trusted', 'accepted'], ['self-signed', 'rejected']]);

    // A client that accepts anything shows what it was given: a fresh self-signed leaf, no resumption.
    const first = await nodeConnect(proxy, 'resume-insecure.app.test', { rejectUnauthorized: false });
    expect(first.session).not.toBeNull();
    const again = await nodeConnect(proxy, 'resume-insecure.app.test', { rejectUnauthorized: false, session: first.session! });
    expect(again).toMatchObject({ secure: true, reused: false, subject: 'resume-insecure.app.test', issuer: 'resume-insecure.app.test' });
    expect(first.issuer).not.toBe(first.subject);
  });
});
