// HAR 1.2 (from a browser, another proxy, or Pinprobe's own export) read back as request
// and response lines, so Traffic can browse it read-only. HAR holds HTTP exchanges only —
// no TLS handshakes, no scenarios — so an imported HAR has no verdicts (the view says why).
// Problems name the file and what is wrong; one bad entry is skipped with a warning, a file
// that is not HAR at all is refused. Nothing here writes anything.
import type { BodyRecord, HeaderList, RequestEvent, ResponseEvent, SessionEvent, WebSocketMessageEvent } from './events.js';

export class HarImportError extends Error {}

export interface HarImport {
  events: SessionEvent[];
  warnings: string[];
  /** Entries in the file (read or skipped). */
  entries: number;
}

type Rec = Record<string, unknown>;

const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Where a JSON.parse error is, as "line L, column C", from the "position N" Node reports. */
function jsonErrorPlace(text: string, message: string): string {
  if (/Unexpected end of JSON input/.test(message)) return 'it ends mid-way: the file looks cut short';
  // V8 quotes the start of the text in some messages; the start of a big file says nothing.
  const quoted = /^(Unexpected token '.*?'), ".*" is not valid JSON$/s.exec(message);
  if (quoted) return `${quoted[1]}`;
  const m = /position (\d+)/.exec(message);
  if (!m) return message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}

function headers(list: unknown): HeaderList {
  if (!Array.isArray(list)) return [];
  return list.filter(isRec).flatMap((h) => {
    const name = str(h['name']);
    return name === null ? [] : [[name, String(h['value'] ?? '')] as [string, string]];
  });
}

function httpVersion(v: unknown): string {
  const s = str(v) ?? '1.1';
  return s.replace(/^HTTP\//i, '') || '1.1';
}

function byteLength(text: string, base64: boolean): number {
  return base64 ? Buffer.from(text, 'base64').length : Buffer.byteLength(text);
}

/** A HAR body (postData or content) as a recorded body: base64 kept, true size from the HAR. */
function body(text: string | null, base64: boolean, declaredSize: number | null, comment: string | null): BodyRecord {
  const data = text ?? '';
  const kept = byteLength(data, base64);
  const size = declaredSize !== null && declaredSize >= 0 ? Math.max(declaredSize, kept) : kept;
  // Pinprobe's export says "body truncated by the recorder"; other tools leave text short of size.
  const truncated = /truncated/i.test(comment ?? '') || (text !== null && kept < size);
  return { size, encoding: base64 ? 'base64' : 'utf8', data, truncated };
}

function requestEvent(e: Rec, req: Rec, index: number): RequestEvent | string {
  const method = str(req['method']);
  const url = str(req['url']);
  if (!method) return 'no request.method';
  if (!url) return 'no request.url';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `request.url "${url.slice(0, 80)}" is not an absolute URL`;
  }
  // A WebSocket entry (Chrome, Pinprobe) has a ws(s):// URL: recorded as its http(s) upgrade request.
  const wsScheme = parsed.protocol === 'ws:' || parsed.protocol === 'wss:';
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:' && !wsScheme) return `request.url "${url.slice(0, 80)}" is not http, https, ws or wss`;
  const time = str(e['startedDateTime']);
  if (!time || Number.isNaN(Date.parse(time))) return 'no valid startedDateTime';
  const post = isRec(req['postData']) ? req['postData'] : null;
  const postComment = post ? str(post['comment']) : null;
  const scheme = parsed.protocol === 'https:' || parsed.protocol === 'wss:' ? 'https' : 'http';
  return {
    type: 'request',
    time: new Date(Date.parse(time)).toISOString(),
    id: `har-${index + 1}`,
    conn: str(e['connection']) ?? `har-${index + 1}`,
    scheme,
    method,
    url: wsScheme ? url.replace(/^ws(s?):/i, 'http$1:') : url,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : scheme === 'https' ? 443 : 80,
    httpVersion: httpVersion(req['httpVersion']),
    headers: headers(req['headers']),
    body: body(post ? str(post['text']) : null, /encoding: base64/.test(postComment ?? ''), num(req['bodySize']), postComment),
    // HAR does not say which device sent it.
    clientAddress: str(e['_clientAddress']) ?? 'HAR',
  };
}

