// The backend rule table, JWT decoding, masking and the replay classification, fed
// recorded-shaped requests directly (no sockets).
import { describe, expect, it } from 'vitest';
import { classifyReplay } from '../../proxy/judge/backend-active.js';
import { endpointPath, stripCredentials } from '../../proxy/judge/credentials.js';
import { decodeJwt, jwtsInRequest } from '../../proxy/judge/jwt.js';
import { maskSecret, maskUrl } from '../../proxy/judge/mask.js';
import { isCredentialParam } from '../../proxy/judge/credentials.js';
import { SECRET_FORMATS } from '../../proxy/judge/secret-rules.js';
import { passiveBackendFindings } from '../../proxy/judge/backend-passive.js';
import { findSecrets } from '../../proxy/judge/secret-rules.js';
import type { RequestEvent, ResponseEvent } from '../../proxy/session/events.js';
import { jwt } from '../helpers/api-origin.js';
import { Prng } from '../helpers/prng.js';

const request = (over: Partial<RequestEvent>): RequestEvent => ({
  type: 'request', time: '2026-01-01T00:00:00.000Z', id: 'r1', conn: 'c1', scheme: 'https', method: 'GET', url: 'https://api.test/v1/x',
  host: 'api.test', port: 443, httpVersion: '1.1', headers: [], body: { size: 0, encoding: 'utf8', data: '', truncated: false }, clientAddress: '127.0.0.1', ...over,
});
const response = (status: number, body: string, headers: Array<[string, string]> = [['content-type', 'application/json']]): ResponseEvent => ({
  type: 'response', time: '2026-01-01T00:00:00.000Z', id: 'r1', status, statusText: '', httpVersion: '1.1', headers,
  body: { size: body.length, encoding: 'utf8', data: body, truncated: false }, timings: { sendMs: 0, waitMs: 0, receiveMs: 0 },
});

describe('secret rule table', () => {
  const samples: Record<string, string> = {
    'google-api-key': `AIza${'B'.repeat(35)}`,
    'aws-access-key': 'AKIAABCDEFGHIJKLMNOP',
    'stripe-secret-key': `sk_live_${'a1'.repeat(12)}`,
    'github-token': `ghp_${'x'.repeat(36)}`,
    'slack-token': 'xoxb-1234567890-abcdef',
    'private-key': '-----BEGIN RSA PRIVATE KEY-----',
  };
  for (const [rule, value] of Object.entries(samples)) {
    it(`finds a ${rule} in a header and in a URL`, () => {
      expect(findSecrets([['x-custom', `v=${value}`]], 'https://a.test/', []).map((h) => h.rule)).toContain(rule);
      expect(findSecrets([], `https://a.test/?q=${encodeURIComponent(value)}`, []).map((h) => h.rule)).toContain(rule);
    });
  }
  it('finds, with its one-pass pre-check, what scanning every rule over every text finds', () => {
    // Texts built from pieces of keys, near misses, separators and %-escapes.
    const pieces = [...Object.values(samples), 'AIza', 'AKIA', 'sk_live_', 'ghp_', 'github_pat_', 'xoxb-', '-----BEGIN ', 'eyJ', '%41', '%', '/', ' ', '=', 'B'.repeat(20), 'Z9'];
    const r = new Prng(5);
    const everyRule = (text: string) => SECRET_FORMATS.filter((rule) => rule.pattern.test(text)).map((rule) => rule.id);
    let hits = 0;
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({ length: r.int(1, 6) }, () => r.pick(pieces)).join('');
      const got = findSecrets([['x-custom', text]], `https://a.test/${text}`, []);
      let decoded = `https://a.test/${text}`;
      try {
        decoded = decodeURIComponent(decoded);
      } catch {
        // as findSecrets: the raw URL
      }
      expect(got.filter((h) => h.where === 'url').map((h) => h.rule).sort(), text).toEqual(everyRule(decoded).sort());
      expect(got.filter((h) => h.where === 'header x-custom').map((h) => h.rule).sort(), text).toEqual(everyRule(text).filter((id) => !everyRule(decoded).includes(id)).sort());
      hits += got.length;
    }
    expect(hits).toBeGreaterThan(500);
  });
  it('takes generic carriers only when the value looks like a key', () => {
    expect(findSecrets([['X-API-Key', 'abcdef0123456789']], 'https://a.test/', []).map((h) => h.rule)).toEqual(['api-key']);
    expect(findSecrets([], 'https://a.test/', [['key', 'true']])).toEqual([]);
    expect(findSecrets([], 'https://a.test/', [['api_key', 'k-0123456789abcdef']]).map((h) => h.where)).toEqual(['query api_key']);
  });
  it('finds the same in long values sent again and again (they are scanned once) as in new ones', () => {
    const cookie = `session=${'a'.repeat(200)}; theme=dark`;
    const keyed = `session=${'b'.repeat(200)}; k=AIza${'x'.repeat(35)}`;
    for (let i = 0; i < 3; i++) {
      expect(findSecrets([['cookie', cookie]], `https://a.test/${'p'.repeat(100)}`, [])).toEqual([]);
      expect(findSecrets([['cookie', keyed]], 'https://a.test/', []).map((h) => [h.rule, h.where])).toEqual([['google-api-key', 'header cookie']]);
    }
    // More distinct long values than are remembered, each judged on its own.
    for (let i = 0; i < 1200; i++) {
      const value = `t=${'c'.repeat(100)}${i}` + (i % 7 === 0 ? ` AKIA${'Q'.repeat(16)}` : '');
      expect(findSecrets([['x-t', value]], 'https://a.test/', []).length, value).toBe(i % 7 === 0 ? 1 : 0);
    }
  });
  it('masks all but a short prefix', () => {
    expect(maskSecret('sk_live_abcdefghijklmnop')).toBe('sk_liv…(24 chars)');
    expect(maskSecret('abc')).toBe('a…(3 chars)');
  });
  it('masks credential parameters and key formats in URLs shown in reports', () => {
    const url = maskUrl(`http://a.test/x?page=2&api_key=k-0123456789&q=AKIAABCDEFGHIJKLMNOP`, isCredentialParam, SECRET_FORMATS);
    expect(url).toBe('http://a.test/x?page=2&api_key=k-01…(12 chars)&q=AKIAAB…(20 chars)');
  });
});

