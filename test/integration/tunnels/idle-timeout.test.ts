// A CONNECT to a target that never speaks, from a client that never speaks either, is relayed
// as a server-speaks-first tunnel after the hello timeout; before, it stayed open for ever.
// Now a tunnel with no byte either way for --tunnel-idle-timeout (shortened here) is closed
// and recorded, while one that carries bytes more often stays open past it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import type { SessionLine } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { listenLoopback } from '../../helpers/listen.js';

function connectTunnel(port: number, target: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
    s.on('error', () => undefined);
    s.once('data', (d: Buffer) => (d.toString().startsWith('HTTP/1.1 200') ? resolve(s) : reject(new Error(d.toString()))));
    s.once('close', () => reject(new Error('closed before 200')));
  });
}

const closedAfter = (s: net.Socket, t0: number): Promise<number> => new Promise((ok) => s.once('close', () => ok(Date.now() - t0)));
const isLine = (type: string, id: string) => (l: SessionLine) => l.type === type && 'id' in l && l.id === id;

describe('an idle tunnel is closed after --tunnel-idle-timeout', () => {
  let target: net.Server;
  let targetPort: number;
  let proxy: TestEngine;
  const held: net.Socket[] = [];
  beforeAll(async () => {
    // Accepts and never says a word; echoes what it gets (for the tunnel that stays busy).
    target = net.createServer((s) => {
      held.push(s);
      s.on('data', (d: Buffer) => s.write(d));
      s.on('error', () => undefined);
    });
    targetPort = await listenLoopback(target);
    proxy = await startEngine({ scenario: 'trusted', tunnelIdleTimeout: 0.8 }, { helloTimeoutMs: 200 });
  });
  afterAll(async () => {
    await proxy.close();
    for (const s of held) s.destroy();
    target.close();
  });

  it('both sides silent: closed after the timeout, with an error line and a close line', async () => {
    const t0 = Date.now();
    const s = await connectTunnel(proxy.port, `127.0.0.1:${targetPort}`);
    const ms = await closedAfter(s, t0);
    // hello timeout (200 ms) + tunnel idle timeout (800 ms), with slack for a loaded machine
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(8000);
    const conn = await proxy.waitFor((l) => l.type === 'connection' && l.target.port === targetPort && l.mode === 'tunnel');
    const id = (conn as { id: string }).id;
    const error = await proxy.waitFor(isLine('error', id));
    expect((error as { message: string }).message).toMatch(/^tunnel to 127\.0\.0\.1:\d+ closed: no byte either way for \d+ ms \(--tunnel-idle-timeout\)$/);
    await proxy.waitFor(isLine('close', id));
  });

  it('bytes every 300 ms keep a tunnel open past the timeout', async () => {
    const s = await connectTunnel(proxy.port, `127.0.0.1:${targetPort}`);
    let echoed = 0;
    s.on('data', (d: Buffer) => (echoed += d.length));
    let closed = false;
    s.once('close', () => (closed = true));
    for (let i = 0; i < 8; i++) {
      s.write('ping');
      await new Promise((ok) => setTimeout(ok, 300));
    }
    // 2.4 s of traffic, three times the idle timeout: still open, and every ping came back.
    expect(closed).toBe(false);
    expect(echoed).toBe(32);
    s.destroy();
  });
});
