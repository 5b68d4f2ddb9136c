// What the HTTP/2 forwarders share about one client stream: its context, Pinprobe's own
// 502 answer on it, the RST_STREAM relay, and how the backend connection opened for it is
// recorded (the mTLS verdict reads those lines, as for HTTP/1.1).
import type http2 from 'node:http2';
import type { EngineBus } from '../engine-bus.js';
import { classifyUpstreamFailure } from '../observe/upstream-failure.js';
import { upstreamFailureMessage } from './bad-gateway-text.js';
import { H2_INTERNAL_ERROR, H2_NO_ERROR } from './h2-limits.js';
import type { ConnInfo, HttpExchange } from './http-exchange.js';
import type { UpstreamPool } from './upstream.js';
import { firstAnswerRecorder } from './upstream-answer.js';

export interface H2StreamContext {
  bus: EngineBus;
  pool: UpstreamPool;
  conn: ConnInfo;
  stream: http2.ServerHttp2Stream;
  /** The client sent END_STREAM with its headers: there is no body. */
  bodyless: boolean;
  /** Its request/response (shared recording and hooks with HTTP/1.1, http-exchange.ts). */
  record: HttpExchange;
  upstreamTimeoutMs: number;
}

/** Pinprobe's own answer on the stream (the backend could not be reached or answered badly). */
export function answer502(ctx: H2StreamContext, message: string): void {
  const { stream } = ctx;
  if (stream.destroyed || stream.headersSent) return resetStream(stream, H2_INTERNAL_ERROR);
  const body = Buffer.from(message + '\n');
  try {
    stream.respond({ ':status': 502, 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length, 'x-pinprobe-error': '1' });
    stream.end(body);
  } catch {
    resetStream(stream, H2_INTERNAL_ERROR);
  }
  ctx.record.answeredBy(502, 'Bad Gateway', message + '\n');
}

/** A failed backend connection or request before any answer: recorded (fresh connections only) and answered with a 502. */
export function failBeforeAnswer(
  ctx: H2StreamContext,
  err: unknown,
  at: { handshakeDone: boolean; connected?: boolean; reused: boolean; fresh: boolean; tlsVersion: string | null; clientCert: { subject: string } | null },
): void {
  const classification = classifyUpstreamFailure(err, { handshakeDone: at.handshakeDone, connected: at.connected, reused: at.reused });
  if (at.fresh) ctx.record.recordUpstream({ ...classification, httpStatus: null, certComplaint: false }, at);
  answer502(ctx, upstreamFailureMessage(`${ctx.conn.host}:${ctx.conn.port}`, classification, { clientCert: at.clientCert !== null }));
}

/**
 * Records the first answer on a fresh backend connection once its evidence is in: for a
 * status that may name a missing client certificate (400/401/403) that is the body's start.
 */
export function upstreamAnswerRecorder(
  ctx: H2StreamContext,
  status: number,
  statusText: string,
  contentEncoding: string | undefined,
  at: { fresh: boolean; tlsVersion: string | null; clientCert: { subject: string } | null },
): { onData: () => void; decide: () => void } {
  return firstAnswerRecorder({ status, statusText, contentEncoding }, ctx.record.responseBody, (fields) => ctx.record.recordUpstream(fields, at), !at.fresh);
}

/**
 * Sends RST_STREAM with `code` now. Node's `close(code)` first ends the writable side (an
 * END_STREAM the peer reads as a complete message, after which it ignores the RST): a
 * truncated body would pass for a whole one. Marking the writable side as ending first
 * makes Node submit the reset alone.
 */
export function resetStream(stream: http2.Http2Stream, code: number): void {
  if (stream.closed || stream.destroyed) return;
  const state = (stream as unknown as { _writableState?: { ending: boolean } })._writableState;
  if (code !== H2_NO_ERROR && state && !state.ending) state.ending = true;
  stream.close(code);
}

/** A reset of one side is relayed to the other as RST_STREAM with the same code. */
export function relayReset(from: http2.Http2Stream, to: http2.Http2Stream, ownReset: () => boolean = () => false): void {
  from.once('close', () => {
    const code = from.rstCode ?? H2_NO_ERROR;
    // `ownReset`: Pinprobe reset `from` itself and has answered `to` already.
    if (code !== H2_NO_ERROR && !ownReset()) resetStream(to, code);
  });
}
