// Relays a client's bytes to the backend untouched (passthrough hosts, non-TLS tunnels).
// A tunnel that carries no byte either way for `idleTimeoutMs` is closed and the reason
// recorded: a CONNECT to a target that never speaks must not hold its slot for ever. The
// default (--tunnel-idle-timeout, 30 min) is above what long-polling and IMAP IDLE wait.
import net from 'node:net';
import type { EngineBus } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import { relay } from './relay.js';
import { noteRelayed } from './relay-garbage.js';
import type { UpstreamPool } from './upstream.js';

export function tunnel(bus: EngineBus, pool: UpstreamPool, connId: string, client: net.Socket, first: Buffer, host: string, port: number, idleTimeoutMs: number): void {
  const route = pool.route(host, port);
  const upstream = net.connect({ host: route.connectHost, port: route.connectPort, allowHalfOpen: true });
  pool.guard(upstream, { clientAddress: client.remoteAddress ?? '', mapped: route.mapped }, route.connectHost);
  let fromClient = first.length;
  let toClient = 0;
  let closed = false;
  // One timer, re-armed only when it fires (not per chunk): it checks the last byte's time.
  let lastByte = performance.now();
  let idleTimer: NodeJS.Timeout | null = null;
  const armIdle = (ms: number) => {
    idleTimer = setTimeout(() => {
      const quiet = performance.now() - lastByte;
      if (quiet < idleTimeoutMs) return armIdle(idleTimeoutMs - quiet);
      bus.emit({ type: 'error', time: now(), id: connId, message: `tunnel to ${host}:${port} closed: no byte either way for ${Math.round(quiet)} ms (--tunnel-idle-timeout)` });
      client.destroy();
      upstream.destroy();
    }, ms);
    idleTimer.unref();
  };
  armIdle(idleTimeoutMs);
  const close = () => {
    if (idleTimer) clearTimeout(idleTimer);
    if (closed) return;
    closed = true;
    bus.emit({ type: 'close', time: now(), id: connId, bytesFromClient: fromClient, bytesToClient: toClient });
  };
  upstream.setNoDelay(true);
  upstream.once('connect', () => {
    if (first.length) upstream.write(first);
    client.on('data', (c: Buffer) => {
      fromClient += c.length;
      noteRelayed(c.length);
      lastByte = performance.now();
    });
    upstream.on('data', (c: Buffer) => {
      toClient += c.length;
      noteRelayed(c.length);
      lastByte = performance.now();
    });
    relay(client, upstream);
    client.resume();
  });
  upstream.on('error', (err) => {
    // Recorded while nothing came back yet (refused, unreachable, the loop guard): the
    // `connecting` test used before is already false when a failed connect reports.
    if (toClient === 0) {
      bus.emit({ type: 'error', time: now(), id: connId, message: `tunnel to ${host}:${port} failed: ${err.message}` });
    }
    client.destroy();
  });
  upstream.once('close', close);
  client.once('close', () => {
    // Gone while the backend connection is still being made (later, relay() decides).
    if (upstream.connecting) upstream.destroy();
    close();
  });
}
