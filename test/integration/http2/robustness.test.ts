// HTTP/2 under load and abuse (issue 11): 100 concurrent streams on one connection, a
// 100 MiB download intact with bounded memory (flow control, not buffering), a client
// resetting a stream mid-body (relayed to the backend as RST_STREAM), a backend GOAWAY
// relayed, and a malformed frame ending only its own connection with a recorded error —
// the proxy serving others throughout and the session file staying valid.
import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorEvent, RequestEvent, ResponseEvent, SessionLine } from '../../../proxy/session/events.js';
import { resetStream } from '../../../proxy/net/h2-stream.js';
import { readSession } from '../../../proxy/session/reader.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { h2Get, h2ThroughProxy, startH2Origin, tlsThroughProxy, type H2Origin } from '../../helpers/h2.js';

const MiB = 1024 * 1024;
const BIG = 100 * MiB;
let origin: H2Origin;
let proxy: TestEngine;
let ca: string;
let bigDigest = '';
const resets: number[] = [];
let goawayNext = false;

/** Deterministic bytes: chunk i is filled with (i % 251), so a reorder or a loss changes the digest. */
function chunkAt(i: number, size: number): Buffer {
  return Buffer.alloc(size, i % 251);
}

beforeAll(async () => {
  const h = createHash('sha256');
  for (let i = 0; i < BIG / (256 * 1024); i++) h.update(chunkAt(i, 256 * 1024));
  bigDigest = h.digest('hex');
  origin = await startH2Origin((stream, headers) => {
    const path = String(headers[':path']);
    stream.once('close', () => resets.push(stream.rstCode ?? -1));
    if (path === '/big' || path === '/endless') {
      stream.respond({ ':status': 200, 'content-type': 'application/octet-stream' });
      let i = 0;
      const total = path === '/big' ? BIG / (256 * 1024) : Infinity;
      // Writes only as fast as the stream drains: the proxy's flow control decides the pace.
      const pump = () => {
        while (i < total && !stream.destroyed) {
          if (!stream.write(chunkAt(i++, 256 * 1024))) return void stream.once('drain', pump);
        }
        if (!stream.destroyed) stream.end();
      };
      return pump();
    }
    if (path === '/backend-reset') {
      stream.respond({ ':status': 200 });
      stream.write('partial');
      // A real mid-body RST_STREAM (Node's close() alone would send END_STREAM first).
      return void setTimeout(() => resetStream(stream, http2.constants.NGHTTP2_ENHANCE_YOUR_CALM), 50);
    }
    if (goawayNext) {
      goawayNext = false;
      stream.respond({ ':status': 200 });
      stream.end('last one\n');
      return stream.session?.goaway(http2.constants.NGHTTP2_NO_ERROR);
    }
    stream.respond({ ':status': 200 });
    stream.end(`echo ${path}`);
  });
  // A short PING deadline, so the connection a malformed frame broke is closed within the test.
  proxy = await startEngine({ scenario: 'trusted' }, { h2PingMs: 300 });
  ca = readFileSync(proxy.caPath, 'utf8');
});
afterAll(async () => {
  await proxy?.close();
  await origin?.close();
});

const target = () => `localhost:${origin.port}`;
const isRequest = (l: SessionLine): l is RequestEvent => l.type === 'request';
const isResponse = (l: SessionLine): l is ResponseEvent => l.type === 'response';

async function stillServing(): Promise<void> {
  const s = await h2ThroughProxy(proxy.port, target(), ca);
  const a = await h2Get(s, '/still-here');
  s.close();
  expect(a.body.toString()).toBe('echo /still-here');
}

async function sessionFileValid(): Promise<void> {
  proxy.engine.status();
  await new Promise((ok) => setTimeout(ok, 50));
  const read = await readSession(proxy.engine.sessionFile);
  expect(read.warnings).toEqual([]);
  expect(read.header?.schema).toBe('pinprobe.session/1');
}

