// A backend stream that never answers, reached over HTTP/2 (an h2 client, and an HTTP/1.1
// client whose backend speaks only h2): within the upstream timeout the client gets a 502
// naming the timeout, as over HTTP/1.1, the backend's stream is cancelled, and the session
// records why. Before, the h2 client got a bare RST_STREAM it could not tell from the
// backend's own, and the HTTP/1.1 client waited for ever.
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent, ResponseEvent, SessionLine, UpstreamEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { h2Get, h2ThroughProxy, startH2Origin, type H2Origin } from '../../helpers/h2.js';
import { curl } from '../../helpers/run.js';

let origin: H2Origin;
let proxy: TestEngine;
let ca: string;
/** The RST_STREAM code each backend stream ended with, by path. */
const backendEnds = new Map<string, number>();

beforeAll(async () => {
  origin = await startH2Origin((stream, headers) => {
    const path = String(headers[':path']);
    stream.once('close', () => backendEnds.set(path, stream.rstCode ?? -1));
    if (path.startsWith('/silent')) return; // never a head
    stream.respond({ ':status': 200 });
    stream.end(`answered ${path}\n`);
  });
  proxy = await startEngine({ scenario: 'trusted', upstreamTimeout: 0.6 });
  ca = readFileSync(proxy.caPath, 'utf8');
});
afterAll(async () => {
  await proxy?.close();
  await origin?.close();
});

const isResponse = (l: SessionLine): l is ResponseEvent => l.type === 'response';
const responseTo = async (path: string): Promise<ResponseEvent> => {
  const req = (await proxy.waitFor((l) => l.type === 'request' && l.url.endsWith(path))) as RequestEvent;
  return proxy.waitFor((l): l is ResponseEvent => isResponse(l) && l.id === req.id);
};

describe('an HTTP/2 backend that does not answer in time', () => {
  it('an h2 client gets a 502 naming the timeout; the backend stream is cancelled; the connection serves on', async () => {
    const s = await h2ThroughProxy(proxy.port, `localhost:${origin.port}`, ca);
    const started = Date.now();
    const a = await h2Get(s, '/silent-h2');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(a.status).toBe(502);
    expect(a.body.toString()).toMatch(/no answer within 600 ms/);
    expect((await h2Get(s, '/after')).body.toString()).toBe('answered /after\n');
    s.close();
    await expect.poll(() => backendEnds.get('/silent-h2'), { timeout: 3000 }).toBe(http2.constants.NGHTTP2_CANCEL);
    const res = await responseTo('/silent-h2');
    expect(res.status).toBe(502);
    expect(res.clientClosedEarly).toBeUndefined();
    const up = proxy.engine.lines().find((l): l is UpstreamEvent => l.type === 'upstream' && l.port === origin.port);
    expect(up).toMatchObject({ outcome: 'error', stage: 'http', error: expect.stringMatching(/^ETIMEDOUT/) });
  });

  it('an HTTP/1.1 client of an h2-only backend gets the same 502 instead of waiting for ever', async () => {
    const r = await curl(proxy.proxyUrl, `https://localhost:${origin.port}/silent-h1`, ['--http1.1', '--cacert', proxy.caPath, '--max-time', '8', '-w', '\n%{http_code}']);
    expect(r.stdout).toMatch(/no answer within 600 ms[\s\S]*\n502$/);
    await expect.poll(() => backendEnds.get('/silent-h1'), { timeout: 3000 }).toBe(http2.constants.NGHTTP2_CANCEL);
    expect((await responseTo('/silent-h1')).status).toBe(502);
  });
});
