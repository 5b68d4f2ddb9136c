// In audit rotation, a host whose `trusted` connection was rejected is tunnelled untouched
// for the rest of the session so the app keeps working (SPEC). The decision is recorded.
import type { ConnectTarget, EngineBus, TunnelReason } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import type { SessionEvent } from '../session/events.js';

export class AutoPassthrough {
  private hosts = new Set<string>();

  constructor(private readonly bus: EngineBus, private readonly enabled: () => boolean) {}

  /** `silent`: restoring from a recorded session, whose passthrough lines exist already. */
  onEvent(event: SessionEvent, opts: { silent?: boolean } = {}): void {
    if (event.type !== 'client-tls' || event.scenario !== 'trusted' || event.result !== 'rejected' || !this.enabled()) return;
    const key = `${event.host}:${event.port}`;
    if (this.hosts.has(key)) return;
    this.hosts.add(key);
    if (opts.silent) return;
    this.bus.emit({
      type: 'passthrough', time: now(), host: event.host, port: event.port, reason: 'auto',
      detail: `trusted certificate rejected (${event.stage}${event.alert ? `, ${event.alert}` : ''}); later connections are tunnelled untouched`,
    });
  }

  rule = (target: ConnectTarget): TunnelReason | null => (this.enabled() && this.hosts.has(`${target.host}:${target.port}`) ? 'auto' : null);

  reset(): void {
    this.hosts.clear();
  }
}
