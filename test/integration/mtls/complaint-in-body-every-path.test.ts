// A backend that refuses a missing client certificate with a 400 whose body says so
// (nginx's "No required SSL certificate was sent") is recognised on each of the four ways
// an answer can travel: HTTP/1.1 both sides, h2 client to an HTTP/1.1 backend, HTTP/1.1
// client to an h2-only backend, h2 both sides. The upstream line is written once the
// body's first 4 KiB are in, not only at its end (an answer that streams on, held open
// here, is judged without waiting for it), and a compressed short body is judged at its end.
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import type http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionLine, UpstreamEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { h2Get, h2ThroughProxy, startH2Origin, type H2Origin } from '../../helpers/h2.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { curl } from '../../helpers/run.js';

const COMPLAINT = '<html><head><title>400 No required SSL certificate was sent</title></head><body>';
// 5 KiB: past the 4 KiB the judgement waits for.
const HEAD = Buffer.from(COMPLAINT + 'x'.repeat(5 * 1024 - COMPLAINT.length));

/** Held answers: each backend's 400 stays open until the test releases it. */
const held: Array<() => void> = [];
const releaseAll = () => held.splice(0).forEach((end) => end());

function h1Held(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(400, 'Bad Request', { 'content-type': 'text/html' });
  res.write(HEAD);
  held.push(() => res.end('</body></html>'));
}
function h2Held(stream: http2.ServerHttp2Stream): void {
  stream.respond({ ':status': 400, 'content-type': 'text/html' });
  stream.write(HEAD);
  held.push(() => stream.end('</body></html>'));
}

let proxy: TestEngine;
let ca: string;
let h1a: Origin;
let h1b: Origin;
let h2a: H2Origin;
let h2b: H2Origin;
let h2gzip: H2Origin;

beforeAll(async () => {
  [h1a, h1b, h2a, h2b, h2gzip] = await Promise.all([
    startOrigin(h1Held),
    startOrigin(h1Held),
    startH2Origin(h2Held),
    startH2Origin(h2Held),
    startH2Origin((stream) => {
      stream.respond({ ':status': 400, 'content-encoding': 'gzip', 'content-type': 'text/html' });
      stream.end(gzipSync(`${COMPLAINT}</body></html>`));
    }),
  ]);
  proxy = await startEngine({ scenario: 'trusted' });
  ca = readFileSync(proxy.caPath, 'utf8');
});
afterAll(async () => {
  releaseAll();
  await proxy?.close();
  await Promise.all([h1a, h1b, h2a, h2b, h2gzip].map((o) => o?.close()));
});

const upstreamTo = (port: number) => (l: SessionLine): l is UpstreamEvent => l.type === 'upstream' && l.port === port && l.httpStatus === 400;

async function expectComplaintWhileHeld(port: number, send: () => Promise<unknown>): Promise<void> {
  const answered = send();
  // The body has not ended (the backend holds it): the line is there anyway.
  const up = await proxy.waitFor(upstreamTo(port), 8000);
  expect(up).toMatchObject({ outcome: 'answered', certComplaint: true, complaint: 'no-required-ssl-certificate' });
  expect(held.length).toBeGreaterThan(0);
  releaseAll();
  await answered;
}

/** One h2 request through the proxy on a session of its own. */
async function h2Request(port: number): Promise<unknown> {
  const session = await h2ThroughProxy(proxy.port, `localhost:${port}`, ca);
  try {
    return await h2Get(session, '/');
  } finally {
    session.close();
  }
}

describe('a 400 that names the missing client certificate in its body', () => {
  it('HTTP/1.1 client, HTTP/1.1 backend (curl)', async () => {
    await expectComplaintWhileHeld(h1a.port, () => curl(proxy.proxyUrl, `https://localhost:${h1a.port}/`, ['--http1.1', '--cacert', proxy.caPath]));
  });

  it('h2 client, HTTP/1.1 backend', async () => {
    await expectComplaintWhileHeld(h1b.port, () => h2Request(h1b.port));
  });

  it('HTTP/1.1 client, h2-only backend (curl)', async () => {
    await expectComplaintWhileHeld(h2a.port, () => curl(proxy.proxyUrl, `https://localhost:${h2a.port}/`, ['--http1.1', '--cacert', proxy.caPath]));
  });

  it('h2 client, h2 backend', async () => {
    await expectComplaintWhileHeld(h2b.port, () => h2Request(h2b.port));
  });

  it('a short gzip body from an h2-only backend is read decompressed, at its end', async () => {
    const r = await curl(proxy.proxyUrl, `https://localhost:${h2gzip.port}/`, ['--http1.1', '--cacert', proxy.caPath, '-o', '/dev/null', '-w', '%{http_code}']);
    expect(r.stdout).toBe('400');
    const up = await proxy.waitFor(upstreamTo(h2gzip.port));
    expect(up).toMatchObject({ certComplaint: true, complaint: 'no-required-ssl-certificate' });
  });
});
