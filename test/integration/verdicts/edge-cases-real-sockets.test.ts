// The false positives TLS-FACTS.md warns about, with real sockets: an unused pre-opened
// connection closed after the handshake next to an accepted one is not pinning; a client
// reaching a host by IP (no SNI) is judged on that IP and not as a wrong-host acceptor; and
// a proxy stopping under a client that is still mid-handshake neither crashes nor blames
// the client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { judge } from '../../../proxy/judge/index.js';
import type { ClientTlsEvent, ConnectionEvent, SessionLine } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { curl } from '../../helpers/run.js';

const tlsOf = (lines: readonly SessionLine[]) => lines.filter((l): l is ClientTlsEvent => l.type === 'client-tls');

/** Polls a condition on the recorded lines (every 20 ms, up to `ms`). */
async function until(cond: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function connectTunnel(port: number, target: string): Promise<net.Socket> {
  return new Promise((ok, fail) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'CONNECT', path: target });
    req.once('connect', (res, socket) => (res.statusCode === 200 ? ok(socket) : fail(new Error(`CONNECT answered ${res.statusCode}`))));
    req.once('error', fail);
    req.end();
  });
}

describe('edge cases judged with real sockets', () => {
  let origin: Origin;
  beforeAll(async () => {
    origin = await startOrigin();
  });
  afterAll(async () => {
    await origin?.close();
  });

  it('does not call a host pinned when a pre-opened connection is closed unused after the handshake and another is accepted', async () => {
    const proxy = await startEngine({ scenario: 'trusted', mapRemote: [{ from: 'preopen.app.test', to: `127.0.0.1:${origin.port}` }] });
    try {
      const ca = readFileSync(proxy.caPath, 'utf8');
      // The spare connection: a full handshake with the Pinprobe CA trusted, then a polite close.
      const socket = await connectTunnel(proxy.port, 'preopen.app.test:443');
      await new Promise<void>((ok, fail) => {
        const t = tls.connect({ socket, servername: 'preopen.app.test', ca }, () => {
          t.end();
          ok();
        });
        t.once('error', fail);
      });
      const spare = await proxy.waitFor((l): l is ClientTlsEvent => l.type === 'client-tls' && l.host === 'preopen.app.test', 8000);
      expect(spare).toMatchObject({ result: 'rejected', stage: 'after-handshake', alert: null, scenario: 'trusted' });
      // Alone, that spare connection is exactly what a pinning client looks like — and with
      // no evidence that this client trusts the CA it is only inconclusive (SPEC "Pinning").
      const alone = judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === 'preopen.app.test');
      expect(alone?.pinning).toBe('inconclusive');

      // The connection the app really uses.
      const r = await curl(proxy.proxyUrl, 'https://preopen.app.test/used', ['--cacert', proxy.caPath]);
      expect(r.stdout).toBe('origin says hi to /used\n');
      await proxy.waitFor((l) => l.type === 'client-tls' && l.host === 'preopen.app.test' && l.result === 'accepted', 8000);

      const host = judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === 'preopen.app.test');
      expect(host?.client.trusted).toEqual({ result: 'accepted', stage: null, alert: null, connections: 2 });
      expect(host?.pinning).toBe('not-pinned');
      expect(host?.pinningReason).toMatch(/1 of 2 connections/);
    } finally {
      await proxy.close();
    }
  });

  it('judges a client that connects by IP (no SNI) on the IP, and its wrong-host refusal is not mistaken for anything else', async () => {
    // Audit rotation on the origin's real address: no SNI, so every leaf is issued for 127.0.0.1.
    const proxy = await startEngine({});
    try {
      const url = `https://127.0.0.1:${origin.port}/by-ip`;
      const codes: Array<number | null> = [];
      for (let i = 0; i < 5; i++) codes.push((await curl(proxy.proxyUrl, url, ['--cacert', proxy.caPath])).code);
      // trusted works; self-signed, wrong-host, expired and untrusted-root are refused.
      expect(codes).toEqual([0, 60, 60, 60, 60]);
      await until(() => tlsOf(proxy.engine.lines()).length === 5);
      const events = tlsOf(proxy.engine.lines());
      expect(events.map((e) => [e.scenario, e.host, e.sni, e.result, e.stage, e.alert])).toEqual([
        ['trusted', '127.0.0.1', null, 'accepted', null, null],
        ['self-signed', '127.0.0.1', null, 'rejected', 'handshake', 'unknown_ca'],
        ['wrong-host', '127.0.0.1', null, 'rejected', 'after-handshake', null],
        ['expired', '127.0.0.1', null, 'rejected', 'handshake', 'certificate_expired'],
        ['untrusted-root', '127.0.0.1', null, 'rejected', 'handshake', 'unknown_ca'],
      ]);
      const report = judge(proxy.engine.lines(), { file: 'live' });
      expect(report.hosts.map((h) => `${h.host}:${h.port}`)).toEqual([`127.0.0.1:${origin.port}`]);
      const host = report.hosts[0]!;
      expect(host.pinning).toBe('not-pinned');
      expect(host.validation).toBe('ok');
      expect(host.findings.map((f) => f.id)).not.toContain('validation-wrong-host-accepted');

      // A Node client by address (no servername: Node sends no SNI for an IP) checks the IP SAN itself.
      const ca = readFileSync(proxy.caPath, 'utf8');
      const socket = await connectTunnel(proxy.port, `127.0.0.1:${origin.port}`);
      const answer = await new Promise<string>((ok, fail) => {
        const t = tls.connect({ socket, host: '127.0.0.1', ca }, () => {
          t.write(`GET /node-ip HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\nConnection: close\r\n\r\n`);
          let body = '';
          t.on('data', (c: Buffer) => (body += c.toString()));
          t.once('end', () => ok(body));
        });
        t.once('error', fail);
      });
      expect(answer).toMatch(/origin says hi to \/node-ip/);
      await until(() => tlsOf(proxy.engine.lines()).length === 6);
      // The sixth connection is trusted again (rotation), by IP, accepted.
      expect(tlsOf(proxy.engine.lines())[5]).toMatchObject({ scenario: 'trusted', host: '127.0.0.1', sni: null, result: 'accepted' });
    } finally {
      await proxy.close();
    }
  });

  it('records a client still in the handshake when the proxy stops as inconclusive, without crashing', async () => {
    // A real ClientHello, captured from Node's TLS client, replayed by a client that then
    // goes silent: it has our certificate and Finished but never answers.
    const hello = await new Promise<Buffer>((ok, fail) => {
      const sink = net.createServer((s) => s.once('data', (chunk: Buffer) => {
        ok(chunk);
        s.destroy();
        sink.close();
      }));
      sink.listen(0, '127.0.0.1', () => {
        const c = tls.connect({ host: '127.0.0.1', port: (sink.address() as net.AddressInfo).port, servername: 'stalled.app.test', rejectUnauthorized: false });
        c.once('error', () => undefined);
      });
      sink.once('error', fail);
    });
    expect(hello[0]).toBe(0x16);

    const proxy = await startEngine({ scenario: 'trusted' });
    const socket = await connectTunnel(proxy.port, 'stalled.app.test:443');
    socket.on('error', () => undefined);
    const flight = new Promise<number>((ok) => {
      let n = 0;
      socket.on('data', (c: Buffer) => {
        n += c.length;
        if (n > 1000) ok(n); // ServerHello … certificate … Finished
      });
    });
    socket.write(hello);
    await flight;
    const conn = (await proxy.waitFor((l) => l.type === 'connection' && l.target.host === 'stalled.app.test', 5000)) as ConnectionEvent;
    expect(tlsOf(proxy.engine.lines())).toEqual([]);

    await proxy.close();
    await until(() => tlsOf(proxy.engine.lines()).some((e) => e.id === conn.id), 3000);
    const outcome = tlsOf(proxy.engine.lines()).find((e) => e.id === conn.id);
    expect(outcome).toMatchObject({ result: 'inconclusive', stage: null, alert: null, tlsVersion: 'TLSv1.3' });
    expect(outcome?.detail).toMatch(/Pinprobe closed the connection/);
    // Not evidence of anything: the trusted certificate was never refused by the client.
    const host = judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === 'stalled.app.test');
    expect(host?.pinning).toBe('inconclusive');
    expect(host?.passthrough).toBeUndefined();
    // The stop waited for the cut connection: its outcome is in the file, before session-end.
    const fileLines = readFileSync(proxy.engine.sessionFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; id?: string });
    const at = fileLines.findIndex((l) => l.type === 'client-tls' && l.id === conn.id);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(fileLines.findIndex((l) => l.type === 'session-end'));
    socket.destroy();
  });
});
