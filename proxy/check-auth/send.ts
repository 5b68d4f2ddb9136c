// Sends one check request to the backend through the engine's upstream code (trust,
// --upstream-ca, client certificates, map-remote: proxy/net/upstream.ts) and turns what
// happened into session lines: a request line marked `check`, then a response line, or an
// error line when no answer came back.
import { stripCredentials } from '../judge/credentials.js';
import { toBodyRecord } from '../net/body-capture.js';
import type { UpstreamPool } from '../net/upstream.js';
import { sendThroughPool } from '../net/upstream-send.js';
import type { CheckMark, ErrorEvent, RequestEvent, ResponseEvent } from '../session/events.js';

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

function requestBody(original: RequestEvent): Buffer {
  if (!original.body || original.body.size === 0) return Buffer.alloc(0);
  return Buffer.from(original.body.data, original.body.encoding === 'base64' ? 'base64' : 'utf8');
}

/** The lines to append for one check: the request as sent, then its answer or error. */
export async function sendCheck(original: RequestEvent, opts: SendOptions): Promise<CheckLine[]> {
  const recordedBody = requestBody(original);
  const stripped = opts.kind === 'auth' ? stripCredentials(original.headers, original.url, recordedBody) : { headers: original.headers, url: original.url, body: recordedBody, removed: [] };
  const url = new URL(stripped.url);
  const body = Buffer.from(stripped.body.buffer, stripped.body.byteOffset, stripped.body.byteLength);
  const request: RequestEvent = {
    type: 'request', time: now(), id: opts.id, conn: 'check-auth', scheme: original.scheme, method: original.method,
    url: stripped.url, host: original.host, port: original.port, httpVersion: '1.1', headers: stripped.headers.map(([n, v]) => [n, v]),
    body: toBodyRecord(body.subarray(0, opts.bodyCap), body.length), clientAddress: 'pinprobe',
    check: { kind: opts.kind, of: original.id, removed: stripped.removed },
  };
  const result = await sendThroughPool(opts.pool, {
    scheme: original.scheme, host: original.host, port: original.port, method: original.method,
    path: `${url.pathname}${url.search}`, headers: stripped.headers, body,
  }, { timeoutMs: opts.timeoutMs, bodyCap: opts.bodyCap });
  if (!result.answer) {
    return [request, { type: 'error', time: now(), id: opts.id, message: `check-auth ${original.method} ${stripped.url}: ${result.error ?? 'no answer'}` }];
  }
  return [request, { type: 'response', time: now(), id: opts.id, ...result.answer }];
}
