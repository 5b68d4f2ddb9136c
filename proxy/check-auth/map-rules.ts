// Where backend checks send their replays: a check compares the backend's answer without
// credentials with the recorded one, so it must reach the server that gave the recorded
// answer — for a session recorded with --map-remote, the server the rule sent the host to.
import type { SessionLine } from '../session/events.js';
import { parseMapRemote, type MapRemoteEntry } from '../net/upstream.js';

/** The --map-remote rules a session recorded (header, then settings lines; the newest rule per host wins). */
export function recordedMapRules(lines: readonly SessionLine[]): Array<{ from: string; to: string }> {
  const byFrom = new Map<string, string>();
  const take = (rules: unknown) => {
    if (!Array.isArray(rules)) return;
    for (const r of rules as Array<{ from?: unknown; to?: unknown }>) {
      if (typeof r?.from === 'string' && typeof r?.to === 'string') byFrom.set(r.from, r.to);
    }
  };
  for (const l of lines) if (l.type === 'session' || l.type === 'settings') take(l.options?.mapRemote);
  return [...byFrom].map(([from, to]) => ({ from, to }));
}

/** The same rules ready for an UpstreamPool; a rule that no longer parses is left out. */
export function recordedMapEntries(lines: readonly SessionLine[]): MapRemoteEntry[] {
  const entries: MapRemoteEntry[] = [];
  for (const r of recordedMapRules(lines)) {
    try {
      entries.push(parseMapRemote(`${r.from}=${r.to}`));
    } catch {
      // Written by a Pinprobe that parsed it; a hand-edited file may hold anything.
    }
  }
  return entries;
}
