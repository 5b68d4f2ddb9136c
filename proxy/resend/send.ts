// "Resend" / "Edit and resend" from Traffic: a recorded request, changed as the tester asked
// (method, URL, headers, body; without credentials; with or without the client
// certificate), sent through the engine's upstream pool (net/upstream-send.ts) and turned
// into session lines — a request line marked `resend`, then its response or an error line.
// The judge skips marked lines, so a resend never changes a verdict.
import { stripCredentials } from '../judge/credentials.js';
import { toBodyRecord } from '../net/body-capture.js';
import type { UpstreamPool } from '../net/upstream.js';
import { sendThroughPool } from '../net/upstream-send.js';
import type { ErrorEvent, HeaderList, RequestEvent, ResendMark, ResponseEvent, SessionLine } from '../session/events.js';
import { ResendFieldError, type ResendRequest } from './parse.js';

export type ResendLine = RequestEvent | ResponseEvent | ErrorEvent;

export interface ResendOptions {
  pool: UpstreamPool;
  id: string;
  timeoutMs: number;
  bodyCap: number;
}

export interface ResendOutcome {
  lines: ResendLine[];
  request: RequestEvent;
  response: ResponseEvent | null;
  error: string | null;
}

const now = () => new Date().toISOString();

/** s1, s2, …: resend ids, continuing after any in the session (never clash with c/r/u/w/k ids). */
export function resendIdCounter(lines: readonly SessionLine[]): () => string {
  let n = 0;
  for (const line of lines) {
    const m = 'id' in line && typeof line.id === 'string' ? /^s(\d+)$/.exec(line.id) : null;
    if (m) n = Math.max(n, Number(m[1]));
  }
  return () => `s${++n}`;
}

function originalBody(original: RequestEvent): Buffer {
  if (!original.body || original.body.size === 0) return Buffer.alloc(0);
  if (original.body.truncated) {
    throw new ResendFieldError('of', `its body was recorded only in part (${original.body.data.length} of ${original.body.size} bytes, the body cap): edit the body to resend it`);
  }
  return Buffer.from(original.body.data, original.body.encoding === 'base64' ? 'base64' : 'utf8');
}

function hostAndPort(url: URL): { host: string; port: number; scheme: 'http' | 'https' } {
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : scheme === 'https' ? 443 : 80, scheme };
}

/**
 * The edited URL names another authority: a Host header still naming the old one follows
 * it (as a browser would send it); a Host the tester typed differently is kept.
 */
function followHost(headers: HeaderList, from: URL, to: URL): HeaderList {
  if (from.host === to.host) return headers;
  return headers.map(([n, v]) => (n.toLowerCase() === 'host' && v.toLowerCase() === from.host.toLowerCase() ? [n, to.host] : [n, v]));
}

export async function resendRequest(original: RequestEvent, ask: ResendRequest, opts: ResendOptions): Promise<ResendOutcome> {
  const edit = ask.edit ?? {};
  const from = new URL(original.url);
  const to = new URL(edit.url ?? original.url);
  let headers: HeaderList = followHost((edit.headers ?? original.headers).map(([n, v]) => [n, v]), from, to);
  let body = edit.body !== undefined ? Buffer.from(edit.body, edit.bodyEncoding === 'base64' ? 'base64' : 'utf8') : originalBody(original);
  let url = to.href;
  let removed: string[] = [];
  if (ask.credentials === 'strip') {
    const stripped = stripCredentials(headers, url, body);
    headers = stripped.headers;
    url = stripped.url;
    body = Buffer.from(stripped.body.buffer, stripped.body.byteOffset, stripped.body.byteLength);
    removed = stripped.removed;
  }
  const target = hostAndPort(new URL(url));
  const configured = target.scheme === 'https' ? opts.pool.clientCertFor(target.host, target.port) : null;
  if (ask.clientCert === 'configured' && !configured) {
    throw new ResendFieldError('clientCert', target.scheme === 'http'
      ? 'an http:// request has no TLS connection to present a client certificate on'
      : `no client certificate is configured for ${target.host}:${target.port} (Controls → Client certificates (mTLS), or --client-cert)`);
  }
  const method = edit.method ?? original.method;
  const edited: ResendMark['edited'] = [];
  if (method !== original.method) edited.push('method');
  if (to.href !== from.href) edited.push('url');
  // Pseudo-headers follow the method and URL; only real headers count as an edit.
  const real = (h: HeaderList) => JSON.stringify(h.filter(([n]) => !n.startsWith(':')));
  if (edit.headers && real(edit.headers) !== real(original.headers)) edited.push('headers');
  if (edit.body !== undefined) edited.push('body');
  const withoutClientCert = ask.clientCert === 'none' && configured !== null;
  const parsed = new URL(url);
  const sentAt = now();
  const result = await sendThroughPool(opts.pool, {
    ...target, method, path: `${parsed.pathname}${parsed.search}`, headers, body,
  }, { timeoutMs: opts.timeoutMs, bodyCap: opts.bodyCap, withoutClientCert: ask.clientCert === 'none' });
  const request: RequestEvent = {
    type: 'request', time: sentAt, id: opts.id, conn: 'resend', scheme: target.scheme, method, url, host: target.host, port: target.port,
    httpVersion: '1.1', headers, body: toBodyRecord(body.subarray(0, opts.bodyCap), body.length), clientAddress: 'pinprobe',
    resend: { of: original.id, edited, removed, clientCert: result.clientCert ? { subject: result.clientCert.subject } : null, withoutClientCert },
  };
  if (!result.answer) {
    const error = `resend ${method} ${url}: ${result.error ?? 'no answer'}`;
    return { lines: [request, { type: 'error', time: now(), id: opts.id, message: error }], request, response: null, error };
  }
  const response: ResponseEvent = { type: 'response', time: now(), id: opts.id, ...result.answer };
  return { lines: [request, response], request, response, error: null };
}
