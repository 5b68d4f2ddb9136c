// Where backend checks send their replays: a check compares the backend's answer without
// credentials with the recorded one, so it must reach the server that gave the recorded
// answer — for a session recorded with --map-remote, the server the rule sent the host to
// when that request was made (the UI may have changed the rules since).
import type { SessionLine } from '../session/events.js';
import { parseMapRemote, type MapRemoteEntry } from '../net/upstream.js';

export interface MapRule {
  from: string;
  to: string;
}

function rulesOf(rules: unknown): MapRule[] | null {
  if (!Array.isArray(rules)) return null;
  return (rules as Array<{ from?: unknown; to?: unknown }>).flatMap((r) => (typeof r?.from === 'string' && typeof r?.to === 'string' ? [{ from: r.from, to: r.to }] : []));
}

/** The rules in force when each recorded request was made, and the newest ones (the engine's now, for a live session). */
export interface RulesInForce {
  forRequest(id: string): MapRule[];
  latest: MapRule[];
}

/**
 * The header's rules, replaced whole by each later settings line that carries them (the
 * engine records the full list on every change), as they stood at each request line.
 */
export function mapRulesInForce(lines: readonly SessionLine[]): RulesInForce {
  let current: MapRule[] = [];
  const byRequest = new Map<string, MapRule[]>();
  for (const l of lines) {
    if (l.type === 'session' || l.type === 'settings') current = rulesOf(l.options?.mapRemote) ?? current;
    else if (l.type === 'request' && !byRequest.has(l.id)) byRequest.set(l.id, current);
  }
  return { forRequest: (id) => byRequest.get(id) ?? current, latest: current };
}

/** One rule set as --map-remote values, in the recorded order. */
export function ruleSpecs(rules: readonly MapRule[]): string[] {
  return rules.map((r) => `${r.from}=${r.to}`);
}

/** Equal for equal rule sets: one pool serves every replay made under the same rules. */
export function rulesKey(rules: readonly MapRule[]): string {
  return ruleSpecs(rules).join('\n');
}

/** The same rules ready for an UpstreamPool; a rule that no longer parses is left out. */
export function recordedMapEntries(rules: readonly MapRule[]): MapRemoteEntry[] {
  const entries: MapRemoteEntry[] = [];
  for (const spec of ruleSpecs(rules)) {
    try {
      entries.push(parseMapRemote(spec));
    } catch {
      // Written by a Pinprobe that parsed it; a hand-edited file may hold anything.
    }
  }
  return entries;
}
