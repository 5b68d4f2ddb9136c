// Passive backend findings (SPEC "Backend"): credentials over cleartext, API keys and
// secrets by the rule table (secret-rules.ts), and JSON Web Tokens — all from the recorded
// requests of one host, no extra traffic. Pinprobe's own check-auth requests are skipped:
// they carry nothing the app sent. Values are masked (mask.ts) before they reach a finding.
import type { RequestEvent } from '../session/events.js';
import { credentialCarriers, PASSWORD_FIELD, queryParams } from './credentials.js';
import { jwtProblems, jwtsInRequest } from './jwt.js';
import { maskSecret } from './mask.js';
import type { Finding, Severity } from './report-types.js';
import { findSecrets } from './secret-rules.js';

interface Hit {
  id: string;
  severity: Severity;
  title: string;
  masvs: string;
  mastg?: string;
  evidence: string;
}

/** "GET /login (r12)": which request, without query values. */
function requestLabel(r: RequestEvent): string {
  const path = r.url.replace(/^[a-z]+:\/\/[^/]*/i, '').split('?', 1)[0] || '/';
  return `${r.method} ${path} (${r.id})`;
}

/** Form fields of a urlencoded body (password-like fields over cleartext). */
function formFields(r: RequestEvent): Array<[string, string]> {
  const type = r.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
  if (r.body.encoding !== 'utf8' || r.body.data === '') return [];
  if (/application\/x-www-form-urlencoded/i.test(type)) return [...new URLSearchParams(r.body.data).entries()];
  if (/json/i.test(type)) {
    try {
      const value: unknown = JSON.parse(r.body.data);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        return Object.entries(value as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string');
      }
    } catch {
      return [];
    }
  }
  return [];
}

function cleartextHits(r: RequestEvent): Hit[] {
  if (r.scheme !== 'http') return [];
  const out: Hit[] = [];
  const auth = r.headers.find(([n]) => n.toLowerCase() === 'authorization')?.[1] ?? '';
  if (/^basic\s/i.test(auth)) {
    out.push({
      id: 'backend-cleartext-basic-auth', severity: 'critical', masvs: 'MASVS-NETWORK-1', mastg: 'MASTG-TEST-0236',
      title: 'Sends a Basic-auth user name and password over cleartext HTTP',
      evidence: `${requestLabel(r)}: header authorization = ${maskSecret(auth)}`,
    });
  }
  const carriers = credentialCarriers(r.headers, r.url).filter((c) => !(c === 'authorization' && /^basic\s/i.test(auth)));
  const passwords = [...queryParams(r.url), ...formFields(r)].filter(([n]) => PASSWORD_FIELD.test(n)).map(([n]) => `field ${n}`);
  const what = [...carriers.map((c) => (c.startsWith('?') ? `query ${c.slice(1)}` : `header ${c}`)), ...passwords];
  if (what.length > 0) {
    out.push({
      id: 'backend-cleartext-credentials', severity: 'high', masvs: 'MASVS-NETWORK-1', mastg: 'MASTG-TEST-0236',
      title: 'Sends credentials over cleartext HTTP',
      evidence: `${requestLabel(r)}: ${what.join(', ')}`,
    });
  }
  return out;
}

function secretHits(r: RequestEvent): Hit[] {
  return findSecrets(r.headers, r.url, queryParams(r.url)).map((s) => ({
    id: `backend-secret-${s.rule}`, severity: 'medium' as const, masvs: 'MASVS-AUTH-1',
    title: `${s.title} sent in a request ${s.where.startsWith('header') ? 'header' : 'URL'}`,
    evidence: `${requestLabel(r)}: ${s.where} = ${maskSecret(s.value)}`,
  }));
}

function jwtHits(r: RequestEvent): Hit[] {
  const out: Hit[] = [];
  const jwts = jwtsInRequest(r.headers, r.url);
  if (jwts.length === 0) return out;
  const seenAt = Date.parse(r.time) || 0;
  for (const jwt of jwts) {
    const p = jwtProblems(jwt, seenAt);
    const at = `${requestLabel(r)}: ${jwt.where} = ${maskSecret(jwt.token)}`;
    if (p.algNone) out.push({ id: 'backend-jwt-alg-none', severity: 'high', masvs: 'MASVS-AUTH-1', title: 'A JSON Web Token with "alg": "none" (unsigned) is sent', evidence: at });
    if (p.noExp) out.push({ id: 'backend-jwt-no-exp', severity: 'low', masvs: 'MASVS-AUTH-1', title: 'A JSON Web Token without an expiry ("exp") is sent', evidence: at });
    if (p.longLifetime !== null) {
      out.push({
        id: 'backend-jwt-long-lived', severity: 'low', masvs: 'MASVS-AUTH-1',
        title: `A JSON Web Token valid for more than 24 hours (${Math.round(p.longLifetime / 3600)} h) is sent`, evidence: at,
      });
    }
    if (p.inUrl) out.push({ id: 'backend-jwt-in-url', severity: 'medium', masvs: 'MASVS-AUTH-1', title: 'A JSON Web Token is sent in a URL (logged by servers and proxies)', evidence: at });
  }
  return out;
}


/**
 * The passive findings of one host's requests, added one request at a time (the live
 * verdicts add each request as it is recorded). `order` places a request among the others
 * (its line index); a request added late (held back until its answer came) still counts as
 * the first one when it came first.
 */
export class PassiveTally {
  private readonly byId = new Map<string, { hit: Hit; count: number; order: number }>();

  add(r: RequestEvent, order: number): void {
    if (r.check || r.evicted || !Array.isArray(r.headers)) return;
    const hits = [...cleartextHits(r), ...secretHits(r), ...jwtHits(r)];
    if (hits.length === 0) return;
    hits.forEach((hit, k) => {
      // Within one request, its hits keep their order (k); at most a few per request.
      const at = order * 65_536 + k;
      const known = this.byId.get(hit.id);
      if (!known) this.byId.set(hit.id, { hit, count: 1, order: at });
      else {
        known.count += 1;
        if (at < known.order) {
          known.hit = hit;
          known.order = at;
        }
      }
    });
  }

  /** One finding per id, in the order of their first requests; its evidence names the first and how many more. */
  findings(): Finding[] {
    const entries = [...this.byId.values()];
    // Stable: ids first hit by one request keep the order that request gave them.
    entries.sort((a, b) => a.order - b.order);
    return entries.map(({ hit, count }) => {
      const f: Finding = { id: hit.id, severity: hit.severity, title: hit.title, masvs: hit.masvs, evidence: count > 1 ? `${hit.evidence} (and ${count - 1} more request${count > 2 ? 's' : ''})` : hit.evidence };
      if (hit.mastg) f.mastg = hit.mastg;
      return f;
    });
  }
}

/** One finding per id per host; its evidence names the first request and how many more. */
export function passiveBackendFindings(requests: readonly RequestEvent[]): Finding[] {
  const tally = new PassiveTally();
  requests.forEach((r, i) => tally.add(r, i));
  return tally.findings();
}