function responseEvent(e: Rec, res: Rec, request: RequestEvent): ResponseEvent | null {
  const status = num(res['status']);
  // Status 0: the request got no answer (how browsers and Pinprobe export that).
  if (status === null || status <= 0) return null;
  const content = isRec(res['content']) ? res['content'] : {};
  const t = isRec(e['timings']) ? e['timings'] : {};
  const ms = (v: unknown) => Math.max(0, num(v) ?? 0);
  const event: ResponseEvent = {
    type: 'response',
    time: request.time,
    id: request.id,
    status,
    statusText: str(res['statusText']) ?? '',
    httpVersion: httpVersion(res['httpVersion']),
    headers: headers(res['headers']),
    body: body(str(content['text']), content['encoding'] === 'base64', num(content['size']), str(content['comment'])),
    timings: { sendMs: ms(t['send']), waitMs: ms(t['wait']), receiveMs: ms(t['receive']) },
  };
  if (/answered by Pinprobe itself/.test(str(res['comment']) ?? '')) event.synthetic = true;
  return event;
}

/** Chrome's `_webSocketMessages` ({type, time in seconds, opcode, data}) as ws-message lines. */
function webSocketMessages(list: unknown, request: RequestEvent): WebSocketMessageEvent[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isRec).flatMap((m) => {
    const direction = m['type'] === 'send' || m['type'] === 'receive' ? m['type'] : null;
    const opcode = num(m['opcode']) ?? 1;
    const data = str(m['data']) ?? '';
    const seconds = num(m['time']);
    if (!direction) return [];
    // Text as sent; binary (opcode 2) is base64 in this format.
    const base64 = opcode !== 1;
    return [{
      type: 'ws-message' as const,
      time: seconds !== null ? new Date(seconds * 1000).toISOString() : request.time,
      ws: `${request.id}-ws`,
      request: request.id,
      direction,
      opcode,
      body: { size: byteLength(data, base64), encoding: base64 ? 'base64' as const : 'utf8' as const, data, truncated: false },
    }];
  });
}

/** Parses HAR text; throws HarImportError naming `file` when it is not HAR at all. */
export function importHar(text: string, file: string): HarImport {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new HarImportError(`${file} is not a HAR file: it is not valid JSON (${jsonErrorPlace(text, (err as Error).message)})`);
  }
  if (!isRec(doc) || !isRec(doc['log'])) throw new HarImportError(`${file} is not a HAR file: it has no "log" object`);
  const entries = doc['log']['entries'];
  if (!Array.isArray(entries)) throw new HarImportError(`${file} is not a HAR file: "log.entries" is ${entries === undefined ? 'missing' : 'not a list'}`);
  const events: SessionEvent[] = [];
  const warnings: string[] = [];
  const skipped: string[] = [];
  entries.forEach((e: unknown, i) => {
    const problem = (why: string) => skipped.push(`entry ${i + 1}: ${why}`);
    if (!isRec(e)) return problem('not an object');
    if (!isRec(e['request'])) return problem('no "request" object');
    const req = requestEvent(e, e['request'], i);
    if (typeof req === 'string') return problem(req);
    events.push(req);
    const res = isRec(e['response']) ? responseEvent(e, e['response'], req) : null;
    if (res) events.push(res);
    events.push(...webSocketMessages(e['_webSocketMessages'], req));
  });
  if (entries.length > 0 && events.length === 0) {
    throw new HarImportError(`${file}: none of its ${entries.length} HAR entries could be read (${skipped.slice(0, 3).join('; ')})`);
  }
  if (skipped.length > 0) {
    warnings.push(`${file}: skipped ${skipped.length} of ${entries.length} HAR entries (${skipped.slice(0, 3).join('; ')}${skipped.length > 3 ? '; …' : ''})`);
  }
  if (entries.length === 0) warnings.push(`${file}: the HAR file has no entries`);
  // Entries may come in any order; Traffic lists them by time like a recording.
  const order = new Map(events.map((ev, i) => [ev, i]));
  const time = (ev: SessionEvent) => Date.parse(ev.time);
  events.sort((a, b) => time(a) - time(b) || order.get(a)! - order.get(b)!);
  return { events, warnings, entries: entries.length };
}

/** A HAR file by its name or its first bytes (`{"log":`), before it is read whole. */
export function looksLikeHar(file: string, head: string): boolean {
  return /\.har$/i.test(file) || /^\uFEFF?\s*\{\s*"log"\s*:/.test(head);
}
