// Sends one check request to the backend through the engine's upstream code (trust,
// --upstream-ca, client certificates, map-remote: proxy/net/upstream.ts) and turns what
// happened into session lines: a request line marked `check`, then a response line, or an
// error line when no answer came back.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { stripCredentials } from '../judge/credentials.js';
import { BodyCapture, toBodyRecord } from '../net/body-capture.js';
import type { UpstreamPool } from '../net/upstream.js';
import type { CheckMark, ErrorEvent, HeaderList, RequestEvent, ResponseEvent } from '../session/events.js';

export type CheckLine = RequestEvent | ResponseEvent | ErrorEvent;

export interface SendOptions {
  pool: UpstreamPool;
  id: string;
  kind: CheckMark['kind'];
  /** Per request; a backend that hangs is an `unknown`, not a stuck check. */
  timeoutMs: number;
  bodyCap: number;
}

const now = () => new Date().toISOString();
/** Recomputed by Node or meaningless on a new connection. */
const DROP = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer']);

function outgoingHeaders(list: HeaderList): http.OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of list) {
    const n = name.toLowerCase();
    // HTTP/2 pseudo-headers (":authority") are recorded for h2 requests; Host carries it on HTTP/1.1.
    if (n.startsWith(':') || DROP.has(n)) continue;
    const had = out[n];
    out[n] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return out;
}

function requestBody(original: RequestEvent): Buffer {
  if (!original.body || original.body.size === 0) return Buffer.alloc(0);
  return Buffer.from(original.body.data, original.body.encoding === 'base64' ? 'base64' : 'utf8');
}

/** The lines to append for one check: the request as sent, then its answer or error. */
export async function sendCheck(original: RequestEvent, opts: SendOptions): Promise<CheckLine[]> {
  const stripped = opts.kind === 'auth' ? stripCredentials(original.headers, original.url) : { headers: original.headers, url: original.url, removed: [] };
  const url = new URL(stripped.url);
  const secure = original.scheme === 'https';
  const route = opts.pool.route(original.host, original.port);
  const headers = outgoingHeaders(stripped.headers);
  if (headers['host'] === undefined) headers['host'] = url.host;
  const body = requestBody(original);
  const request: RequestEvent = {
    type: 'request', time: now(), id: opts.id, conn: 'check-auth', scheme: original.scheme, method: original.method,
    url: stripped.url, host: original.host, port: original.port, httpVersion: '1.1', headers: stripped.headers.map(([n, v]) => [n, v]),
    body: toBodyRecord(body.subarray(0, opts.bodyCap), body.length), clientAddress: 'pinprobe',
    check: { kind: opts.kind, of: original.id, removed: stripped.removed },
  };
  const agent = secure ? opts.pool.httpsAgent(original.host, original.port).agent : opts.pool.httpAgent;
  const started = performance.now();
  const options: https.RequestOptions = {
    host: route.connectHost, port: route.connectPort, method: original.method, path: `${url.pathname}${url.search}`,
    headers, agent, timeout: opts.timeoutMs,
    servername: secure && isIP(route.servername) === 0 ? route.servername : undefined,
  };
  return new Promise((resolve) => {
    let done = false;
    const finish = (lines: CheckLine[]) => {
      if (done) return;
      done = true;
      resolve([request, ...lines]);
    };
    const fail = (err: NodeJS.ErrnoException) => {
      const error: ErrorEvent = { type: 'error', time: now(), id: opts.id, message: `check-auth ${original.method} ${stripped.url}: ${err.code ? `${err.code} ` : ''}${err.message}` };
      finish([error]);
    };
    const req = (secure ? https : http).request(options, (res) => {
      const waitMs = performance.now() - started;
      const capture = new BodyCapture(opts.bodyCap);
      res.on('data', (chunk: Buffer) => capture.add(chunk));
      const end = () => {
        const raw = res.rawHeaders;
        const list: HeaderList = [];
        for (let i = 0; i + 1 < raw.length; i += 2) list.push([raw[i] as string, raw[i + 1] as string]);
        finish([{
          type: 'response', time: now(), id: opts.id, status: res.statusCode ?? 0, statusText: res.statusMessage ?? '',
          httpVersion: res.httpVersion, headers: list, body: capture.record(),
          timings: { sendMs: 0, waitMs, receiveMs: performance.now() - started - waitMs },
        }]);
      };
      res.once('end', end);
      res.once('error', fail);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${opts.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', fail);
    req.end(body.length > 0 ? body : undefined);
  });
}
