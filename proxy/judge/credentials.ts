// What counts as a credential in a recorded request: the headers and query/form fields an
// app uses to say who it is. Passive findings look for them; check-auth removes exactly
// these before replaying a request (proxy/check-auth/), so both agree on one list.

/** Header names (lower-case) that carry credentials. */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization', 'proxy-authorization', 'cookie',
  'x-api-key', 'api-key', 'apikey', 'x-apikey', 'x-auth-token', 'x-access-token', 'x-session-token',
  'x-amz-security-token', 'x-goog-api-key', 'x-csrf-token', 'x-xsrf-token',
]);

/** Query or form field names (lower-case) that carry credentials. */
export const CREDENTIAL_PARAMS: ReadonlySet<string> = new Set([
  'api_key', 'apikey', 'api-key', 'key', 'access_token', 'token', 'auth', 'auth_token', 'session', 'sessionid', 'sid',
]);

/** Field names that hold a password-like secret (cleartext finding). */
export const PASSWORD_FIELD = /^(pass(word)?|passwd|pwd|pin|secret|client_secret|otp)$/i;

export function isCredentialHeader(name: string): boolean {
  const n = name.toLowerCase();
  return CREDENTIAL_HEADERS.has(n) || /^x-.*-(api-key|token)$/.test(n);
}

export function isCredentialParam(name: string): boolean {
  return CREDENTIAL_PARAMS.has(name.toLowerCase());
}

/** Query parameters of a URL (absolute or path-only); malformed URLs give none. */
export function queryParams(url: string): Array<[string, string]> {
  const q = url.indexOf('?');
  if (q < 0) return [];
  try {
    return [...new URLSearchParams(url.slice(q + 1).split('#', 1)[0]).entries()];
  } catch {
    return [];
  }
}

/** The credential carriers of a request, by name ("authorization", "cookie", "?api_key"). */
export function credentialCarriers(headers: ReadonlyArray<readonly [string, string]>, url: string): string[] {
  const out: string[] = [];
  for (const [name] of headers) if (isCredentialHeader(name) && !out.includes(name.toLowerCase())) out.push(name.toLowerCase());
  for (const [name] of queryParams(url)) if (isCredentialParam(name) && !out.includes(`?${name}`)) out.push(`?${name}`);
  return out;
}

export interface Stripped {
  headers: Array<[string, string]>;
  url: string;
  /** The body without its credential form fields (a urlencoded form), else as given. */
  body: Uint8Array;
  /** What was taken away, e.g. ["authorization", "?api_key", "form:password"]. */
  removed: string[];
}

function isUrlencodedForm(headers: ReadonlyArray<readonly [string, string]>): boolean {
  const type = headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
  return /^application\/x-www-form-urlencoded\b/i.test(type.trim());
}

/**
 * The request without its credentials — headers, query parameters and, in a urlencoded form
 * body, the same field names — everything else as recorded, in order. A replay that says
 * "without credentials" must not carry a `token=` in its body.
 */
export function stripCredentials(headers: ReadonlyArray<readonly [string, string]>, url: string, body: Uint8Array = new Uint8Array(0)): Stripped {
  const removed: string[] = [];
  const kept: Array<[string, string]> = [];
  for (const [name, value] of headers) {
    if (isCredentialHeader(name)) {
      if (!removed.includes(name.toLowerCase())) removed.push(name.toLowerCase());
    } else kept.push([name, value]);
  }
  let outBody = body;
  if (body.length > 0 && isUrlencodedForm(headers)) {
    const fields = [...new URLSearchParams(new TextDecoder().decode(body))];
    const left = fields.filter(([name]) => {
      if (!isCredentialParam(name)) return true;
      if (!removed.includes(`form:${name}`)) removed.push(`form:${name}`);
      return false;
    });
    if (left.length !== fields.length) outBody = new TextEncoder().encode(new URLSearchParams(left).toString());
  }
  const q = url.indexOf('?');
  if (q < 0) return { headers: kept, url, body: outBody, removed };
  const params = queryParams(url);
  const left = params.filter(([name]) => {
    if (!isCredentialParam(name)) return true;
    if (!removed.includes(`?${name}`)) removed.push(`?${name}`);
    return false;
  });
  if (left.length === params.length) return { headers: kept, url, body: outBody, removed };
  const query = new URLSearchParams(left).toString();
  return { headers: kept, url: url.slice(0, q) + (query ? `?${query}` : ''), body: outBody, removed };
}

/** Path with the query's names but not its values, e.g. "/v1/items?page&sort". */
export function endpointPath(url: string): string {
  let path = url;
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  if (m) path = url.slice(m[0].length) || '/';
  const [base = '/', query] = path.split('#', 1)[0].split('?', 2) as [string, string | undefined];
  if (query === undefined) return base;
  const names = [...new Set(queryParams(`?${query}`).map(([n]) => n))].sort();
  return names.length ? `${base}?${names.join('&')}` : base;
}
