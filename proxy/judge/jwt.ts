// JSON Web Tokens seen in requests: found, decoded (header and claims, never verified —
// Pinprobe has no key) and judged. The UI's request detail shows the decoded parts, so this
// file stays free of Node APIs (atob and TextDecoder exist in both Node and the browser).
import { longTextMemo } from './long-text-memo.js';

export interface DecodedJwt {
  /** The token as seen. */
  token: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** Where it was seen: "header authorization", "cookie session", "query token", "body". */
  where: string;
}

const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

const utf8 = new TextDecoder();

function fromBase64Url(part: string): string {
  const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((part.length + 3) % 4));
  // A plain loop: Uint8Array.from with a map callback per character was over half of the
  // passive scan of a request carrying a bearer JWT (the live verdicts scan every request).
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return utf8.decode(bytes);
}

function decodePart(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(fromBase64Url(part)) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Decodes one compact JWS; null when it is not a JWT (both parts must be JSON objects). */
export function decodeJwt(token: string, where: string): DecodedJwt | null {
  const [h, c] = token.split('.');
  if (!h || !c) return null;
  const header = decodePart(h);
  const claims = decodePart(c);
  return header && claims && typeof header['alg'] === 'string' ? { token, header, claims, where } : null;
}

/** A token's decoded parts (shared, read-only), each token decoded once. */
const partsOf = longTextMemo((token: string) => {
  const jwt = decodeJwt(token, '');
  return jwt && { header: jwt.header, claims: jwt.claims };
}, 256);

function decodedOnce(token: string, where: string): DecodedJwt | null {
  const parts = partsOf(token);
  return parts && { token, header: parts.header, claims: parts.claims, where };
}

/** What looks like a token in a text, a long text (a header sent again and again) matched once. */
const tokensIn = longTextMemo((text: string): readonly string[] => Array.from(text.matchAll(JWT), (m) => m[0]), 256);

/** JWTs in one text, each token once (across calls sharing `seen`), at most `limit`. */
export function jwtsInText(text: string, where: string, limit = Infinity, seen = new Set<string>(), out: DecodedJwt[] = []): DecodedJwt[] {
  // Every token starts with "eyJ" (a JSON object's "{\"" in base64url): most texts have none.
  if (!text.includes('eyJ')) return out;
  for (const token of tokensIn(text)) {
    if (out.length >= limit) break;
    if (seen.has(token)) continue;
    const jwt = decodedOnce(token, where);
    if (jwt) {
      seen.add(token);
      out.push(jwt);
    }
  }
  return out;
}

/** Every JWT in a request's URL and headers (each token once). */
export function jwtsInRequest(headers: ReadonlyArray<readonly [string, string]>, url: string): DecodedJwt[] {
  const out: DecodedJwt[] = [];
  const seen = new Set<string>();
  jwtsInText(url, 'url', Infinity, seen, out);
  // The where is built only for a value that may hold a token.
  for (const [name, value] of headers) if (value.includes('eyJ')) jwtsInText(value, `header ${name.toLowerCase()}`, Infinity, seen, out);
  return out;
}

export const DAY_SECONDS = 24 * 3600;

export interface JwtProblems {
  algNone: boolean;
  noExp: boolean;
  /** exp − iat (or exp − the time it was seen, without iat), in seconds, when over 24 h. */
  longLifetime: number | null;
  inUrl: boolean;
}

export function jwtProblems(jwt: DecodedJwt, seenAt: number): JwtProblems {
  const alg = String(jwt.header['alg']).toLowerCase();
  const exp = typeof jwt.claims['exp'] === 'number' ? jwt.claims['exp'] : null;
  const iat = typeof jwt.claims['iat'] === 'number' ? jwt.claims['iat'] : Math.floor(seenAt / 1000);
  const lifetime = exp === null ? null : exp - iat;
  return {
    algNone: alg === 'none',
    noExp: exp === null,
    longLifetime: lifetime !== null && lifetime > DAY_SECONDS ? lifetime : null,
    inUrl: jwt.where === 'url',
  };
}
