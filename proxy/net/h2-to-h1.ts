// An HTTP/2 client's stream sent to an HTTP/1.1-only backend: pseudo-headers become the
// request line and Host, the body streams through (chunked when its length is unknown, so
// request trailers survive), and the answer goes back as an h2 response with the chunked
// answer's trailers. Uses the pool's keep-alive agents, so client certificates and trust
// are those of every other HTTP/1.1 request.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { endToEndHeaders, flatHeaders, unrelayable } from './http-forward.js';
import { authority } from './authority.js';
import { h1FromH2, h2Outgoing, pseudo } from './h2-headers.js';
import { H2_INTERNAL_ERROR } from './h2-limits.js';
import { answer502, failBeforeAnswer, resetStream, upstreamAnswerRecorder, type H2StreamContext } from './h2-stream.js';
import type { HeaderList } from '../session/events.js';

export function translateToH1(ctx: H2StreamContext, retry = false, current: { req: http.ClientRequest | null } = { req: null }): void {
  const { stream, record, conn, pool } = ctx;
  const route = pool.route(conn.host, conn.port);
  record.upstreamMappedTo = route.mappedTo;
  const ident = pool.httpsAgent(conn.host, conn.port);
  // As in http-forward: this computer's loopback by address is refused before the agent connects.
  const local = pool.refusalBeforeConnect(route, conn.clientAddress);
  if (local) return failBeforeAnswer(ctx, local, { handshakeDone: false, connected: false, reused: false, fresh: true, tlsVersion: null, clientCert: ident.clientCert });
  const pseudoHeaders = record.request.pseudoHeaders ?? [];
  const headers: HeaderList = [['Host', pseudo(pseudoHeaders, ':authority') ?? authority(conn.host, conn.port, 'https')], ...h1FromH2(record.request.headers)];
  const chunked = !ctx.bodyless && !headers.some(([n]) => n.toLowerCase() === 'content-length');
  if (chunked) headers.push(['Transfer-Encoding', 'chunked']);
  let upReq: http.ClientRequest;
  try {
    upReq = https.request({
      host: route.connectHost,
      port: route.connectPort,
      servername: route.servername.includes(':') || /^[\d.]+$/.test(route.servername) ? undefined : route.servername,
      method: record.request.method,
      path: record.request.path,
      headers: flatHeaders(headers) as unknown as http.OutgoingHttpHeaders,
      agent: ident.agent,
      timeout: ctx.upstreamTimeoutMs,
      checkServerIdentity: (_h, cert) => tls.checkServerIdentity(route.servername, cert),
    });
  } catch (err) {
    return answer502(ctx, `Pinprobe: the request cannot be sent to ${conn.host}:${conn.port} in HTTP/1.1 (${(err as Error).message})`);
  }
  current.req = upReq;
  let fresh = true;
  let handshakeDone = false;
  let connected = false;
  let tlsVersion: string | null = null;
  const at = () => ({ fresh, reused: !fresh, handshakeDone, connected, tlsVersion, clientCert: ident.clientCert });
  upReq.on('socket', (s: Socket) => {
    fresh = !upReq.reusedSocket;
    if (!fresh) return void (connected = handshakeDone = true);
    pool.guard(s, { clientAddress: conn.clientAddress, mapped: route.mapped });
    s.once('connect', () => (connected = true));
    s.once('secureConnect', () => {
      handshakeDone = true;
      tlsVersion = (s as tls.TLSSocket).getProtocol?.() ?? null;
    });
  });
  upReq.on('timeout', () => upReq.destroy(Object.assign(new Error(`no answer within ${ctx.upstreamTimeoutMs} ms`), { code: 'ETIMEDOUT' })));

  if (ctx.bodyless || retry) {
    upReq.end();
    if (!retry) record.requestEnded();
  } else {
    stream.on('data', (chunk: Buffer) => record.requestBody.add(chunk));
    stream.pipe(upReq, { end: false });
    // A tick after 'end': Node emits the stream's 'trailers' on the next tick, which can follow it.
    stream.once('end', () => setImmediate(() => {
      const trailers = record.request.trailers ? h1FromH2(record.request.trailers) : [];
      // Trailers travel only on a chunked body (a Content-Length body has no place for them).
      if (chunked && trailers.length) upReq.addTrailers(trailers);
      upReq.end();
      record.requestEnded();
    }));
  }

  upReq.on('response', (upRes) => {
    upReq.setTimeout(0);
    const status = upRes.statusCode ?? 502;
    const problem = unrelayable(status, upRes.statusMessage ?? '');
    if (problem || status === 101) {
      upRes.resume();
      upReq.destroy();
      return answer502(ctx, `Pinprobe: ${conn.host}:${conn.port} sent an answer that cannot be relayed (${problem ?? 'switched protocols'})`);
    }
    const resHeaders = endToEndHeaders(upRes.rawHeaders);
    record.responseStarted({ status, statusText: upRes.statusMessage ?? '', httpVersion: upRes.httpVersion, headers: [[':status', String(status)], ...resHeaders] });
    const answer = upstreamAnswerRecorder(ctx, status, upRes.statusMessage ?? '', headerText(upRes.headers['content-encoding']), at());
    try {
      stream.respond({ ...h2Outgoing(resHeaders), ':status': status }, { waitForTrailers: true });
    } catch (err) {
      upRes.resume();
      upReq.destroy();
      return answer502(ctx, `Pinprobe: ${conn.host}:${conn.port} sent an answer that cannot be relayed (${(err as Error).message})`);
    }
    stream.once('wantTrailers', () => {
      const trailers = upRes.rawTrailers.length ? endToEndHeaders(upRes.rawTrailers) : [];
      if (trailers.length && record.response) record.response.trailers = trailers;
      try {
        stream.sendTrailers(h2Outgoing(trailers));
      } catch {
        resetStream(stream, H2_INTERNAL_ERROR);
      }
    });
    upRes.on('data', (chunk: Buffer) => {
      record.responseBody.add(chunk);
      answer.onData();
    });
    upRes.once('end', answer.decide);
    upRes.once('close', () => {
      // A backend that stops mid-body fails the client's stream too.
      if (!upRes.complete && !stream.destroyed) resetStream(stream, H2_INTERNAL_ERROR);
    });
    upRes.pipe(stream);
  });

  upReq.on('error', (err: NodeJS.ErrnoException) => {
    if (stream.headersSent) return void resetStream(stream, H2_INTERNAL_ERROR);
    if (stream.destroyed) return;
    // A pooled connection the backend closed while idle: a body-less request is sent once more.
    if (!retry && !fresh && ctx.bodyless && (err.code === 'ECONNRESET' || err.code === 'EPIPE' || /socket hang up/.test(err.message))) {
      return translateToH1(ctx, true, current);
    }
    failBeforeAnswer(ctx, err, at());
  });
  if (!retry) {
    stream.once('close', () => {
      if (!stream.writableFinished) record.clientClosedEarly = true;
      current.req?.destroy();
      record.requestEnded();
      record.responseEnded();
    });
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
