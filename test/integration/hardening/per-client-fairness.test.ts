// Per-client-address fairness: with small limits (settings), one address (127.0.0.2) flooding
// silent sockets, or busy tunnels, up to and over the limits cannot lock another address
// (127.0.0.3) out; at the connection limit the oldest silent socket of the address holding
// most is shed first, and a connection that sent a request is never shed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { listenLoopback } from '../../helpers/listen.js';

interface Client {
  socket: net.Socket;
  closed: boolean;
}

/** A TCP connection from `from` that sends nothing; resolves once connected. */
function silent(port: number, from: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
    const c: Client = { socket, closed: false };
    socket.on('error', () => undefined);
    socket.once('close', () => (c.closed = true));
    socket.once('connect', () => resolve(c));
    socket.once('error', reject);
  });
}

async function silents(port: number, from: string, n: number): Promise<Client[]> {
  const out: Client[] = [];
  // One at a time, so the proxy accepts them in this order (oldest first).
  for (let i = 0; i < n; i++) out.push(await silent(port, from));
  return out;
}

/** A plain proxied GET from `from` over `agent` (keep-alive when given). */
function get(port: number, url: string, from: string, agent?: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: url, localAddress: from, agent: agent ?? false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

/** A CONNECT tunnel from `from` to a target that never speaks: busy (not idle) for the guard. */
function busyTunnel(port: number, from: string, target: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: from }, () => socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
    const c: Client = { socket, closed: false };
    socket.on('error', () => undefined);
    socket.once('close', () => {
      c.closed = true;
      resolve(c);
    });
    socket.once('data', () => resolve(c));
    socket.once('error', reject);
  });
}

const settle = () => new Promise((ok) => setTimeout(ok, 300));
const openCount = (cs: Client[]) => cs.filter((c) => !c.closed).length;

describe('per-client-address fairness', () => {
  let origin: http.Server;
  let silentTarget: net.Server;
  let originPort: number;
  let targetPort: number;
  let proxy: TestEngine;
  const held: net.Socket[] = [];
  beforeAll(async () => {
    origin = http.createServer((req, res) => res.end(`served ${req.url}\n`));
    originPort = await listenLoopback(origin);
    silentTarget = net.createServer((s) => held.push(s));
    targetPort = await listenLoopback(silentTarget);
    proxy = await startEngine({ scenario: 'trusted', maxConnections: 40, maxConnectionsPerClient: 30, idleTimeout: 60 });
  });
  afterAll(async () => {
    await proxy.close();
    for (const s of held) s.destroy();
    origin.close();
    silentTarget.close();
  });

  it('an address flooding silent sockets past its share keeps only its newest; another address is served', async () => {
    const flood = await silents(proxy.port, '127.0.0.2', 45);
    await settle();
    // Its cap is 30: the 15 oldest gave up their slots, the 30 newest are open.
    expect(flood.slice(0, 15).every((c) => c.closed)).toBe(true);
    expect(openCount(flood.slice(15))).toBe(30);
    expect(await get(proxy.port, `http://127.0.0.1:${originPort}/other`, '127.0.0.3')).toBe('served /other\n');
    for (const c of flood) c.socket.destroy();
    await settle();
  });

  it('at the connection limit the oldest silent socket of the address holding most goes first, never a busy one', async () => {
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    // The oldest connection overall, from 127.0.0.3.
    const early = await silents(proxy.port, '127.0.0.3', 4);
    // 127.0.0.2: one connection that sent a request (kept alive), then silent ones.
    expect(await get(proxy.port, `http://127.0.0.1:${originPort}/busy`, '127.0.0.2', keepAlive)).toBe('served /busy\n');
    const flood = await silents(proxy.port, '127.0.0.2', 29);
    const others = await silents(proxy.port, '127.0.0.4', 6);
    await settle();
    // 4 + 1 + 29 + 6 = 40: nothing shed yet.
    expect(openCount([...early, ...flood, ...others])).toBe(39);
    const late = await silents(proxy.port, '127.0.0.5', 3);
    await settle();
    // Three over the limit: 127.0.0.2's three oldest silent sockets, not 127.0.0.3's older ones.
    expect(flood.slice(0, 3).map((c) => c.closed)).toEqual([true, true, true]);
    expect(openCount(flood.slice(3))).toBe(26);
    expect(openCount(early)).toBe(4);
    expect(openCount(others)).toBe(6);
    expect(openCount(late)).toBe(3);
    // The kept-alive connection was not shed: the next request reuses it.
    const reused = new Promise<boolean>((ok) => keepAlive.once('free', () => ok(true)));
    expect(await get(proxy.port, `http://127.0.0.1:${originPort}/again`, '127.0.0.2', keepAlive)).toBe('served /again\n');
    expect(await Promise.race([reused, settle().then(() => false)])).toBe(true);
    keepAlive.destroy();
    for (const c of [...early, ...flood, ...others, ...late]) c.socket.destroy();
    await settle();
  });

  it('an address whose every slot is a busy tunnel is refused more; another address is served', async () => {
    const tunnels: Client[] = [];
    for (let i = 0; i < 34; i++) tunnels.push(await busyTunnel(proxy.port, '127.0.0.2', `127.0.0.1:${targetPort}`));
    await settle();
    // 30 tunnels hold 127.0.0.2's share; the 4 over it were closed on arrival.
    expect(openCount(tunnels.slice(0, 30))).toBe(30);
    expect(openCount(tunnels.slice(30))).toBe(0);
    expect(await get(proxy.port, `http://127.0.0.1:${originPort}/free`, '127.0.0.3')).toBe('served /free\n');
    for (const c of tunnels) c.socket.destroy();
  });
});
