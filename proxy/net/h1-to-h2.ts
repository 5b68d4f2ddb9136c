// An HTTP/1.1 client's request sent to a backend that speaks only h2 (it refused ALPN
// http/1.1): the request line and Host become pseudo-headers, the body streams through,
// chunked trailers travel as h2 trailers, and the h2 answer goes back as HTTP/1.1 (its
// trailers as chunked trailers). h2 sessions to such backends are shared by every HTTP/1.1
// client, one per host, port and client identity.
import type http from 'node:http';
import type http2 from 'node:http2';
import { classifyUpstreamFailure } from '../observe/upstream-failure.js';
import type { HeaderList, UpstreamEvent } from '../session/events.js';
import { upstreamFailureMessage } from './bad-gateway-text.js';
import type { BodyCapture } from './body-capture.js';
import { h2Outgoing, objectPairs } from './h2-headers.js';
import { H2_INTERNAL_ERROR } from './h2-limits.js';
import { openBackend, type H2Backend } from './h2-upstream.js';
import { resetStream } from './h2-stream.js';
import { isLoopbackAddress, type UpstreamPool } from './upstream.js';
import { firstAnswerRecorder } from './upstream-answer.js';
import { authority as hostAuthority } from './authority.js';
import { hostPortKey } from '../host-key.js';

type UpstreamFields = Pick<UpstreamEvent, 'outcome' | 'stage' | 'alert' | 'alertCode' | 'httpStatus' | 'certComplaint' | 'complaint' | 'error'>;

/** What the HTTP/1.1 exchange lends this forwarder to record into. */
export interface H1ExchangeSink {
  readonly requestBody: Pick<BodyCapture, 'add' | 'size'>;
  readonly responseBody: Pick<BodyCapture, 'add' | 'head'>;
  responseStarted(head: { status: number; statusText: string; httpVersion: string; headers: HeaderList }): void;
  setResponseTrailers(trailers: HeaderList): void;
  recordUpstream(fields: UpstreamFields, conn: { tlsVersion: string | null; clientCert: { subject: string } | null }): void;
  /** Pinprobe's 502 with this text, written and recorded. */
  fail(message: string): void;
}

export interface H1ViaH2Target {
  pool: UpstreamPool;
  host: string;
  port: number;
  clientAddress: string;
  timeoutMs: number;
  method: string;
  path: string;
  /** End-to-end request headers (hop-by-hop ones already removed). */
  headers: HeaderList;
  /** The body already read (a request retried after the ALPN refusal), or null to stream `req`. */
  replayBody: Buffer | null;
}

// Shared h2 sessions per pool: a settings change rebuilds the pool, and a session opened under
// the old trust, routes or client certificate must not serve the new one.
const byPool = new WeakMap<UpstreamPool, Map<string, Promise<H2Backend | Error>>>();

function sessionsOf(pool: UpstreamPool): Map<string, Promise<H2Backend | Error>> {
  let sessions = byPool.get(pool);
  if (!sessions) {
    const made = new Map<string, Promise<H2Backend | Error>>();
    pool.onDestroy(() => {
      for (const opening of made.values()) void opening.then((b) => b instanceof Error || b.session.close());
      made.clear();
    });
    byPool.set(pool, made);
    sessions = made;
  }
  return sessions;
}
const HOP = new Set(['host', 'te', 'trailer', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'proxy-connection']);

function sessionFor(t: H1ViaH2Target): Promise<{ backend: H2Backend; fresh: boolean } | Error> {
  const sessions = sessionsOf(t.pool);
  // Loopback clients and devices on the network never share a session: the upstream guard
  // checks where a session lands for the client that opened it.
  const side = isLoopbackAddress(t.clientAddress) ? 'local' : 'net';
  const key = `${hostPortKey(t.host, t.port)}|${t.pool.clientCertFor(t.host, t.port)?.fingerprint ?? '-'}|${side}`;
  const known = sessions.get(key);
  if (known) return known.then((b) => (b instanceof Error ? b : { backend: b, fresh: false }));
  const opening = openBackend(t.pool, t.host, t.port, { clientAddress: t.clientAddress, timeoutMs: t.timeoutMs, alpn: ['h2'] }).then((open) => {
    if (open.kind !== 'h2') {
      sessions.delete(key);
      return open.kind === 'failed' ? Object.assign(open.error, { handshakeDone: open.handshakeDone, connected: open.connected }) : new Error('the backend chose HTTP/1.1 after refusing it');
    }
    const forget = () => sessions.get(key) === opening && sessions.delete(key);
    open.session.once('close', forget);
    open.session.once('goaway', forget);
    // Shared and long-lived: idle sessions must not keep the engine's process alive.
    open.session.unref();
    return open;
  });
  sessions.set(key, opening);
  return opening.then((b) => (b instanceof Error ? b : { backend: b, fresh: true }));
}