describe('HTTP/2 multiplexing and flow control', () => {
  it('100 concurrent streams on one client connection are all answered and recorded on that connection', async () => {
    const s = await h2ThroughProxy(proxy.port, target(), ca);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => h2Get(s, `/multi/${i}`)));
    s.close();
    expect(answers.map((a) => a.body.toString())).toEqual(Array.from({ length: 100 }, (_, i) => `echo /multi/${i}`));
    await proxy.waitFor((l) => isResponse(l) && proxy.engine.lines().filter((r) => isRequest(r) && r.url.includes('/multi/')).length === 100);
    const reqs = proxy.engine.lines().filter((l): l is RequestEvent => isRequest(l) && l.url.includes('/multi/'));
    expect(new Set(reqs.map((r) => r.conn)).size).toBe(1);
  });

  it('a 100 MiB download arrives intact while the proxy holds a bounded amount of it', async () => {
    const s = await h2ThroughProxy(proxy.port, target(), ca);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const { digest, size } = await new Promise<{ digest: string; size: number }>((ok, fail) => {
      const req = s.request({ ':path': '/big' });
      const h = createHash('sha256');
      let size = 0;
      let paused = false;
      req.on('data', (c: Buffer) => {
        h.update(c);
        size += c.length;
        // A slow reader for a while: a proxy without backpressure would buffer the rest here.
        if (!paused && size > 10 * MiB) {
          paused = true;
          req.pause();
          setTimeout(() => req.resume(), 500);
        }
      });
      req.on('end', () => ok({ digest: h.digest('hex'), size }));
      req.on('error', fail);
    });
    clearInterval(sampler);
    s.close();
    expect(size).toBe(BIG);
    expect(digest).toBe(bigDigest);
    // Client, proxy and origin share this process: everything together stays well under the body.
    expect(peak - before).toBeLessThan(64 * MiB);
    const res = await proxy.waitFor((l): l is ResponseEvent => isResponse(l) && l.body.size === BIG);
    expect(res.body.truncated).toBe(true);
  }, 60_000);
});

describe('HTTP/2 limits', () => {
  it('advertises push off, 256 streams and 64 KiB of headers to the client and to the backend', async () => {
    const backendSettings = new Promise<http2.Settings>((ok) =>
      origin.server.once('session', (bs: http2.ServerHttp2Session) => bs.once('remoteSettings', (st: http2.Settings) => ok(st))),
    );
    const s = await h2ThroughProxy(proxy.port, target(), ca);
    const settings = await new Promise<http2.Settings>((ok) => s.once('remoteSettings', ok));
    expect(settings).toMatchObject({ enablePush: false, maxConcurrentStreams: 256, maxHeaderListSize: 65536, initialWindowSize: 1024 * 1024 });
    await h2Get(s, '/settings');
    expect(await backendSettings).toMatchObject({ enablePush: false, maxHeaderListSize: 65536, initialWindowSize: 1024 * 1024 });
    s.close();
  });

  it('a header block over the limit fails only its stream; the connection serves on', async () => {
    const s = await h2ThroughProxy(proxy.port, target(), ca);
    await new Promise((ok) => s.once('remoteSettings', ok));
    const big = await h2Get(s, '/huge', { 'x-big': 'x'.repeat(70 * 1024) }).then((a) => a.status, (err: NodeJS.ErrnoException) => err.code);
    // Reset by Pinprobe's side (nghttp2 refuses a header list over SETTINGS_MAX_HEADER_LIST_SIZE).
    expect(big).toBe('ERR_HTTP2_STREAM_ERROR');
    expect((await h2Get(s, '/after-huge')).body.toString()).toBe('echo /after-huge');
    s.close();
  });
});

