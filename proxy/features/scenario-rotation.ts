// Audit rotation (SPEC "Certificate scenarios"): per host:port the first new connection gets
// `trusted`, the next four get one bad scenario each, and every later one `trusted` again so
// the app keeps working. A forced scenario replaces the rotation entirely.
import type { ConnectTarget } from '../engine-bus.js';
import { SCENARIOS, type Scenario, type SessionEvent } from '../session/events.js';
import { hostPortKey } from '../host-key.js';
import type { Feature } from './feature.js';

export class ScenarioRotation implements Feature {
  readonly name = 'scenario-rotation';
  private seen = new Map<string, number>();

  constructor(private forced: () => Scenario | null) {}

  pick(target: ConnectTarget): Scenario {
    const forced = this.forced();
    if (forced) return forced;
    const key = hostPortKey(target.host, target.port);
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    return n < SCENARIOS.length ? SCENARIOS[n] : 'trusted';
  }

  /** Always has one: the end of the feature list's scenario chain. */
  scenario(target: ConnectTarget): Scenario {
    return this.pick(target);
  }

  /** Picks up where a recorded session left off (appending with --record). */
  restore(events: readonly SessionEvent[]): void {
    for (const e of events) {
      if (e.type !== 'client-tls') continue;
      const key = hostPortKey(e.host, e.port);
      this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
    }
  }

  reset(): void {
    this.seen.clear();
  }
}