export function forwardH1ViaH2(t: H1ViaH2Target, req: http.IncomingMessage, res: http.ServerResponse, sink: H1ExchangeSink): void {
  void sessionFor(t).then((got) => {
    if (got instanceof Error) {
      const at = got as { handshakeDone?: boolean; connected?: boolean };
      const c = classifyUpstreamFailure(got, { handshakeDone: at.handshakeDone ?? false, connected: at.connected });
      sink.recordUpstream({ ...c, httpStatus: null, certComplaint: false }, { tlsVersion: null, clientCert: null });
      return sink.fail(upstreamFailureMessage(`${t.host}:${t.port}`, c));
    }
    const { backend, fresh } = got;
    const at = { tlsVersion: backend.tlsVersion, clientCert: backend.clientCert };
    const authority = req.headers.host ?? hostAuthority(t.host, t.port, 'https');
    const declared = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) > 0 : req.headers['transfer-encoding'] !== undefined;
    const bodyless = t.replayBody ? t.replayBody.length === 0 : !declared;
    let up: http2.ClientHttp2Stream;
    try {
      up = backend.session.request(
        { ':method': t.method, ':path': t.path, ':authority': authority, ':scheme': 'https', ...h2Outgoing(t.headers, (n) => HOP.has(n)) },
        bodyless ? { endStream: true } : { waitForTrailers: true },
      );
    } catch (err) {
      return sink.fail(upstreamFailureMessage(`${t.host}:${t.port}`, classifyUpstreamFailure(backend.sessionError() ?? err, { handshakeDone: true })));
    }
    up.once('wantTrailers', () => {
      const trailers = req.rawTrailers.length ? objectPairs(req.trailers) : [];
      try {
        up.sendTrailers(h2Outgoing(trailers, (n) => HOP.has(n)));
      } catch {
        resetStream(up, H2_INTERNAL_ERROR);
      }
    });
    if (bodyless) {
      // END_STREAM went with the headers.
    } else if (t.replayBody) up.end(t.replayBody);
    else if (!bodyless) {
      req.on('data', (chunk: Buffer) => sink.requestBody.add(chunk));
      req.pipe(up);
    }
    // As on every other path: no answer head in time is a 502 naming the timeout, and the
    // backend's stream is cancelled (without it an HTTP/1.1 client waited for ever).
    let timedOut = false;
    up.setTimeout(t.timeoutMs, () => {
      if (res.headersSent) return;
      timedOut = true;
      const c = classifyUpstreamFailure(Object.assign(new Error(`no answer within ${t.timeoutMs} ms`), { code: 'ETIMEDOUT' }), { handshakeDone: true, reused: !fresh });
      if (fresh) sink.recordUpstream({ ...c, httpStatus: null, certComplaint: false }, at);
      sink.fail(upstreamFailureMessage(`${t.host}:${t.port}`, c, { clientCert: at.clientCert !== null }));
      resetStream(up, http2CancelCode);
    });
    up.once('response', (headers: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader) => {
      up.setTimeout(0);
      const status = Number(headers[':status'] ?? 502);
      const pairs = objectPairs(headers);
      sink.responseStarted({ status, statusText: '', httpVersion: '2', headers: pairs });
      const answer = firstAnswerRecorder({ status, statusText: '', contentEncoding: headers['content-encoding'] }, sink.responseBody, (fields) => sink.recordUpstream(fields, at), !fresh);
      const regular = pairs.filter(([n]) => !n.startsWith(':'));
      try {
        res.writeHead(status, regular.flatMap(([k, v]) => [k, v]));
      } catch (err) {
        resetStream(up, H2_INTERNAL_ERROR);
        return sink.fail(`Pinprobe: ${t.host}:${t.port} sent an answer that cannot be relayed (${(err as Error).message})`);
      }
      up.on('trailers', (trailers: http2.IncomingHttpHeaders) => {
        const list = objectPairs(trailers);
        sink.setResponseTrailers(list);
        try {
          res.addTrailers(list);
        } catch {
          // A trailer HTTP/1.1 cannot carry here is dropped, not the answer.
        }
      });
      up.on('data', (chunk: Buffer) => {
        sink.responseBody.add(chunk);
        answer.onData();
      });
      up.once('end', answer.decide);
      up.pipe(res);
    });
    up.on('error', (err) => {
      if (timedOut) return;
      if (res.headersSent) return void res.destroy();
      const c = classifyUpstreamFailure(backend.sessionError() ?? err, { handshakeDone: true, reused: !fresh });
      if (fresh) sink.recordUpstream({ ...c, httpStatus: null, certComplaint: false }, at);
      sink.fail(upstreamFailureMessage(`${t.host}:${t.port}`, c, { clientCert: at.clientCert !== null }));
    });
    up.once('close', () => {
      if ((up.rstCode ?? 0) !== 0 && res.headersSent && !res.writableFinished && !timedOut) res.destroy();
    });
    res.once('close', () => {
      if (!res.writableFinished && !up.closed) resetStream(up, http2CancelCode);
    });
  });
}

const http2CancelCode = 8;