describe('JSON Web Tokens', () => {
  it('decodes header and claims, and ignores look-alikes', () => {
    const t = jwt({ alg: 'RS256' }, { sub: 'u', exp: 10 });
    expect(decodeJwt(t, 'url')).toMatchObject({ header: { alg: 'RS256' }, claims: { sub: 'u', exp: 10 } });
    expect(decodeJwt('eyJub3QiOiJqc29u.eyJ4IjoxfQ.x', 'url')).toBeNull();
    expect(jwtsInRequest([['Authorization', `Bearer ${t}`]], '/x').map((j) => j.where)).toEqual(['header authorization']);
  });
  it('judges alg none (high), no exp (low), over 24 h (low) and in a URL (medium)', () => {
    const none = jwt({ alg: 'none' }, { sub: 'u' });
    const long = jwt({ alg: 'HS256' }, { iat: 0, exp: 25 * 3600 });
    const short = jwt({ alg: 'HS256' }, { iat: 0, exp: 3600 });
    const f = passiveBackendFindings([
      request({ id: 'r1', url: `https://api.test/feed?token=${none}` }),
      request({ id: 'r2', headers: [['authorization', `Bearer ${long}`]] }),
      request({ id: 'r3', headers: [['authorization', `Bearer ${short}`]] }),
    ]);
    const sev = Object.fromEntries(f.map((x) => [x.id, x.severity]));
    expect(sev).toEqual({ 'backend-jwt-alg-none': 'high', 'backend-jwt-no-exp': 'low', 'backend-jwt-in-url': 'medium', 'backend-jwt-long-lived': 'low' });
    expect(f.find((x) => x.id === 'backend-jwt-long-lived')?.evidence).toContain('(r2)');
    for (const x of f) expect(x.evidence).not.toContain(none);
  });
  it('decodes multi-byte claims, and a token seen again (decoded once) says where it was seen each time', () => {
    const t = jwt({ alg: 'HS256' }, { name: 'Zoë 中文 😀', exp: 99 });
    const first = jwtsInRequest([['Authorization', `Bearer ${t}`]], '/x');
    const again = jwtsInRequest([['X-Token', t]], `/y?token=${t}`);
    expect(first.map((j) => [j.where, j.claims['name']])).toEqual([['header authorization', 'Zoë 中文 😀']]);
    // In the URL first, then (the same token, once per request) not again from the header.
    expect(again.map((j) => j.where)).toEqual(['url']);
    expect(again[0]!.claims).toEqual({ name: 'Zoë 中文 😀', exp: 99 });
    // A look-alike stays none however often it is seen.
    for (let i = 0; i < 3; i++) expect(jwtsInRequest([['X-Token', 'eyJub3QiOiJqc29u.eyJ4IjoxfQ.x']], '/')).toEqual([]);
    // More distinct tokens than are kept: each still decodes to its own claims.
    for (let i = 0; i < 600; i++) expect(jwtsInRequest([['X-Token', jwt({ alg: 'HS256' }, { n: i })]], '/')[0]!.claims).toEqual({ n: i });
  });
  it('skips the requests check-auth sent', () => {
    const none = jwt({ alg: 'none' }, {});
    expect(passiveBackendFindings([request({ url: `https://a.test/?t=${none}`, check: { kind: 'burst', of: 'r1', removed: [] } })])).toEqual([]);
  });
});

