// What POST /api/resend accepts, checked field by field: every problem names the field it
// is about (`edit.url`, `edit.headers.2.value`, …) so the UI can show it next to that input.
import type { HeaderList } from '../session/events.js';

export interface ResendEdit {
  method?: string;
  url?: string;
  headers?: HeaderList;
  /** The new body, as text or base64 (see bodyEncoding). */
  body?: string;
  bodyEncoding?: 'utf8' | 'base64';
}

export interface ResendRequest {
  /** The recorded request's id (a request line of the viewed session). */
  of: string;
  edit: ResendEdit | null;
  /** "strip": send without credentials (Authorization, Cookie, API-key headers and parameters). */
  credentials: 'keep' | 'strip';
  /**
   * auto: the certificate a --client-cert rule gives this host (as the app's requests get);
   * configured: the same, and an error when none is configured; none: without one.
   */
  clientCert: 'auto' | 'configured' | 'none';
}

/** A field problem: `field` is the dotted path, `detail` the words for next to it. */
export class ResendFieldError extends Error {
  constructor(readonly field: string, readonly detail: string) {
    super(`${field}: ${detail}`);
  }
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Header values: tab and visible bytes, no CR, LF or NUL (they would split the header). */
const VALUE = /^[\t\x20-\x7e\x80-\uffff]*$/;
export const MAX_HEADERS = 200;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneOf<T extends string>(v: unknown, field: string, values: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  throw new ResendFieldError(field, `must be one of ${values.map((x) => `"${x}"`).join(', ')} (got ${JSON.stringify(v)})`);
}

export function parseMethod(v: unknown, field = 'edit.method'): string {
  if (typeof v !== 'string' || v === '') throw new ResendFieldError(field, 'must be an HTTP method such as GET or POST');
  if (v.length > 32 || !TOKEN.test(v)) throw new ResendFieldError(field, `"${v.slice(0, 40)}" is not an HTTP method (letters, digits and !#$%&'*+.^_\`|~- only)`);
  return v;
}

/** An absolute http(s) URL; the host and port it names are where the request goes. */
export function parseUrl(v: unknown, field = 'edit.url'): URL {
  if (typeof v !== 'string' || v.trim() === '') throw new ResendFieldError(field, 'must be an absolute URL such as https://api.example.com/v1/items');
  let url: URL;
  try {
    url = new URL(v.trim());
  } catch {
    throw new ResendFieldError(field, `"${v.slice(0, 80)}" is not a URL (write it with http:// or https://)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ResendFieldError(field, `${url.protocol} is not supported: resend sends http:// or https:// requests`);
  if (url.hostname === '') throw new ResendFieldError(field, 'has no host');
  return url;
}

export function parseHeaders(v: unknown, field = 'edit.headers'): HeaderList {
  if (!Array.isArray(v)) throw new ResendFieldError(field, 'must be a list of [name, value] pairs');
  if (v.length > MAX_HEADERS) throw new ResendFieldError(field, `at most ${MAX_HEADERS} headers`);
  const out: HeaderList = [];
  v.forEach((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new ResendFieldError(`${field}.${i}`, 'must be a [name, value] pair');
    const [name, value] = pair as [unknown, unknown];
    // An HTTP/2 request's pseudo-headers (recorded first, shown in the editor) are its request
    // line: method and URL are edited as such, so they are left out here.
    if (typeof name === 'string' && name.startsWith(':')) return;
    if (typeof name !== 'string' || !TOKEN.test(name)) throw new ResendFieldError(`${field}.${i}.name`, `${JSON.stringify(name)} is not a header name (letters, digits and !#$%&'*+.^_\`|~- only)`);
    if (typeof value !== 'string' || !VALUE.test(value)) throw new ResendFieldError(`${field}.${i}.value`, `the value of ${name} must be text without line breaks or NUL`);
    out.push([name, value]);
  });
  return out;
}

function parseEdit(v: unknown): ResendEdit | null {
  if (v === undefined || v === null) return null;
  if (!isObj(v)) throw new ResendFieldError('edit', 'must be an object with any of method, url, headers, body');
  const unknown = Object.keys(v).filter((k) => !['method', 'url', 'headers', 'body', 'bodyEncoding'].includes(k));
  if (unknown.length > 0) throw new ResendFieldError(`edit.${unknown[0]}`, 'is not something resend can change (method, url, headers, body)');
  const edit: ResendEdit = {};
  if (v['method'] !== undefined) edit.method = parseMethod(v['method']);
  if (v['url'] !== undefined) edit.url = parseUrl(v['url']).href;
  if (v['headers'] !== undefined) edit.headers = parseHeaders(v['headers']);
  edit.bodyEncoding = oneOf(v['bodyEncoding'], 'edit.bodyEncoding', ['utf8', 'base64'] as const, 'utf8');
  if (v['body'] !== undefined) {
    if (typeof v['body'] !== 'string') throw new ResendFieldError('edit.body', 'must be a string (text, or base64 with bodyEncoding "base64")');
    if (edit.bodyEncoding === 'base64' && !/^[A-Za-z0-9+/]*={0,2}$/.test(v['body'].replace(/\s+/g, ''))) throw new ResendFieldError('edit.body', 'is not base64');
    edit.body = v['body'];
  }
  return edit;
}

export function parseResendRequest(body: Record<string, unknown>): ResendRequest {
  const unknown = Object.keys(body).filter((k) => !['of', 'edit', 'credentials', 'clientCert'].includes(k));
  if (unknown.length > 0) throw new ResendFieldError(unknown[0]!, 'is not a resend option (of, edit, credentials, clientCert)');
  const of = body['of'];
  if (typeof of !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(of)) throw new ResendFieldError('of', 'must be the id of a recorded request (e.g. "r12")');
  return {
    of,
    edit: parseEdit(body['edit']),
    credentials: oneOf(body['credentials'], 'credentials', ['keep', 'strip'] as const, 'keep'),
    clientCert: oneOf(body['clientCert'], 'clientCert', ['auto', 'configured', 'none'] as const, 'auto'),
  };
}
