// HAR 1.2 export of a session's HTTP flows, for HAR viewers and other proxies' importers.
// TLS outcomes, scenarios and verdicts have no place in HAR; the native file keeps them.
import { isIP } from 'node:net';
import type { BodyRecord, HeaderList, RequestEvent, ResponseEvent, SessionEvent, SessionLine, WebSocketMessageEvent } from './events.js';

export interface HarNameValue {
  name: string;
  value: string;
}
export interface HarCookie extends HarNameValue {
  path?: string;
  domain?: string;
  expires?: string;
  httpOnly?: boolean;
  secure?: boolean;
}
export interface HarPostData {
  mimeType: string;
  params: HarNameValue[];
  text: string;
  comment?: string;
}
export interface HarContent {
  size: number;
  mimeType: string;
  text?: string;
  encoding?: 'base64';
  comment?: string;
}
export interface HarRequest {
  method: string;
  url: string;
  httpVersion: string;
  cookies: HarCookie[];
  headers: HarNameValue[];
  queryString: HarNameValue[];
  postData?: HarPostData;
  headersSize: number;
  bodySize: number;
  comment?: string;
  /** Trailer fields after the body (HAR has none of its own; "_" fields are HAR's extension point). */
  _trailers?: HarNameValue[];
}
export interface HarResponse {
  status: number;
  statusText: string;
  httpVersion: string;
  cookies: HarCookie[];
  headers: HarNameValue[];
  content: HarContent;
  redirectURL: string;
  headersSize: number;
  bodySize: number;
  comment?: string;
  /** gRPC's grpc-status and grpc-message arrive here. */
  _trailers?: HarNameValue[];
}
export interface HarTimings {
  blocked: number;
  dns: number;
  connect: number;
  ssl: number;
  send: number;
  wait: number;
  receive: number;
}
/** Chrome DevTools' (and HTTP Toolkit's) WebSocket extension to HAR: one per data message. */
export interface HarWebSocketMessage {
  type: 'send' | 'receive';
  /** Seconds since the epoch, with a fraction. */
  time: number;
  /** 1 text, 2 binary (base64 data). */
  opcode: number;
  data: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: HarRequest;
  response: HarResponse;
  cache: Record<string, never>;
  timings: HarTimings;
  serverIPAddress?: string;
  connection?: string;
  comment?: string;
  _resourceType?: 'websocket';
  _webSocketMessages?: HarWebSocketMessage[];
}
export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    pages: never[];
    entries: HarEntry[];
    comment?: string;
  };
}

export interface HarOptions {
  creatorVersion: string;
}

function headerValue(headers: HeaderList, name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

function nameValues(headers: HeaderList): HarNameValue[] {
  return headers.map(([name, value]) => ({ name, value }));
}

/** HAR viewers expect "HTTP/1.1"; the recorder stores just "1.1" (and "2" for HTTP/2, which HAR writes "HTTP/2.0", as Chrome's export does). */
function httpVersion(version: string): string {
  const v = /^HTTP\//i.test(version) ? version.slice(5) : version;
  return v === '2' || v === '2.0' ? 'HTTP/2.0' : `HTTP/${v.toUpperCase()}`;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function parsePairs(text: string): HarNameValue[] {
  if (text === '') return [];
  return text.split('&').filter(Boolean).map((pair) => {
    const eq = pair.indexOf('=');
    return eq < 0 ? { name: decodeComponent(pair), value: '' } : { name: decodeComponent(pair.slice(0, eq)), value: decodeComponent(pair.slice(eq + 1)) };
  });
}

function queryString(url: string): HarNameValue[] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  const hash = url.indexOf('#', q);
  return parsePairs(url.slice(q + 1, hash < 0 ? undefined : hash));
}

function requestCookies(headers: HeaderList): HarCookie[] {
  const out: HarCookie[] = [];
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'cookie') continue;
    for (const part of value.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0) out.push({ name: part.slice(0, eq).trim(), value: part.slice(eq + 1).trim() });
    }
  }
  return out;
}

function responseCookies(headers: HeaderList): HarCookie[] {
  const out: HarCookie[] = [];
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'set-cookie') continue;
    const [first = '', ...attrs] = value.split(';');
    const eq = first.indexOf('=');
    if (eq <= 0) continue;
    const cookie: HarCookie = { name: first.slice(0, eq).trim(), value: first.slice(eq + 1).trim() };
    for (const attr of attrs) {
      const [key = '', ...rest] = attr.split('=');
      const k = key.trim().toLowerCase();
      const v = rest.join('=').trim();
      if (k === 'path') cookie.path = v;
      else if (k === 'domain') cookie.domain = v;
      else if (k === 'expires') {
        const when = Date.parse(v);
        if (!Number.isNaN(when)) cookie.expires = new Date(when).toISOString();
      } else if (k === 'httponly') cookie.httpOnly = true;
      else if (k === 'secure') cookie.secure = true;
    }
    out.push(cookie);
  }
  return out;
}

function truncationNote(body: BodyRecord): string | undefined {
  if (!body.truncated) return undefined;
  const kept = body.encoding === 'base64' ? Buffer.from(body.data, 'base64').length : Buffer.byteLength(body.data);
  return `body truncated by the recorder: ${kept} of ${body.size} bytes kept`;
}

function joinComments(...parts: Array<string | undefined>): string | undefined {
  const present = parts.filter((p): p is string => Boolean(p));
  return present.length > 0 ? present.join('; ') : undefined;
}

