// HTTP/2 through Pinprobe (issue 11): a client that offers h2 is answered in h2, upstream
// in h2 where the backend speaks it; requests and responses are recorded as ordinary
// session lines with httpVersion "2", pseudo-headers and trailers kept.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent, ResponseEvent, SessionLine, UpstreamEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { h2Get, h2ThroughProxy, startH2Origin, type H2Origin } from '../../helpers/h2.js';
import { curl } from '../../helpers/run.js';

let origin: H2Origin;
let proxy: TestEngine;
let ca: string;

beforeAll(async () => {
  origin = await startH2Origin((stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      if (headers[':path'] === '/trailers') {
        stream.respond({ ':status': 200, 'content-type': 'text/plain' }, { waitForTrailers: true });
        stream.once('wantTrailers', () => stream.sendTrailers({ 'x-checksum': 'abc123' }));
        return void stream.end('with trailers\n');
      }
      stream.respond({ ':status': 200, 'content-type': 'text/plain', 'x-origin-alpn': 'h2' });
      stream.end(`h2 origin: ${String(headers[':method'])} ${String(headers[':path'])} body=${Buffer.concat(chunks).toString()}\n`);
    });
  });
  proxy = await startEngine({ scenario: 'trusted' });
  ca = readFileSync(proxy.caPath, 'utf8');
});
afterAll(async () => {
  await proxy?.close();
  await origin?.close();
});

const isRequest = (l: SessionLine): l is RequestEvent => l.type === 'request';
const isResponse = (l: SessionLine): l is ResponseEvent => l.type === 'response';

describe('HTTP/2 clients', () => {
  it('curl --http2 through the proxy to an h2 origin gets HTTP/2 end to end', async () => {
    const r = await curl(proxy.proxyUrl, `https://localhost:${origin.port}/curl?x=1`, ['--http2', '--cacert', proxy.caPath, '-w', '\\n%{http_version}']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('h2 origin: GET /curl?x=1 body=\n\n2');
    const req = await proxy.waitFor((l): l is RequestEvent => isRequest(l) && l.url.endsWith('/curl?x=1'));
    expect(req.httpVersion).toBe('2');
    expect(req.headers.slice(0, 4).map(([n]) => n)).toEqual([':method', ':path', ':scheme', ':authority']);
    const res = await proxy.waitFor((l): l is ResponseEvent => isResponse(l) && l.id === req.id);
    expect(res).toMatchObject({ status: 200, httpVersion: '2' });
    expect(res.headers).toContainEqual([':status', '200']);
    expect(res.headers).toContainEqual(['x-origin-alpn', 'h2']);
    expect(res.body.data).toBe('h2 origin: GET /curl?x=1 body=\n');
  });

  it('a Node client offering ALPN h2 only gets its answer, and the client outcome is accepted with alpn h2', async () => {
    const session = await h2ThroughProxy(proxy.port, `localhost:${origin.port}`, ca);
    const a = await h2Get(session, '/only-h2', { 'content-type': 'text/plain' }, Buffer.from('hello'));
    session.close();
    expect(a.status).toBe(200);
    expect(a.body.toString()).toBe('h2 origin: POST /only-h2 body=hello\n');
    const req = await proxy.waitFor((l): l is RequestEvent => isRequest(l) && l.url.endsWith('/only-h2'));
    expect(req.body.data).toBe('hello');
    const tlsLine = proxy.engine.lines().find((l) => l.type === 'client-tls' && l.id === req.conn);
    expect(tlsLine).toMatchObject({ result: 'accepted', alpn: 'h2', scenario: 'trusted' });
  });

  it('response trailers reach the client and are recorded', async () => {
    const session = await h2ThroughProxy(proxy.port, `localhost:${origin.port}`, ca);
    const a = await h2Get(session, '/trailers');
    session.close();
    expect(a.body.toString()).toBe('with trailers\n');
    expect(a.trailers?.['x-checksum']).toBe('abc123');
    const req = await proxy.waitFor((l): l is RequestEvent => isRequest(l) && l.url.endsWith('/trailers'));
    const res = await proxy.waitFor((l): l is ResponseEvent => isResponse(l) && l.id === req.id);
    expect(res.trailers).toEqual([['x-checksum', 'abc123']]);
  });

  it('records one upstream line for the backend connection, judged like any other', async () => {
    const ups = proxy.engine.lines().filter((l): l is UpstreamEvent => l.type === 'upstream' && l.port === origin.port);
    expect(ups.length).toBeGreaterThan(0);
    expect(ups[0]).toMatchObject({ outcome: 'answered', httpStatus: 200, probe: false });
  });

  it('a backend that cannot be reached: the h2 client gets a 502 naming it, recorded as Pinprobe\'s own answer', async () => {
    const r = await curl(proxy.proxyUrl, 'https://127.0.0.1:9/gone', ['--http2', '--cacert', proxy.caPath, '-w', '\n%{http_code} %{http_version}']);
    expect(r.stdout).toMatch(/127\.0\.0\.1:9[\s\S]*\n502 2$/);
    const req = await proxy.waitFor((l): l is RequestEvent => isRequest(l) && l.url.endsWith('/gone'));
    const res = await proxy.waitFor((l): l is ResponseEvent => isResponse(l) && l.id === req.id);
    expect(res).toMatchObject({ status: 502, synthetic: true, httpVersion: '2' });
  });

  it('a client listing http/1.1 first keeps HTTP/1.1', async () => {
    const r = await curl(proxy.proxyUrl, `https://localhost:${origin.port}/h1-pref`, ['--http1.1', '--cacert', proxy.caPath, '-w', '\\n%{http_version}']);
    // The origin is h2-only: Pinprobe speaks h2 to it for this HTTP/1.1 client.
    expect(r.stdout.split('\n').pop()).toBe('1.1');
  });
});