describe('HTTP/2 resets, GOAWAY and bad frames', () => {
  it('a client RST_STREAM mid-body is relayed to the backend as CANCEL; the proxy serves on; the session stays valid', async () => {
    resets.length = 0;
    const s = await h2ThroughProxy(proxy.port, target(), ca);
    await new Promise<void>((ok) => {
      const req = s.request({ ':path': '/endless' });
      let got = 0;
      req.on('data', (c: Buffer) => {
        got += c.length;
        if (got > MiB) {
          req.close(http2.constants.NGHTTP2_CANCEL);
          ok();
        }
      });
      req.on('error', () => undefined);
    });
    await expect.poll(() => resets, { timeout: 5000 }).toContain(http2.constants.NGHTTP2_CANCEL);
    const res = await proxy.waitFor((l): l is ResponseEvent => isResponse(l) && Boolean(l.clientClosedEarly));
    expect(res.status).toBe(200);
    s.close();
    await stillServing();
    await sessionFileValid();
  });

  it("a backend's RST_STREAM reaches the client with the same code, not as a clean end", async () => {
    const s = await h2ThroughProxy(proxy.port, target(), ca);
    const code = await new Promise<number>((ok) => {
      const req = s.request({ ':path': '/backend-reset' });
      req.on('data', () => undefined);
      req.on('error', () => undefined);
      req.on('close', () => ok(req.rstCode ?? -1));
    });
    expect(code).toBe(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
    expect((await h2Get(s, '/after-reset')).body.toString()).toBe('echo /after-reset');
    s.close();
    // Relayed, not the client leaving early (that would read as a late pin check).
    const req = await proxy.waitFor((l): l is RequestEvent => isRequest(l) && l.url.endsWith('/backend-reset'));
    const res = await proxy.waitFor((l): l is ResponseEvent => isResponse(l) && l.id === req.id);
    expect(res.clientClosedEarly).toBeUndefined();
  });

  it("a backend's GOAWAY reaches the client as GOAWAY; its next connection is served", async () => {
    const s = await h2ThroughProxy(proxy.port, target(), ca);
    const goaway = new Promise<number>((ok) => s.once('goaway', (code: number) => ok(code)));
    goawayNext = true;
    const a = await h2Get(s, '/bye');
    expect(a.body.toString()).toBe('last one\n');
    expect(await goaway).toBe(http2.constants.NGHTTP2_NO_ERROR);
    s.destroy();
    await stillServing();
  });

  it("a client's GOAWAY reaches its backend connection with the same code", async () => {
    const backend = new Promise<http2.ServerHttp2Session>((ok) => origin.server.once('session', ok));
    const s = await h2ThroughProxy(proxy.port, target(), ca);
    await h2Get(s, '/before-goaway');
    const got = backend.then((bs) => new Promise<number>((ok) => bs.once('goaway', (code: number) => ok(code))));
    s.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
    expect(await got).toBe(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
    s.destroy();
    await stillServing();
  });

  it('a malformed frame ends only that connection, with a recorded error; others are served; the session stays valid', async () => {
    const t = await tlsThroughProxy(proxy.port, target(), ca, ['h2']);
    const closed = new Promise<Buffer>((ok) => {
      const got: Buffer[] = [];
      t.on('data', (c: Buffer) => got.push(c));
      t.on('close', () => ok(Buffer.concat(got)));
      t.on('error', () => undefined);
    });
    // The preface, an empty SETTINGS, then a SETTINGS frame of length 5 (must be a multiple
    // of 6: FRAME_SIZE_ERROR) — a protocol error of the connection.
    t.write(Buffer.concat([
      Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
      Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
      Buffer.from([0, 0, 5, 4, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5]),
    ]));
    const bytes = await closed;
    // The proxy's last frame is a GOAWAY (type 7) before it closes.
    expect(bytes.includes(Buffer.from([7, 0, 0, 0, 0, 0]))).toBe(true);
    const err = await proxy.waitFor((l): l is ErrorEvent => l.type === 'error' && /HTTP\/2/.test(l.message));
    expect(err.message).toMatch(/HTTP\/2 connection from 127\.0\.0\.1/);
    await stillServing();
    await sessionFileValid();
  });
});
