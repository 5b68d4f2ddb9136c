// One request of Pinprobe's own (a backend check, a resend) sent through the engine's
// upstream pool: the same map-remote route, trust (system CAs, --upstream-ca, or none with
// --upstream-insecure), client certificate per host and loop guard as the app's proxied
// requests — so what a tester resends reaches the backend exactly as the app's did.
import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { checkServerIdentity } from 'node:tls';
import type { BodyRecord, HeaderList, ResponseEvent } from '../session/events.js';
import { authority } from './authority.js';
import { BodyCapture } from './body-capture.js';
import type { LoadedClientCert } from './client-certs.js';
import { isAlpnRefusal } from './h2-upstream.js';
import { sendViaH2 } from './upstream-send-h2.js';
import type { UpstreamPool } from './upstream.js';

export interface OutgoingRequest {
  scheme: 'http' | 'https';
  /** The host the request is for (map-remote and the client-certificate globs match it). */
  host: string;
  port: number;
  method: string;
  /** Path and query. */
  path: string;
  headers: HeaderList;
  body: Buffer;
}

export interface UpstreamSendOptions {
  timeoutMs: number;
  bodyCap: number;
  /** Send without the client certificate a --client-cert rule would present. */
  withoutClientCert?: boolean;
}

export type UpstreamAnswer = Pick<ResponseEvent, 'status' | 'statusText' | 'httpVersion' | 'headers' | 'body' | 'timings'>;

export interface UpstreamSendResult {
  answer: UpstreamAnswer | null;
  /** Why no answer came (code first, e.g. "ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9"). */
  error: string | null;
  /** The client certificate offered to the backend (null: none). */
  clientCert: LoadedClientCert | null;
}

/** Recomputed by Node or meaningless on a new connection. */
const DROP = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection', 'proxy-authorization']);

function outgoingHeaders(list: HeaderList, body: Buffer): http.OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of list) {
    const n = name.toLowerCase();
    // HTTP/2 pseudo-headers (":authority") are recorded for h2 requests; Host carries it on HTTP/1.1.
    if (n.startsWith(':') || DROP.has(n)) continue;
    const had = out[n];
    out[n] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  // Node frames a GET/DELETE body only with an explicit length (else it would be sent raw,
  // read by the backend as a second request).
  if (body.length > 0) out['content-length'] = String(body.length);
  return out;
}

function headerList(raw: string[]): HeaderList {
  const list: HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) list.push([raw[i] as string, raw[i + 1] as string]);
  return list;
}

export async function sendThroughPool(pool: UpstreamPool, request: OutgoingRequest, opts: UpstreamSendOptions): Promise<UpstreamSendResult> {
  const first = await sendHttp1(pool, request, opts);
  // An h2-only backend refuses the agents' ALPN `http/1.1` (alert 120): say it again in h2.
  if (request.scheme === 'https' && first.answer === null && first.refusedAlpn) return sendViaH2(pool, request, opts, authority(request.host, request.port, request.scheme));
  return { answer: first.answer, error: first.error, clientCert: first.clientCert };
}

function sendHttp1(pool: UpstreamPool, request: OutgoingRequest, opts: UpstreamSendOptions): Promise<UpstreamSendResult & { refusedAlpn: boolean }> {
  const secure = request.scheme === 'https';
  const route = pool.route(request.host, request.port);
  const ident = secure ? pool.httpsAgent(request.host, request.port, opts.withoutClientCert === true) : { agent: pool.httpAgent, clientCert: null };
  const headers = outgoingHeaders(request.headers, request.body);
  if (headers['host'] === undefined) headers['host'] = authority(request.host, request.port, request.scheme);
  const options: https.RequestOptions = {
    host: route.connectHost, port: route.connectPort, method: request.method, path: request.path,
    headers, agent: ident.agent, timeout: opts.timeoutMs,
    servername: secure && isIP(route.servername) === 0 ? route.servername : undefined,
  };
  // Verified against the name asked for, even when map-remote connects elsewhere (as the proxy does).
  if (secure) options.checkServerIdentity = (_h, cert) => checkServerIdentity(route.servername, cert);
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (answer: UpstreamAnswer | null, error: string | null, refusedAlpn = false) => {
      if (done) return;
      done = true;
      resolve({ answer, error, clientCert: ident.clientCert, refusedAlpn });
    };
    const fail = (err: NodeJS.ErrnoException) => finish(null, `${err.code ? `${err.code} ` : ''}${err.message}`, isAlpnRefusal(err));
    const req = (secure ? https : http).request(options, (res) => {
      const waitMs = performance.now() - started;
      const capture = new BodyCapture(opts.bodyCap);
      res.on('data', (chunk: Buffer) => capture.add(chunk));
      res.once('end', () => {
        const body: BodyRecord = capture.record();
        finish({
          status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', httpVersion: res.httpVersion, headers: headerList(res.rawHeaders), body,
          timings: { sendMs: 0, waitMs: Math.round(waitMs), receiveMs: Math.round(performance.now() - started - waitMs) },
        }, null);
      });
      res.once('error', fail);
    });
    // The tester's own machine sends it: loopback backends are allowed, Pinprobe itself is not.
    req.on('socket', (s: Socket) => {
      if (!req.reusedSocket) pool.guard(s, { clientAddress: '127.0.0.1', mapped: route.mapped });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${opts.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', fail);
    req.end(request.body.length > 0 ? request.body : undefined);
  });
}
