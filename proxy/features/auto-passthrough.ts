// In audit rotation, a host whose `trusted` connection was rejected is tunnelled untouched
// for the rest of the session so the app keeps working (SPEC). When the refusal came after
// the handshake, the host first gets one `untrusted-root` connection: refused in the
// handshake it proves the stack checks chains there (stage contrast, SPEC "Pinning"), so
// the later refusal of trusted was the app's pin. The cost is one more failed connection.
import type { ConnectTarget, EngineBus, TunnelReason } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import type { ClientTlsEvent, Scenario, SessionEvent } from '../session/events.js';
import { hostPortKey } from '../host-key.js';
import type { Feature } from './feature.js';

export class AutoPassthrough implements Feature {
  readonly name = 'auto-passthrough';
  private hosts = new Set<string>();
  /** Hosts waiting for their stage-contrast connection: key -> trusted refusal that started it. */
  private contrast = new Map<string, { trusted: ClientTlsEvent; assigned: boolean }>();

  constructor(private readonly bus: EngineBus, private readonly enabled: () => boolean) {}

  /** `silent`: restoring from a recorded session, whose passthrough lines exist already. */
  onEvent(event: SessionEvent, opts: { silent?: boolean } = {}): void {
    if (event.type !== 'client-tls' || !this.enabled()) return;
    const key = hostPortKey(event.host, event.port);
    if (this.hosts.has(key)) return;
    const waiting = this.contrast.get(key);
    if (waiting && event.scenario !== 'trusted') {
      // The contrast connection (or a bad scenario that was already under way) has spoken.
      this.contrast.delete(key);
      const how = event.result === 'rejected' ? `${event.stage}${event.alert ? `, ${event.alert}` : ''}` : event.result;
      this.pass(waiting.trusted, opts, `trusted certificate rejected after the handshake, ${event.scenario} then ${event.result === 'rejected' ? 'rejected' : event.result} (${how}); later connections are tunnelled untouched`);
      return;
    }
    if (event.scenario !== 'trusted' || event.result !== 'rejected') return;
    if (event.stage === 'after-handshake' && !waiting) {
      this.contrast.set(key, { trusted: event, assigned: false });
      return;
    }
    if (waiting) return;
    this.pass(event, opts, `trusted certificate rejected (${event.stage}${event.alert ? `, ${event.alert}` : ''}); later connections are tunnelled untouched`);
  }

  private pass(event: ClientTlsEvent, opts: { silent?: boolean }, detail: string): void {
    const key = hostPortKey(event.host, event.port);
    this.hosts.add(key);
    if (opts.silent) return;
    this.bus.emit({ type: 'passthrough', time: now(), host: event.host, port: event.port, reason: 'auto', detail });
  }

  /** The scenario for a host awaiting its stage contrast: `untrusted-root`, once. */
  readonly scenario = (target: ConnectTarget): Scenario | null => {
    if (!this.enabled()) return null;
    const waiting = this.contrast.get(hostPortKey(target.host, target.port));
    if (!waiting || waiting.assigned) return null;
    waiting.assigned = true;
    return 'untrusted-root';
  };

  readonly tunnel = (target: ConnectTarget): TunnelReason | null => (this.enabled() && this.hosts.has(hostPortKey(target.host, target.port)) ? 'auto' : null);


  /** A continued session: its passthrough lines exist already, so nothing is emitted. */
  restore(events: readonly SessionEvent[]): void {
    for (const e of events) this.onEvent(e, { silent: true });
  }

  reset(): void {
    this.hosts.clear();
    this.contrast.clear();
  }
}
