// The engine's feature seam (after mitmproxy's addons): socket code asks the hooks what to
// do with a connection and emits typed events; features (recorder, scenario rotation,
// passthrough rules, mTLS prober) subscribe. A feature never edits socket code.
import type { Exchange } from './net/http-exchange.js';
import type { Scenario, SessionEvent } from './session/events.js';

export interface ConnectTarget {
  host: string;
  port: number;
  sni: string | null;
  clientAddress: string;
}

export type TunnelReason = 'rule' | 'auto';

export interface EngineHooks {
  /** First hook returning a reason wins; null means "intercept". */
  tunnel: Array<(target: ConnectTarget) => TunnelReason | null>;
  /** Chooses the certificate scenario for an intercepted connection. */
  scenario: (target: ConnectTarget) => Scenario;
  /**
   * Each forwarded request, in order, once its head is known and before it is sent on: a
   * hook may read it and edit `exchange.request.headers` (what is forwarded and recorded).
   */
  request: Array<(exchange: Exchange) => void>;
  /** Each finished exchange, in order, after its response line (backend or synthetic) is recorded. */
  response: Array<(exchange: Exchange) => void>;
}

type Listener = (event: SessionEvent) => void;

export class EngineBus {
  private listeners: Listener[] = [];
  private counters = new Map<string, number>();
  readonly hooks: EngineHooks = { tunnel: [], scenario: () => 'trusted', request: [], response: [] };

  on(listener: Listener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(event: SessionEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        // One failing feature must not take the proxy or the other features down.
        process.emitWarning(`pinprobe: a feature failed on a ${event.type} event: ${(err as Error).message}`);
      }
    }
  }

  /** Short, session-unique ids: c1, c2 for connections, r1 for requests, u1 for upstream attempts. */
  nextId(prefix: 'c' | 'r' | 'u' | 'w'): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}${n}`;
  }

  /** Continues numbering after the ids already in a session file that is being appended to. */
  seedIds(events: readonly SessionEvent[]): void {
    for (const e of events) {
      const m = 'id' in e && typeof e.id === 'string' ? /^([a-z])(\d+)$/.exec(e.id) : null;
      if (m) this.counters.set(m[1], Math.max(this.counters.get(m[1]) ?? 0, Number(m[2])));
    }
  }

  runRequestHooks(exchange: Exchange): void {
    this.runHooks(this.hooks.request, exchange, 'request');
  }

  runResponseHooks(exchange: Exchange): void {
    this.runHooks(this.hooks.response, exchange, 'response');
  }

  private runHooks(hooks: ReadonlyArray<(exchange: Exchange) => void>, exchange: Exchange, kind: string): void {
    for (const hook of hooks) {
      try {
        hook(exchange);
      } catch (err) {
        // As for events: one failing feature must not fail the exchange or the other features.
        process.emitWarning(`pinprobe: a feature failed on ${kind} ${exchange.id}: ${(err as Error).message}`);
      }
    }
  }

  tunnelReason(target: ConnectTarget): TunnelReason | null {
    for (const rule of this.hooks.tunnel) {
      const reason = rule(target);
      if (reason) return reason;
    }
    return null;
  }
}

/**
 * The current time as an ISO string. Events within one millisecond share one string
 * (formatting a Date per event showed in the per-request profile; the session's in-memory
 * lines then also hold one string per millisecond, not one per line).
 */
export const now = (): string => {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
};
let lastMs = -1;
let lastIso = '';
