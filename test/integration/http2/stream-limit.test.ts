// The 257th concurrent stream on one client h2 connection (issue 11, limits in
// proxy/net/h2-limits.ts): the client is told the limit in SETTINGS, a client that sends a
// stream past it anyway is refused by Pinprobe, a well-behaved Node client holds its 257th
// request back until a slot frees, and the proxy keeps serving.
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import type tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { H2_MAX_CONCURRENT_STREAMS } from '../../../proxy/net/h2-limits.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { h2Get, h2ThroughProxy, startH2Origin, tlsThroughProxy, type H2Origin } from '../../helpers/h2.js';

let origin: H2Origin;
let proxy: TestEngine;
let ca: string;
/** Streams the origin holds unanswered until release() — they stay open on every hop. */
const held: http2.ServerHttp2Stream[] = [];
function release(): void {
  for (const s of held.splice(0)) if (!s.destroyed) s.respond({ ':status': 200 }, { endStream: true });
}

beforeAll(async () => {
  origin = await startH2Origin((stream, headers) => {
    const path = String(headers[':path']);
    if (path.startsWith('/hold/')) return void held.push(stream);
    stream.respond({ ':status': 200 });
    stream.end(`echo ${path}`);
  });
  proxy = await startEngine({ scenario: 'trusted' });
  ca = readFileSync(proxy.caPath, 'utf8');
});
afterAll(async () => {
  release();
  await proxy?.close();
  await origin?.close();
});

const target = () => `localhost:${origin.port}`;

interface Frame { type: number; flags: number; stream: number; payload: Buffer }

/** Splits what the proxy sends into HTTP/2 frames as they arrive. */
function frameReader(t: tls.TLSSocket, onFrame: (f: Frame) => void): void {
  let buf = Buffer.alloc(0);
  t.on('data', (c: Buffer) => {
    buf = Buffer.concat([buf, c]);
    while (buf.length >= 9) {
      const len = buf.readUIntBE(0, 3);
      if (buf.length < 9 + len) return;
      onFrame({ type: buf[3], flags: buf[4], stream: buf.readUInt32BE(5) & 0x7fffffff, payload: buf.subarray(9, 9 + len) });
      buf = buf.subarray(9 + len);
    }
  });
}

function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** HPACK literal (not indexed, not Huffman) with an indexed static-table name. */
function literal(nameIndex: number, value: string): Buffer {
  return Buffer.concat([Buffer.from([nameIndex, value.length]), Buffer.from(value)]);
}

/** A GET as one HEADERS frame (END_STREAM | END_HEADERS): :method GET, :scheme https, :path, :authority. */
function getHeaders(stream: number, path: string): Buffer {
  return frame(1, 0x5, stream, Buffer.concat([Buffer.from([0x82, 0x87]), literal(4, path), literal(1, target())]));
}

async function stillServing(): Promise<void> {
  const c = await h2ThroughProxy(proxy.port, target(), ca);
  const a = await h2Get(c, '/still-here');
  c.close();
  expect(a.body.toString()).toBe('echo /still-here');
}

describe('HTTP/2 concurrent-stream limit', () => {
  it(`a stream past ${H2_MAX_CONCURRENT_STREAMS} open ones ends that connection with a recorded error; the client was told the limit; the proxy serves on`, async () => {
    expect(H2_MAX_CONCURRENT_STREAMS).toBe(256);
    const t = await tlsThroughProxy(proxy.port, target(), ca, ['h2']);
    t.on('error', () => undefined);
    const closed = new Promise<void>((ok) => t.once('close', () => ok()));
    const frames: Frame[] = [];
    let limit = -1;
    const gotSettings = new Promise<void>((ok) => frameReader(t, (f) => {
      frames.push(f);
      if (f.type === 4 && !(f.flags & 1)) {
        for (let i = 0; i + 6 <= f.payload.length; i += 6) if (f.payload.readUInt16BE(i) === 3) limit = f.payload.readUInt32BE(i + 2);
        t.write(frame(4, 1, 0)); // SETTINGS ACK, as a real client sends
        ok();
      }
      // Answer Pinprobe's liveness PINGs.
      if (f.type === 6 && !(f.flags & 1)) t.write(frame(6, 1, 0, f.payload));
    }));
    t.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(4, 0, 0)]));
    await gotSettings;
    // The client's view of Pinprobe's SETTINGS: SETTINGS_MAX_CONCURRENT_STREAMS = 256.
    expect(limit).toBe(256);
    // Let the ACK land first: the limit binds once acknowledged.
    await new Promise((ok) => setTimeout(ok, 100));
    const n = H2_MAX_CONCURRENT_STREAMS;
    t.write(Buffer.concat(Array.from({ length: n }, (_, i) => getHeaders(1 + 2 * i, `/hold/${i}`))));
    // All 256 are accepted and relayed: the origin holds each one open.
    await expect.poll(() => held.length, { timeout: 15_000 }).toBe(n);
    const errorsBefore = proxy.engine.lines().filter((l) => l.type === 'error').length;
    t.write(getHeaders(1 + 2 * n, '/hold/over'));
    // What really happens (RFC 9113 §5.1.2 allows either): nghttp2 treats a stream past an
    // acknowledged limit as a connection error (PROTOCOL_ERROR), not REFUSED_STREAM on that
    // stream. Pinprobe records it and ends this connection; its open streams are reset.
    await closed;
    expect(frames.some((f) => f.type === 3 && f.stream === 1 + 2 * n)).toBe(false);
    expect(frames.some((f) => f.type === 1 && f.stream === 1 + 2 * n)).toBe(false);
    const err = await proxy.waitFor((l) => l.type === 'error' && proxy.engine.lines().filter((e) => e.type === 'error').length > errorsBefore);
    expect(err.type === 'error' && err.message).toMatch(/HTTP\/2 connection from 127\.0\.0\.1 to localhost:\d+ ended: .*Protocol error/);
    // The 257th never reached the backend, and the held backend streams were torn down with it.
    expect(held.length).toBe(n);
    await expect.poll(() => held.every((h) => h.destroyed), { timeout: 5000 }).toBe(true);
    held.length = 0;
    await stillServing();
  }, 60_000);

  it('a Node client told the limit holds its 257th request back until a stream frees, then gets its answer', async () => {
    const c = await h2ThroughProxy(proxy.port, target(), ca);
    const settings = await new Promise<http2.Settings>((ok) => c.once('remoteSettings', ok));
    expect(settings.maxConcurrentStreams).toBe(256);
    const n = H2_MAX_CONCURRENT_STREAMS;
    const answers = Array.from({ length: n + 1 }, (_, i) => h2Get(c, `/hold/${i}`));
    await expect.poll(() => held.length, { timeout: 15_000 }).toBe(n);
    // Client-side queueing (nghttp2 honours the peer's limit): no 257th stream is opened.
    await new Promise((ok) => setTimeout(ok, 300));
    expect(held.length).toBe(n);
    release();
    // Once slots free, the held-back request goes out and is answered like the others.
    await expect.poll(() => held.length, { timeout: 10_000 }).toBe(1);
    release();
    const got = await Promise.all(answers);
    expect(got.every((a) => a.status === 200)).toBe(true);
    c.close();
  }, 60_000);
});
