// The rule table for API keys and secrets seen in request URLs and headers (docs/backend.md
// lists it). Well-known formats are matched anywhere in a URL or header value; generic
// carriers are header or parameter names whose value is a key whatever its format. Every
// rule is one medium finding per host (SPEC "Backend").
import { longTextMemo } from './long-text-memo.js';

export interface SecretRule {
  /** Finding id suffix: the finding is `backend-secret-<id>`. */
  id: string;
  title: string;
  /** Matches the secret itself (global flag not used: the first hit is the evidence). */
  pattern: RegExp;
}

/** Well-known key formats (prefixes documented by each vendor). */
export const SECRET_FORMATS: readonly SecretRule[] = [
  { id: 'google-api-key', title: 'Google API key', pattern: /AIza[0-9A-Za-z_-]{35}/ },
  { id: 'aws-access-key', title: 'AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { id: 'stripe-secret-key', title: 'Stripe secret key', pattern: /\b(?:sk|rk)_live_[0-9A-Za-z]{16,}/ },
  { id: 'github-token', title: 'GitHub token', pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{36}\b|\bgithub_pat_[0-9A-Za-z_]{22,}/ },
  { id: 'slack-token', title: 'Slack token', pattern: /\bxox[abposr]-[0-9A-Za-z-]{10,}/ },
  { id: 'private-key', title: 'Private key block', pattern: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/ },
];

/** Generic carriers: a header or query/form field by this name holds an API key. */
export const KEY_CARRIER_HEADERS: ReadonlySet<string> = new Set(['x-api-key', 'api-key', 'apikey', 'x-apikey', 'x-goog-api-key']);
export const KEY_CARRIER_PARAMS: ReadonlySet<string> = new Set(['api_key', 'apikey', 'api-key', 'key']);

export const GENERIC_KEY_RULE = { id: 'api-key', title: 'API key' } as const;

/** A generic carrier's value is only a key when it looks like one (not "1" or "true"). */
export function looksLikeKey(value: string): boolean {
  return value.length >= 12 && /^[\x21-\x7e]+$/.test(value);
}

export interface SecretHit {
  rule: string;
  title: string;
  /** The secret as seen (callers mask it before it reaches any report). */
  value: string;
  /** Where: "header x-api-key", "query key", "url". */
  where: string;
}

/**
 * Some rule of SECRET_FORMATS matches somewhere in the text: their union, one pass over a
 * text instead of one per rule. Almost no URL or header value holds a key, so scanning
 * each rule only where this matches keeps the passive scan of every request cheap (it
 * showed as ~10% of recording's cost in the per-request profile); the hits are the same.
 */
const ANY_FORMAT = new RegExp(SECRET_FORMATS.map((r) => `(?:${r.pattern.source})`).join('|'));

/** Whether some format may be in a text; a long one (a cookie or token sent with every request) is matched once. */
const mayHoldFormat = longTextMemo((text: string) => ANY_FORMAT.test(text), 512);

/** Every rule that fires on one request (at most one hit per rule). */
export function findSecrets(headers: ReadonlyArray<readonly [string, string]>, url: string, params: ReadonlyArray<readonly [string, string]>): SecretHit[] {
  const hits = new Map<string, SecretHit>();
  const add = (hit: SecretHit) => hits.has(hit.rule) || hits.set(hit.rule, hit);
  /** Every format rule over a text ANY_FORMAT matched. */
  const scan = (text: string, where: string) => {
    for (const rule of SECRET_FORMATS) {
      const m = rule.pattern.exec(text);
      if (m) add({ rule: rule.id, title: rule.title, value: m[0], where });
    }
  };
  let decoded = url;
  // Without a % the URL decodes to itself.
  if (url.includes('%')) {
    try {
      decoded = decodeURIComponent(url);
    } catch {
      // keep the raw URL: a stray % must not hide the rest
    }
  }
  if (mayHoldFormat(decoded)) scan(decoded, 'url');
  for (const [name, value] of headers) {
    const n = name.toLowerCase();
    // Whatever the name (cookie and authorization included), its value is scanned for the
    // formats; the where is built only when some format may be there.
    if (mayHoldFormat(value)) scan(value, `header ${n}`);
    // Generic carriers by name (the app's own session credentials, cookie and
    // authorization, are none: the cleartext and JWT rules report them).
    if (KEY_CARRIER_HEADERS.has(n) && looksLikeKey(value)) add({ rule: GENERIC_KEY_RULE.id, title: GENERIC_KEY_RULE.title, value, where: `header ${n}` });
  }
  for (const [name, value] of params) {
    if (KEY_CARRIER_PARAMS.has(name.toLowerCase()) && looksLikeKey(value)) add({ rule: GENERIC_KEY_RULE.id, title: GENERIC_KEY_RULE.title, value, where: `query ${name}` });
  }
  return [...hits.values()];
}