function postData(req: RequestEvent): HarPostData | undefined {
  if (req.body.size === 0 && req.body.data === '') return undefined;
  const mimeType = headerValue(req.headers, 'content-type') ?? 'application/octet-stream';
  const binary = req.body.encoding === 'base64';
  // HAR 1.2 postData has no encoding field: binary bodies are kept as base64 and say so.
  const comment = joinComments(binary ? 'encoding: base64 (binary body)' : undefined, truncationNote(req.body));
  const params = !binary && /^application\/x-www-form-urlencoded\b/i.test(mimeType) ? parsePairs(req.body.data) : [];
  const out: HarPostData = { mimeType, params, text: req.body.data };
  if (comment) out.comment = comment;
  return out;
}

function harRequest(req: RequestEvent): HarRequest {
  const out: HarRequest = {
    method: req.method,
    url: req.url,
    httpVersion: httpVersion(req.httpVersion),
    cookies: requestCookies(req.headers),
    headers: nameValues(req.headers),
    queryString: queryString(req.url),
    headersSize: -1,
    bodySize: req.body.size,
  };
  const data = postData(req);
  if (data) out.postData = data;
  if (req.trailers?.length) out._trailers = nameValues(req.trailers);
  return out;
}

function harResponse(res: ResponseEvent): HarResponse {
  const content: HarContent = {
    size: res.body.size,
    mimeType: headerValue(res.headers, 'content-type') ?? 'x-unknown',
    text: res.body.data,
  };
  if (res.body.encoding === 'base64') content.encoding = 'base64';
  const note = truncationNote(res.body);
  if (note) content.comment = note;
  const out: HarResponse = {
    status: res.status,
    statusText: res.statusText,
    httpVersion: httpVersion(res.httpVersion),
    cookies: responseCookies(res.headers),
    headers: nameValues(res.headers),
    content,
    redirectURL: headerValue(res.headers, 'location') ?? '',
    headersSize: -1,
    bodySize: res.body.size,
  };
  if (res.synthetic) out.comment = 'answered by Pinprobe itself, not by the backend';
  if (res.trailers?.length) out._trailers = nameValues(res.trailers);
  return out;
}

/** What a HAR viewer shows for a request that never got an answer (status 0, as browsers do). */
function missingResponse(req: RequestEvent): HarResponse {
  return {
    status: 0, statusText: '', httpVersion: httpVersion(req.httpVersion), cookies: [], headers: [],
    content: { size: 0, mimeType: 'x-unknown' }, redirectURL: '', headersSize: -1, bodySize: -1,
    comment: 'no response was recorded',
  };
}

function nonNegative(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

export function toHar(events: readonly (SessionEvent | SessionLine)[], opts: HarOptions): Har {
  const responses = new Map<string, ResponseEvent>();
  const messages = new Map<string, WebSocketMessageEvent[]>();
  for (const event of events) {
    if (event.type === 'response') responses.set(event.id, event);
    else if (event.type === 'ws-message') {
      const list = messages.get(event.request);
      if (list) list.push(event);
      else messages.set(event.request, [event]);
    }
  }

  const entries: HarEntry[] = [];
  for (const event of events) {
    if (event.type !== 'request') continue;
    const res = responses.get(event.id);
    const send = nonNegative(res?.timings.sendMs);
    const wait = nonNegative(res?.timings.waitMs);
    const receive = nonNegative(res?.timings.receiveMs);
    const entry: HarEntry = {
      startedDateTime: event.time,
      time: send + wait + receive,
      request: harRequest(event),
      response: res ? harResponse(res) : missingResponse(event),
      cache: {},
      timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send, wait, receive },
      connection: event.conn,
    };
    // Only an address literal is certain; names were resolved upstream and not recorded.
    const bare = event.host.replace(/^\[|\]$/g, '');
    if (isIP(bare) !== 0) entry.serverIPAddress = bare;
    const ws = messages.get(event.id);
    if (ws || res?.status === 101) addWebSocket(entry, ws ?? []);
    entries.push(entry);
  }
  entries.sort((a, b) => Date.parse(a.startedDateTime) - Date.parse(b.startedDateTime));
  return { log: { version: '1.2', creator: { name: 'Pinprobe', version: opts.creatorVersion }, pages: [], entries } };
}

/**
 * A WebSocket upgrade's entry as Chrome exports it: the ws(s):// URL, `_resourceType`, and
 * the data messages (text and binary; control frames are not part of that format). A
 * message cut by the recorder's cap is exported as kept, and the entry's comment says so.
 */
function addWebSocket(entry: HarEntry, messages: readonly WebSocketMessageEvent[]): void {
  entry.request.url = entry.request.url.replace(/^http(s?):/i, 'ws$1:');
  entry._resourceType = 'websocket';
  const data = messages.filter((m) => m.opcode === 1 || m.opcode === 2);
  entry._webSocketMessages = data.map((m) => ({
    type: m.direction,
    time: Date.parse(m.time) / 1000,
    opcode: m.opcode,
    // Chrome gives binary messages as base64; a text message that was not valid UTF-8 is kept as base64 too.
    data: m.opcode === 2 && m.body.encoding === 'utf8' ? Buffer.from(m.body.data, 'utf8').toString('base64') : m.body.data,
  }));
  const cut = data.filter((m) => m.body.truncated || m.compressed).length;
  if (cut > 0) entry.comment = joinComments(entry.comment, `${cut} WebSocket message(s) truncated by the recorder's cap or kept compressed`);
}