describe('credentials over cleartext', () => {
  it('is critical for Basic auth and high for other carriers and password fields', () => {
    const f = passiveBackendFindings([
      request({ scheme: 'http', url: 'http://a.test/login', method: 'POST', headers: [['Authorization', 'Basic YWxpY2U6cHc='], ['content-type', 'application/x-www-form-urlencoded']], body: { size: 20, encoding: 'utf8', data: 'user=a&password=pw', truncated: false } }),
    ]);
    expect(f.map((x) => `${x.id} ${x.severity}`).sort()).toEqual(['backend-cleartext-basic-auth critical', 'backend-cleartext-credentials high']);
    expect(JSON.stringify(f)).not.toContain('YWxpY2U6cHc=');
  });
  it('says nothing about the same credentials over https', () => {
    expect(passiveBackendFindings([request({ headers: [['cookie', 'sid=1']] })])).toEqual([]);
  });
});

describe('replay without credentials', () => {
  it('removes Authorization, Cookie, API-key headers and parameters, keeping the rest', () => {
    const s = stripCredentials([['Accept', '*/*'], ['Authorization', 'Bearer x'], ['Cookie', 'a=1'], ['X-Api-Key', 'k']], 'https://a.test/v1?page=2&api_key=k&access_token=t');
    expect(s.headers).toEqual([['Accept', '*/*']]);
    expect(s.url).toBe('https://a.test/v1?page=2');
    expect(s.removed).toEqual(['authorization', 'cookie', 'x-api-key', '?api_key', '?access_token']);
  });
  it('removes the same credential fields from a urlencoded form body, and leaves other bodies alone', () => {
    const form = [['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8']] as Array<[string, string]>;
    const s = stripCredentials(form, 'https://a.test/login', new TextEncoder().encode('user=ada&access_token=t&api_key=k&x=1'));
    expect(new TextDecoder().decode(s.body)).toBe('user=ada&x=1');
    expect(s.removed).toEqual(['form:access_token', 'form:api_key']);
    const json = new TextEncoder().encode('{"password":"hunter2"}');
    const j = stripCredentials([['Content-Type', 'application/json']], 'https://a.test/login', json);
    expect(j.body).toBe(json);
    expect(j.removed).toEqual([]);
  });
  it('names endpoints by method and path without query values', () => {
    expect(endpointPath('https://a.test/v1/items?sort=a&page=2#x')).toBe('/v1/items?page&sort');
  });
  it('classifies protected, unprotected and unknown answers', () => {
    const orig = response(200, '{"id":1,"name":"a"}');
    expect(classifyReplay('GET', orig, response(401, ''))).toBe('protected');
    expect(classifyReplay('GET', orig, response(302, '', [['location', '/login?next=/']]))).toBe('protected');
    expect(classifyReplay('GET', orig, response(302, '', [['location', '/home']]))).toBe('unknown');
    expect(classifyReplay('GET', orig, response(200, '{"name":"b","id":2}'))).toBe('unprotected');
    expect(classifyReplay('GET', orig, response(200, '<html>login page</html>'.repeat(20), [['content-type', 'text/html']]))).toBe('unknown');
    expect(classifyReplay('GET', orig, response(500, 'x'))).toBe('unknown');
    expect(classifyReplay('GET', orig, undefined)).toBe('unknown');
  });
});
