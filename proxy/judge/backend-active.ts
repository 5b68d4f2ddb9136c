// The active half of the Backend verdict (SPEC "Backend"): what check-auth's replays
// without credentials and its bursts got back, judged from the appended session lines
// alone (requests marked `check`), so a reopened session gives the same answer.
import type { ErrorEvent, RequestEvent, ResponseEvent, SessionEvent } from '../session/events.js';
import { endpointPath } from './credentials.js';
import type { AuthCheck, AuthResult, BackendVerdict, Finding, RateLimit } from './report-types.js';

export interface Answers {
  responses: ReadonlyMap<string, ResponseEvent>;
  errors: ReadonlyMap<string, ErrorEvent>;
  requests: ReadonlyMap<string, RequestEvent>;
}

/** One pass over the session: answers and requests by request id. */
export function answersOf(events: readonly SessionEvent[]): Answers {
  const responses = new Map<string, ResponseEvent>();
  const errors = new Map<string, ErrorEvent>();
  const requests = new Map<string, RequestEvent>();
  for (const e of events) {
    if (e.type === 'response') responses.set(e.id, e);
    else if (e.type === 'error' && e.id !== null) errors.set(e.id, e);
    else if (e.type === 'request') requests.set(e.id, e);
  }
  return { responses, errors, requests };
}

function header(headers: ResponseEvent['headers'] | undefined, name: string): string {
  return (Array.isArray(headers) ? headers.find(([n]) => n.toLowerCase() === name)?.[1] : undefined) ?? '';
}

const baseType = (r: ResponseEvent | undefined) => header(r?.headers, 'content-type').split(';', 1)[0]?.trim().toLowerCase() ?? '';

function jsonKeys(r: ResponseEvent | undefined): string | null {
  if (!r || r.body.encoding !== 'utf8' || !/json/.test(baseType(r))) return null;
  try {
    const v: unknown = JSON.parse(r.body.data);
    if (typeof v !== 'object' || v === null) return null;
    return Object.keys(Array.isArray(v) ? ((v[0] as object | undefined) ?? {}) : v).sort().join(',');
  } catch {
    return null;
  }
}

function similarSize(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(64, 0.25 * Math.max(a, b));
}

const LOGIN = /log-?in|sign-?in|auth|sso|oauth|session/i;

/**
 * protected: 401/403, or a redirect to a login; unprotected: a 2xx whose body is like the
 * original's (same content type, and a similar size or the same JSON keys); unknown otherwise.
 */
export function classifyReplay(method: string, original: ResponseEvent | undefined, replay: ResponseEvent | undefined): AuthResult {
  if (!replay || replay.synthetic) return 'unknown';
  if (replay.status === 401 || replay.status === 403) return 'protected';
  if (replay.status >= 300 && replay.status < 400) return LOGIN.test(header(replay.headers, 'location')) ? 'protected' : 'unknown';
  if (replay.status < 200 || replay.status >= 300 || !original) return 'unknown';
  if (baseType(original) !== baseType(replay)) return 'unknown';
  if (method === 'HEAD') return 'unprotected';
  const keys = jsonKeys(original);
  if (keys !== null && keys === jsonKeys(replay)) return 'unprotected';
  return similarSize(original.body.size, replay.body.size) ? 'unprotected' : 'unknown';
}

/** Judges one host's check-auth lines; `requests` are the host's requests in order. */
export function judgeBackendActive(requests: readonly RequestEvent[], answers: Answers): { backend: BackendVerdict; findings: Finding[] } {
  const auth = new Map<string, AuthCheck>();
  const burst: Array<{ status: number | null; refused: boolean }> = [];
  for (const r of requests) {
    if (!r.check) continue;
    const replay = answers.responses.get(r.id);
    if (r.check.kind === 'auth') {
      const original = r.check.of ? answers.responses.get(r.check.of) : undefined;
      const path = endpointPath(r.check.of ? (answers.requests.get(r.check.of)?.url ?? r.url) : r.url);
      // A later run of the same endpoint replaces an earlier one.
      auth.set(`${r.method} ${path}`, { method: r.method, path, result: classifyReplay(r.method, original, replay), status: replay?.status ?? null, request: r.id });
    } else {
      burst.push({ status: replay && !replay.synthetic ? replay.status : null, refused: !replay && answers.errors.has(r.id) });
    }
  }
  let rateLimit: RateLimit = 'untested';
  const answered = burst.filter((b) => b.status !== null).length;
  if (burst.some((b) => b.status === 429)) rateLimit = 'throttled';
  else if (answered > 0 && burst.findIndex((b) => b.refused) > burst.findIndex((b) => b.status !== null)) rateLimit = 'throttled';
  else if (answered > 0) rateLimit = 'not-throttled';

  const list = [...auth.values()];
  const findings: Finding[] = [];
  const open = list.filter((a) => a.result === 'unprotected');
  if (open.length > 0) {
    findings.push({
      id: 'backend-auth-unprotected', severity: 'high', masvs: 'MASVS-AUTH-1',
      title: `Answers without credentials: ${open.length} endpoint${open.length === 1 ? '' : 's'} served the same data with the app's credentials removed`,
      evidence: open.map((a) => `${a.method} ${a.path} → ${a.status ?? '?'} (${a.request})`).join('; '),
    });
  }
  if (rateLimit === 'not-throttled') {
    findings.push({
      id: 'backend-rate-limit-missing', severity: 'low', masvs: 'MASVS-AUTH-1',
      title: `No rate limiting: ${burst.length} requests in a burst were all answered without a 429`,
      evidence: `${answered} of ${burst.length} answered, none 429`,
    });
  }
  return { backend: { auth: list, rateLimit }, findings };
}
