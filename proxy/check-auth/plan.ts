// What check-auth will send: per named host, each distinct recorded endpoint (method + path
// without the query's values) that carried credentials, once, and for --burst the first
// recorded idempotent request. Pure over the session lines, so the CLI and the UI agree.
import { credentialCarriers, endpointPath } from '../judge/credentials.js';
import { matchesHostGlob } from '../host-glob.js';
import type { RequestEvent, ResponseEvent, SessionEvent } from '../session/events.js';

export const LIMITS = { maxDefault: 50, maxCeiling: 1000, burstCeiling: 100, burstWindowMs: 10_000, perSecond: 5 } as const;
export const DEFAULT_METHODS: readonly string[] = ['GET', 'HEAD'];
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface PlanOptions {
  hosts: readonly string[];
  max: number;
  methods: readonly string[];
  burst: number;
}

export interface PlannedReplay {
  original: RequestEvent;
  endpoint: string;
  carriers: string[];
}

export interface Plan {
  replays: PlannedReplay[];
  /** Endpoints left out by --max. */
  skippedByMax: number;
  /** Credentialed endpoints left out because their method was not in --methods. */
  skippedByMethod: string[];
  /** One request per host to burst with (none without --burst). */
  bursts: RequestEvent[];
}

/** Only requests the app sent, complete enough to replay, with a real backend answer. */
function replayable(r: RequestEvent, responses: ReadonlyMap<string, ResponseEvent>): boolean {
  return !r.check && !r.resend && !r.evicted && Array.isArray(r.headers) && r.body?.truncated !== true && responses.get(r.id)?.synthetic !== true;
}

export function planChecks(events: readonly SessionEvent[], opts: PlanOptions): Plan {
  const responses = new Map<string, ResponseEvent>();
  for (const e of events) if (e.type === 'response') responses.set(e.id, e);
  const methods = new Set(opts.methods.map((m) => m.toUpperCase()));
  const seen = new Set<string>();
  const replays: PlannedReplay[] = [];
  const skippedByMethod = new Set<string>();
  const burstHosts = new Map<string, RequestEvent>();
  let skippedByMax = 0;
  for (const e of events) {
    if (e.type !== 'request' || !matchesHostGlob(opts.hosts, e.host, e.port) || !replayable(e, responses)) continue;
    const method = e.method.toUpperCase();
    const hostKey = `${e.host.toLowerCase()}:${e.port}`;
    if (opts.burst > 0 && IDEMPOTENT.has(method) && !burstHosts.has(hostKey)) burstHosts.set(hostKey, e);
    const carriers = credentialCarriers(e.headers, e.url);
    if (carriers.length === 0) continue;
    const endpoint = `${method} ${e.scheme}://${hostKey}${endpointPath(e.url)}`;
    if (seen.has(endpoint)) continue;
    seen.add(endpoint);
    if (!methods.has(method)) {
      skippedByMethod.add(`${method} ${endpointPath(e.url)}`);
      continue;
    }
    if (replays.length >= opts.max) {
      skippedByMax += 1;
      continue;
    }
    replays.push({ original: e, endpoint, carriers });
  }
  return { replays, skippedByMax, skippedByMethod: [...skippedByMethod], bursts: [...burstHosts.values()] };
}
