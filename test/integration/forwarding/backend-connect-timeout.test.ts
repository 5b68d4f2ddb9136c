// A backend whose TCP connect never completes (a firewall that drops the SYN, a VPN-only
// host seen from the laptop): within the upstream timeout the app gets a 502 that says
// Pinprobe could not connect, and the upstream line's stage is `connect`, over HTTPS
// HTTP/1.1, cleartext HTTP, HTTP/2 and a wss:// upgrade. Before, HTTP/1.1 and WebSocket
// called it a stalled TLS handshake ("failed"), and an upgrade waited for the OS's own
// connect timeout (minutes). The listener is real: a child process whose accept queue is
// full and whose loop is blocked, so the kernel drops further SYNs.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RequestEvent, ResponseEvent, SessionLine, UpstreamEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { h2Get, h2ThroughProxy, tlsThroughProxy } from '../../helpers/h2.js';
import { curl } from '../../helpers/run.js';

let child: ChildProcess;
let port: number;
const fillers: net.Socket[] = [];
let proxy: TestEngine;
let ca: string;

/** A listener (backlog 1) that never accepts: after two connections, SYNs go unanswered. */
async function fullListener(): Promise<number> {
  child = spawn(process.execPath, ['-e', `
    const s = require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(s.address().port + '\\n');
      setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000), 50);
    });`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const p = Number(await new Promise<string>((ok) => child.stdout!.once('data', (d) => ok(String(d).trim()))));
  await new Promise((r) => setTimeout(r, 250));
  // Fill the accept queue; the one after these must hang (checked, so the test proves something).
  for (let i = 0; i < 2; i++) {
    const s = net.connect(p, '127.0.0.1');
    fillers.push(s);
    await new Promise((ok, fail) => s.once('connect', ok).once('error', fail));
  }
  const probe = net.connect(p, '127.0.0.1');
  const got = await new Promise<string>((ok) => {
    probe.once('connect', () => ok('connected'));
    probe.once('error', (e) => ok(e.message));
    setTimeout(() => ok('hangs'), 400);
  });
  probe.destroy();
  expect(got).toBe('hangs');
  return p;
}

beforeAll(async () => {
  port = await fullListener();
  proxy = await startEngine({ scenario: 'trusted', upstreamTimeout: 0.6 });
  ca = readFileSync(proxy.caPath, 'utf8');
});
afterAll(async () => {
  await proxy?.close();
  fillers.forEach((s) => s.destroy());
  child?.kill('SIGKILL');
});

const upstreamOf = (id: string) => proxy.waitFor((l): l is UpstreamEvent => l.type === 'upstream' && l.request === id);
const responseTo = async (match: (r: RequestEvent) => boolean): Promise<[RequestEvent, ResponseEvent]> => {
  const req = (await proxy.waitFor((l) => l.type === 'request' && match(l))) as RequestEvent;
  const res = (await proxy.waitFor((l: SessionLine) => l.type === 'response' && l.id === req.id)) as ResponseEvent;
  return [req, res];
};

describe('a backend that never completes the TCP connect', () => {
  it('HTTPS over HTTP/1.1 (curl): a 502 saying Pinprobe could not connect; the upstream line says connect', async () => {
    const r = await curl(proxy.proxyUrl, `https://localhost:${port}/h1`, ['--http1.1', '--cacert', proxy.caPath, '--max-time', '8', '-w', '\n%{http_code}']);
    expect(r.stdout).toMatch(new RegExp(`could not connect to localhost:${port} \\(ETIMEDOUT[^)]*no answer within 600 ms\\)[\\s\\S]*\\n502$`));
    const [req, res] = await responseTo((l) => l.url.endsWith('/h1'));
    expect(res.status).toBe(502);
    expect(await upstreamOf(req.id)).toMatchObject({ outcome: 'error', stage: 'connect' });
  });

  it('cleartext HTTP (curl): the same 502', async () => {
    const r = await curl(proxy.proxyUrl, `http://localhost:${port}/plain`, ['--max-time', '8', '-w', '\n%{http_code}']);
    expect(r.stdout).toMatch(/could not connect to localhost:\d+ \(ETIMEDOUT[\s\S]*\n502$/);
  });

  it('HTTP/2 (a Node h2 client): the same 502 and stage', async () => {
    const s = await h2ThroughProxy(proxy.port, `localhost:${port}`, ca);
    const a = await h2Get(s, '/h2');
    s.close();
    expect(a.status).toBe(502);
    expect(a.body.toString()).toMatch(/could not connect to localhost:\d+ \(ETIMEDOUT/);
    const [req] = await responseTo((l) => l.url.endsWith('/h2'));
    expect(await upstreamOf(req.id)).toMatchObject({ outcome: 'error', stage: 'connect' });
  });

  it('a wss:// upgrade (ws client): a 502 within the upstream timeout, the upstream line says connect', async () => {
    const socket = await tlsThroughProxy(proxy.port, `localhost:${port}`, ca, ['http/1.1']);
    const ws = new WebSocket(`wss://localhost:${port}/ws`, { createConnection: () => socket });
    const started = Date.now();
    const got = await new Promise<string>((ok) => {
      ws.once('open', () => ok('open'));
      ws.once('unexpected-response', (_req, res) => ok(`refused ${res.statusCode}`));
      ws.once('error', (err) => ok(`error ${err.message}`));
    });
    expect(got).toBe('refused 502');
    expect(Date.now() - started).toBeLessThan(5000);
    const [req] = await responseTo((l) => l.url.endsWith('/ws'));
    expect(await upstreamOf(req.id)).toMatchObject({ outcome: 'error', stage: 'connect', error: expect.stringMatching(/^ETIMEDOUT/) });
  }, 15_000);
});
