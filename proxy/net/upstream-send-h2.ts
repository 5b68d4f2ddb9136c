// One request of Pinprobe's own (a resend, a backend check) sent in HTTP/2, for a backend
// that speaks h2 only (it refused the agents' ALPN `http/1.1`). A fresh h2 session per
// request, closed after the answer: these are rare, tester-driven requests, and a fresh
// session keeps "without the client certificate" variants apart from the proxied traffic's.
import http2 from 'node:http2';
import { performance } from 'node:perf_hooks';
import type { HeaderList } from '../session/events.js';
import { BodyCapture } from './body-capture.js';
import { h2Outgoing, objectPairs } from './h2-headers.js';
import { openBackend } from './h2-upstream.js';
import type { OutgoingRequest, UpstreamSendOptions, UpstreamSendResult } from './upstream-send.js';
import type { UpstreamPool } from './upstream.js';

/** Hop-by-hop or HTTP/1.1-only: not sent on an h2 stream (Host becomes :authority). */
const DROP = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection', 'proxy-authorization']);

export async function sendViaH2(pool: UpstreamPool, request: OutgoingRequest, opts: UpstreamSendOptions, authority: string): Promise<UpstreamSendResult> {
  const started = performance.now();
  const open = await openBackend(pool, request.host, request.port, {
    clientAddress: '127.0.0.1', timeoutMs: opts.timeoutMs, alpn: ['h2'], withoutClientCert: opts.withoutClientCert === true,
  });
  if (open.kind === 'failed') return { answer: null, error: codeFirst(open.error), clientCert: open.clientCert };
  if (open.kind !== 'h2') return { answer: null, error: 'the backend refused HTTP/1.1 and then chose it', clientCert: null };
  const { session, clientCert } = open;
  const host = request.headers.find(([n]) => n.toLowerCase() === 'host')?.[1] ?? authority;
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Omit<UpstreamSendResult, 'clientCert'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      session.close();
      resolve({ ...r, clientCert });
    };
    const timer = setTimeout(() => {
      finish({ answer: null, error: `ETIMEDOUT no answer within ${opts.timeoutMs} ms` });
      session.destroy();
    }, opts.timeoutMs);
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(
        {
          ':method': request.method, ':path': request.path, ':authority': host, ':scheme': 'https',
          ...h2Outgoing(request.headers as HeaderList, (n) => n.startsWith(':') || DROP.has(n)),
        },
        { endStream: request.body.length === 0 },
      );
    } catch (err) {
      return finish({ answer: null, error: codeFirst(open.sessionError() ?? (err as Error)) });
    }
    stream.once('response', (headers) => {
      const waitMs = performance.now() - started;
      const capture = new BodyCapture(opts.bodyCap);
      stream.on('data', (chunk: Buffer) => capture.add(chunk));
      stream.once('end', () =>
        finish({
          answer: {
            status: Number(headers[':status'] ?? 0), statusText: '', httpVersion: '2', headers: objectPairs(headers), body: capture.record(),
            timings: { sendMs: 0, waitMs: Math.round(waitMs), receiveMs: Math.round(performance.now() - started - waitMs) },
          },
          error: null,
        }),
      );
    });
    stream.on('error', (err) => finish({ answer: null, error: codeFirst(open.sessionError() ?? err) }));
    stream.once('close', () => finish({ answer: null, error: `the backend reset the stream (code ${stream.rstCode ?? 0})` }));
    if (request.body.length > 0) stream.end(request.body);
  });
}

function codeFirst(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return `${code ? `${code} ` : ''}${err.message}`;
}
