// Backend checks end to end: curl records traffic through the real proxy to a real API
// origin on loopback; the report shows the passive findings with masked values; the real
// `pinprobe check-auth` replays without credentials, within its limits, appends every line
// to the session, and the report reads them back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readSession } from '../../../proxy/session/reader.js';
import type { RequestEvent } from '../../../proxy/session/events.js';
import { GOOGLE_KEY, NONE_TOKEN, SESSION_COOKIE, TOKEN, startApiOrigin, type ApiOrigin } from '../../helpers/api-origin.js';
import { startEngine } from '../../helpers/engine.js';
import { testPki } from '../../helpers/pki.js';
import { curl, pinprobe } from '../../helpers/run.js';

interface JsonHost {
  host: string;
  port: number;
  backend: { auth: Array<{ method: string; path: string; result: string; status: number | null }>; rateLimit: string };
  findings: Array<{ id: string; severity: string; masvs: string; evidence?: string }>;
}

describe('backend checks on a recorded session', () => {
  let origin: ApiOrigin;
  let file: string;
  const ca = testPki().caCertPath;

  beforeAll(async () => {
    origin = await startApiOrigin(5);
    const proxy = await startEngine({ scenario: 'trusted' });
    file = proxy.engine.sessionFile;
    const p = proxy.proxyUrl;
    const base = `https://localhost:${origin.port}`;
    const trust = ['--cacert', proxy.caPath];
    const runs = [
      curl(p, `${base}/v1/me`, [...trust, '-H', `Authorization: Bearer ${TOKEN}`]),
      curl(p, `${base}/v1/cart`, [...trust, '-H', `Cookie: ${SESSION_COOKIE}`]),
      curl(p, `${base}/v1/catalog?page=2`, [...trust, '-H', `x-api-key: ${GOOGLE_KEY}`]),
      curl(p, `${base}/v1/feed?access_token=${NONE_TOKEN}`, trust),
      curl(p, `${base}/v1/orders`, [...trust, '-H', `Authorization: Bearer ${TOKEN}`, '-H', 'content-type: application/json', '-d', '{"item":1}']),
      curl(p, `https://127.0.0.1:${origin.port}/v1/stock`, [...trust, '-H', `Authorization: Bearer ${TOKEN}`]),
      curl(p, `http://127.0.0.1:${origin.httpPort}/login?api_key=plain-key-0123456789abc`, ['-u', 'alice:pw-basic-secret', '-d', 'user=alice&password=hunter2-secret']),
    ];
    for (const r of await Promise.all(runs)) expect(r.stderr).toBe('');
    await proxy.waitFor((l) => l.type === 'response' && l.status === 200 && proxy.engine.lines().filter((x) => x.type === 'response').length >= 7);
    await proxy.close();
    origin.reset();
  });
  afterAll(async () => {
    await origin?.close();
  });

  const reportJson = async (): Promise<JsonHost[]> => {
    const r = await pinprobe(['report', file, '--format', 'json']);
    expect(r.code).toBe(0);
    return (JSON.parse(r.stdout) as { hosts: JsonHost[] }).hosts;
  };
  const hostOf = (hosts: JsonHost[], host: string, port: number) => {
    const h = hosts.find((x) => x.host === host && x.port === port);
    if (!h) throw new Error(`no ${host}:${port} in ${hosts.map((x) => `${x.host}:${x.port}`).join(', ')}`);
    return h;
  };

  it('reports credentials, keys and tokens from the recorded traffic, values masked', async () => {
    const hosts = await reportJson();
    const api = hostOf(hosts, 'localhost', origin.port);
    const ids = api.findings.map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining([
      'backend-secret-google-api-key', 'backend-secret-api-key', 'backend-jwt-alg-none', 'backend-jwt-no-exp', 'backend-jwt-in-url', 'backend-jwt-long-lived',
    ]));
    expect(api.findings.find((f) => f.id === 'backend-jwt-alg-none')?.severity).toBe('high');
    expect(api.findings.find((f) => f.id === 'backend-jwt-in-url')?.severity).toBe('medium');
    expect(api.findings.find((f) => f.id === 'backend-jwt-long-lived')?.severity).toBe('low');
    const key = api.findings.find((f) => f.id === 'backend-secret-google-api-key');
    expect(key?.severity).toBe('medium');
    expect(key?.evidence).toMatch(/GET \/v1\/catalog \(r\d+\): header x-api-key = AIzaSy…\(39 chars\)/);
    const login = hostOf(hosts, '127.0.0.1', origin.httpPort);
    expect(login.findings.find((f) => f.id === 'backend-cleartext-basic-auth')?.severity).toBe('critical');
    const cleartext = login.findings.find((f) => f.id === 'backend-cleartext-credentials');
    expect(cleartext?.severity).toBe('high');
    expect(cleartext?.evidence).toContain('field password');
    // No report format carries a secret in full.
    for (const format of ['json', 'text', 'html', 'junit']) {
      const out = (await pinprobe(['report', file, '--format', format])).stdout;
      for (const secret of [GOOGLE_KEY, TOKEN, NONE_TOKEN, 'hunter2-secret', 'plain-key-0123456789abc', Buffer.from('alice:pw-basic-secret').toString('base64')]) {
        expect(out, `${format} leaks ${secret.slice(0, 8)}`).not.toContain(secret);
      }
    }
    expect(api.backend).toEqual({ auth: [], rateLimit: 'untested' });
  });

  it('refuses to send anything without --host', async () => {
    const before = readFileSync(file, 'utf8');
    const r = await pinprobe(['check-auth', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--host');
    expect(origin.seen).toHaveLength(0);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('finds the open endpoint, leaves the protected ones protected, sends no POST, at most 5 per second', async () => {
    origin.reset();
    const r = await pinprobe(['check-auth', file, '--host', 'localhost', '--upstream-ca', ca]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/unprotected\s+200\s+GET localhost:\d+\/v1\/catalog\?page/);
    expect(r.stdout).toContain('not replayed (method not in --methods): POST /v1/orders');
    expect(origin.seen.map((s) => `${s.method} ${s.url.split('?')[0]}`).sort()).toEqual(['GET /v1/cart', 'GET /v1/catalog', 'GET /v1/feed', 'GET /v1/me']);
    expect(origin.seen.every((s) => !s.auth)).toBe(true);
    // At most 5 per second: the recorded send times are ≥ 200 ms apart, and the origin saw
    // the last three (pooled connection; the first waits for its handshake) arrive over ~400 ms or more.
    const sent = (await readSession(file)).events.filter((e): e is RequestEvent => e.type === 'request' && e.check?.kind === 'auth').map((e) => Date.parse(e.time));
    expect(sent).toHaveLength(4);
    for (let i = 1; i < sent.length; i++) expect((sent[i] ?? 0) - (sent[i - 1] ?? 0)).toBeGreaterThanOrEqual(199);
    const at = origin.seen.map((s) => s.at);
    expect((at[at.length - 1] ?? 0) - (at[1] ?? 0)).toBeGreaterThanOrEqual(2 * 200 - 100);

    const api = hostOf(await reportJson(), 'localhost', origin.port);
    const byPath = Object.fromEntries(api.backend.auth.map((a) => [`${a.method} ${a.path}`, `${a.result} ${a.status}`]));
    expect(byPath).toEqual({
      'GET /v1/me': 'protected 401',
      'GET /v1/cart': 'protected 302',
      'GET /v1/catalog?page': 'unprotected 200',
      'GET /v1/feed?access_token': 'protected 403',
    });
    expect(api.findings.find((f) => f.id === 'backend-auth-unprotected')).toMatchObject({ severity: 'high', masvs: 'MASVS-AUTH-1' });
  });

  it('appends every request and answer to the session file, readable back and shown by the report', async () => {
    const session = await readSession(file);
    const checks = session.events.filter((e): e is RequestEvent => e.type === 'request' && e.check !== undefined);
    expect(checks.length).toBeGreaterThanOrEqual(4);
    for (const c of checks) {
      expect(c.id).toMatch(/^k\d+$/);
      expect(session.events.some((e) => e.type === 'response' && e.id === c.id)).toBe(true);
      expect(c.headers.some(([n]) => /^(authorization|cookie|x-api-key)$/i.test(n))).toBe(false);
      expect(c.url).not.toContain('access_token=');
    }
    expect(checks.find((c) => c.url.includes('/v1/catalog'))?.check).toMatchObject({ kind: 'auth', removed: ['x-api-key'] });
    const text = (await pinprobe(['report', file])).stdout;
    expect(text).toMatch(/Backend checks/);
    expect(text).toMatch(/unprotected\s+200\s+GET \/v1\/catalog\?page/);
    const html = (await pinprobe(['report', file, '--format', 'html'])).stdout;
    expect(html).toContain('<h3>Backend</h3>');
    expect(html).toMatch(/request\(s\) sent by check-auth/);
    const junit = (await pinprobe(['report', file, '--format', 'junit'])).stdout;
    expect(junit).toMatch(/name="backend"[^]*?<failure message="Answers without credentials/);
  });

  it('replays a POST only when --methods names it, and stops at --max', async () => {
    origin.reset();
    const post = await pinprobe(['check-auth', file, '--host', 'localhost', '--methods', 'POST', '--upstream-ca', ca]);
    expect(post.code).toBe(0);
    expect(origin.seen.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /v1/orders']);
    origin.reset();
    const max = await pinprobe(['check-auth', file, '--host', 'localhost', '--max', '2', '--upstream-ca', ca]);
    expect(max.code).toBe(0);
    expect(origin.seen).toHaveLength(2);
    expect(max.stdout).toContain('2 more endpoint(s) not checked: --max reached');
  });

  it('bursts: throttled where the backend answers 429, not throttled where it does not', async () => {
    origin.reset();
    const limited = await pinprobe(['check-auth', file, '--host', `127.0.0.1:${origin.port}`, '--burst', '20', '--upstream-ca', ca]);
    expect(limited.code).toBe(0);
    expect(limited.stdout).toMatch(/burst\s+throttled/);
    const open = await pinprobe(['check-auth', file, '--host', 'localhost', '--max', '1', '--burst', '12', '--upstream-ca', ca]);
    expect(open.stdout).toMatch(/burst\s+not-throttled\s+12 of 12 answered, 0 × 429/);
    const bad = await pinprobe(['check-auth', file, '--host', 'localhost', '--burst', '101']);
    expect(bad.code).toBe(2);
    const hosts = await reportJson();
    expect(hostOf(hosts, '127.0.0.1', origin.port).backend.rateLimit).toBe('throttled');
    const api = hostOf(hosts, 'localhost', origin.port);
    expect(api.backend.rateLimit).toBe('not-throttled');
    expect(api.findings.find((f) => f.id === 'backend-rate-limit-missing')?.severity).toBe('low');
  });
});
