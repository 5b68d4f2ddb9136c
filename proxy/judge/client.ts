// Client result per certificate scenario, and the validation verdict built on them.
import { SCENARIOS } from '../session/events.js';
import type { ClientTlsEvent, Scenario } from '../session/events.js';
import type { ScenarioVerdict, Validation } from './report-types.js';

/** The four certificates a correct client must refuse. */
export const BAD_SCENARIOS: readonly Exclude<Scenario, 'trusted'>[] = ['self-signed', 'wrong-host', 'expired', 'untrusted-root'];

/**
 * How much a rejection tells. After-handshake refusals are the strongest evidence (the
 * client saw a certificate it could have used and still walked away: hostname checks,
 * pinning), so they are preferred everywhere; then a handshake alert (names the reason);
 * then a bare close in the handshake.
 */
export function rejectionWeight(event: ClientTlsEvent): number {
  if (event.stage === 'after-handshake') return 3;
  if (event.alert) return 2;
  if (event.stage === 'handshake') return 1;
  return 0;
}

/** The most telling rejection among events (earliest wins a tie), or null. */
export function mostTellingRejection(events: readonly ClientTlsEvent[]): ClientTlsEvent | null {
  let best: ClientTlsEvent | null = null;
  for (const event of events) {
    if (event.result !== 'rejected') continue;
    if (!best || rejectionWeight(event) > rejectionWeight(best)) best = event;
  }
  return best;
}

function verdictFor(events: readonly ClientTlsEvent[]): ScenarioVerdict {
  const connections = events.length;
  if (connections === 0) return { result: 'untested', stage: null, alert: null, connections };
  // Any accepted connection outweighs refusals: a client that pre-opens connections and
  // closes an unused one looks exactly like a refusal (TLS-FACTS.md).
  if (events.some((e) => e.result === 'accepted')) return { result: 'accepted', stage: null, alert: null, connections };
  const rejection = mostTellingRejection(events);
  if (rejection) return { result: 'rejected', stage: rejection.stage, alert: rejection.alert, connections };
  return { result: 'inconclusive', stage: null, alert: null, connections };
}

/** Splits one host's TLS outcomes by scenario. */
export function byScenario(events: readonly ClientTlsEvent[]): Record<Scenario, ClientTlsEvent[]> {
  const split = { trusted: [], 'self-signed': [], 'wrong-host': [], expired: [], 'untrusted-root': [] } as Record<Scenario, ClientTlsEvent[]>;
  for (const event of events) split[event.scenario]?.push(event);
  return split;
}

export function judgeClient(split: Record<Scenario, readonly ClientTlsEvent[]>): Record<Scenario, ScenarioVerdict> {
  const out = {} as Record<Scenario, ScenarioVerdict>;
  for (const scenario of SCENARIOS) out[scenario] = verdictFor(split[scenario]);
  return out;
}

export function judgeValidation(client: Record<Scenario, ScenarioVerdict>): Validation {
  const results = BAD_SCENARIOS.map((s) => client[s].result);
  if (results.includes('accepted')) return 'broken';
  if (results.every((r) => r === 'rejected')) return 'ok';
  if (results.some((r) => r !== 'untested')) return 'partial';
  return 'untested';
}
