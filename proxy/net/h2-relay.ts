// One client HTTP/2 stream relayed to a stream of the backend's h2 session: headers with
// their pseudo-headers, bodies piped both ways (HTTP/2 flow control gives backpressure end to
// end: a stream's window reopens only as the other side reads), trailers both ways (gRPC's
// grpc-status), informational heads (103), and RST_STREAM codes relayed as such.
import http2 from 'node:http2';
import { END_STREAM_FLAG, h2Outgoing, objectPairs } from './h2-headers.js';
import { H2_INTERNAL_ERROR, H2_REFUSED_STREAM } from './h2-limits.js';
import { answer502, failBeforeAnswer, relayReset, resetStream, upstreamAnswerRecorder, type H2StreamContext } from './h2-stream.js';
import type { H2Backend } from './h2-upstream.js';

/** Header fields a backend must not get from us (the client's view of the proxy hop). */
const NOT_FORWARDED = new Set(['proxy-authorization', 'proxy-connection']);

export function relayToH2(ctx: H2StreamContext, backend: H2Backend, fresh: boolean): void {
  const { stream, record } = ctx;
  const at = { fresh, reused: !fresh, handshakeDone: true, connected: true, tlsVersion: backend.tlsVersion, clientCert: backend.clientCert };
  let up: http2.ClientHttp2Stream;
  try {
    // Pseudo-headers as the client sent them, then the (hook-edited) regular fields.
    const fields = [...(record.request.pseudoHeaders ?? []), ...record.request.headers];
    up = backend.session.request(h2Outgoing(fields, (n) => NOT_FORWARDED.has(n)), ctx.bodyless ? { endStream: true } : { waitForTrailers: true });
  } catch (err) {
    // The session is closing or gone (GOAWAY, reset): the client may retry elsewhere.
    return failBeforeAnswer(ctx, backend.sessionError() ?? err, at);
  }
  // No answer head in time: the client gets a 502 naming the timeout (as over HTTP/1.1), and
  // the backend's stream is cancelled. Relaying that CANCEL instead left the client a bare
  // reset it could not tell from the backend's own, and nothing in the session said why.
  let timedOut = false;
  up.setTimeout(ctx.upstreamTimeoutMs, () => {
    if (stream.headersSent) return;
    timedOut = true;
    failBeforeAnswer(ctx, Object.assign(new Error(`no answer within ${ctx.upstreamTimeoutMs} ms`), { code: 'ETIMEDOUT' }), at);
    resetStream(up, http2.constants.NGHTTP2_CANCEL);
  });

  if (!ctx.bodyless) {
    up.once('wantTrailers', () => {
      try {
        up.sendTrailers(h2Outgoing(record.request.trailers ?? []));
      } catch {
        resetStream(up, H2_INTERNAL_ERROR);
      }
    });
    stream.on('data', (chunk: Buffer) => record.requestBody.add(chunk));
    // Ended a tick later: Node emits a stream's 'trailers' on the next tick, which can follow 'end'.
    stream.pipe(up, { end: false });
    // A reset also ends the readable side: that end is relayed as the reset (relayReset), not as a clean end.
    stream.once('end', () => setImmediate(() => (stream.rstCode ?? 0) === 0 && !up.destroyed && up.end()));
  }
  stream.once('end', () => record.requestEnded());
  relayReset(stream, up);

  // 1xx heads (103 Early Hints) are passed on as they come.
  up.on('headers', (headers: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader) => {
    try {
      if (!stream.headersSent) stream.additionalHeaders(h2Outgoing(objectPairs(headers)));
    } catch {
      // An informational head the client cannot take is not worth failing the stream for.
    }
  });

  up.once('response', (headers: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader, flags: number) => {
    up.setTimeout(0);
    const status = Number(headers[':status'] ?? 502);
    const pairs = objectPairs(headers);
    record.responseStarted({ status, statusText: '', httpVersion: '2', headers: pairs });
    const answer = upstreamAnswerRecorder(ctx, status, '', headerText(headers['content-encoding']), at);
    const endStream = (flags & END_STREAM_FLAG) !== 0;
    try {
      stream.respond(h2Outgoing(pairs), endStream ? { endStream: true } : { waitForTrailers: true });
    } catch (err) {
      resetStream(up, H2_INTERNAL_ERROR);
      return answer502(ctx, `Pinprobe: ${ctx.conn.host}:${ctx.conn.port} sent an answer that cannot be relayed (${(err as Error).message})`);
    }
    if (endStream) answer.decide();
    up.on('trailers', (trailers: http2.IncomingHttpHeaders) => {
      if (record.response) record.response.trailers = objectPairs(trailers);
    });
    stream.once('wantTrailers', () => {
      try {
        stream.sendTrailers(h2Outgoing(record.response?.trailers ?? []));
      } catch {
        resetStream(stream, H2_INTERNAL_ERROR);
      }
    });
    up.on('data', (chunk: Buffer) => {
      record.responseBody.add(chunk);
      answer.onData();
    });
    up.once('end', answer.decide);
    up.pipe(stream, { end: false });
    up.once('end', () => setImmediate(() => (up.rstCode ?? 0) === 0 && !stream.destroyed && stream.end()));
  });
  relayReset(up, stream, () => timedOut);
  let backendReset = false;
  up.once('close', () => (backendReset = (up.rstCode ?? 0) !== 0));

  up.on('error', (err: NodeJS.ErrnoException) => {
    // A reset by the backend is relayed by its code (relayReset), not turned into a 502.
    if ((up.rstCode ?? 0) !== 0 && err.code === 'ERR_HTTP2_STREAM_ERROR') return;
    if (stream.headersSent) return void resetStream(stream, H2_INTERNAL_ERROR);
    // Streams the backend's GOAWAY left unprocessed can be retried by the client.
    if (err.code === 'ERR_HTTP2_GOAWAY_SESSION') return void resetStream(stream, H2_REFUSED_STREAM);
    failBeforeAnswer(ctx, backend.sessionError() ?? err, at);
  });
  stream.on('error', () => resetStream(up, H2_INTERNAL_ERROR));
  stream.once('close', () => {
    // Only the client's own early close counts (a late pin check), not a reset we relayed.
    if (!stream.writableFinished && !backendReset) record.clientClosedEarly = true;
    record.requestEnded();
    record.responseEnded();
  });
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
