// What a feature is (after mitmproxy's addons): a name and any of these hooks. The engine
// keeps one list (features/index.ts) and loops over it; socket code only sees the bus.
// Adding a feature is one file implementing this plus one entry in that list.
import type { ConnectTarget, EngineBus, TunnelReason } from '../engine-bus.js';
import type { Exchange } from '../net/http-exchange.js';
import type { UpstreamPool } from '../net/upstream.js';
import type { Scenario, SessionEvent } from '../session/events.js';
import type { EngineSettings } from '../settings-types.js';
import type { SessionRecording } from '../session/recording.js';

export type { Exchange };

export interface Feature {
  readonly name: string;
  /** Every event on the bus, in list order (the session recording first). */
  onEvent?(event: SessionEvent): void;
  /** A reason to tunnel this connection untouched, or null; the first feature with one wins. */
  tunnel?(target: ConnectTarget): TunnelReason | null;
  /** The certificate for this connection, or null to let the next feature choose. */
  scenario?(target: ConnectTarget): Scenario | null;
  /**
   * A forwarded request's head, before it goes on: read it, or edit
   * `exchange.request.headers` (what is forwarded and recorded). Synchronous.
   */
  onRequest?(exchange: Exchange): void;
  /** An exchange is done: its response line (the backend's or Pinprobe's 502) is recorded. */
  onResponse?(exchange: Exchange): void;
  /** A new session starts: forget per-session state. */
  reset?(): void;
  /** A recorded session is being continued (`--record FILE`): pick up its state. */
  restore?(events: readonly SessionEvent[]): void;
  /** Work in flight that must reach the session before it ends. */
  drain?(timeoutMs: number): Promise<void>;
}

/** What a feature may use of the engine. */
export interface FeatureContext {
  bus: EngineBus;
  settings: () => EngineSettings;
  pool: () => UpstreamPool;
  /** The session recording (session/recording.ts); null or absent: traffic is not recorded. */
  recording?: SessionRecording | null;
}
