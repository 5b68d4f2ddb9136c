// Turns what happens on one intercepted client connection into exactly one client outcome
// (SPEC "What is observed"): accepted, rejected in or after the handshake, or inconclusive.
import { alertFromError } from './tls-alerts.js';
import { cleanTlsMessage } from './tls-words.js';
import type { ClientResult, RejectStage } from '../session/events.js';

/**
 * After the handshake a client has this long to send its first byte before we stop waiting.
 * A close (or alert) inside the window is an after-handshake rejection — curl's
 * --pinnedpubkey and OkHttp's CertificatePinner close within milliseconds. The window
 * scales with the handshake time so a slow phone on a busy Wi-Fi is not misjudged:
 * window = clamp(factor × handshake time, floor, cap).
 */
export interface IdleWindowRule {
  floorMs: number;
  factor: number;
  capMs: number;
}

export const DEFAULT_IDLE_WINDOW: IdleWindowRule = { floorMs: 2000, factor: 10, capMs: 10_000 };

export function idleWindowMs(handshakeMs: number, rule: IdleWindowRule): number {
  return Math.min(rule.capMs, Math.max(rule.floorMs, Math.round(handshakeMs * rule.factor)));
}

export interface ClientOutcome {
  result: ClientResult;
  stage: RejectStage | null;
  alert: string | null;
  alertCode: number | null;
  detail: string | null;
  timings: { handshakeMs: number | null; firstByteMs: number | null; closeMs: number | null; windowMs: number | null };
}

/**
 * TLS errors that mean the proxy could not speak the client's TLS, not that the client refused us.
 * `no application protocol`: the client offered only ALPN protocols Pinprobe does not speak
 * (gRPC's lone "h2"), and Pinprobe's side ended the handshake.
 */
const PROXY_SIDE = /no shared cipher|unsupported protocol|wrong version number|version too low|no suitable|http request|inappropriate fallback|unexpected message|record layer failure|packet length too long|bad record|no[ _]application[ _]protocol/i;

export class ClientOutcomeTracker {
  private decided = false;
  private handshakeAt: number | null = null;
  /** TLS 1.3: when our Finished went out (the client then has all it needs to finish). */
  private serverFinishedAt: number | null = null;
  private windowMs: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly connectAt: number,
    private readonly rule: IdleWindowRule,
    private readonly emit: (outcome: ClientOutcome) => void,
  ) {}

  get handshakeDone(): boolean {
    return this.handshakeAt !== null;
  }

  get outcomeRecorded(): boolean {
    return this.decided;
  }

  handshake(): void {
    if (this.decided || this.handshakeAt !== null) return;
    this.handshakeAt = performance.now();
    this.windowMs = idleWindowMs(this.handshakeAt - this.connectAt, this.rule);
    this.timer = setTimeout(() => {
      this.decide('inconclusive', null, null, `no data and no close within ${this.windowMs} ms after the handshake`);
    }, this.windowMs);
    this.timer.unref();
  }

  /**
   * TLS 1.3 only: the proxy's whole flight (certificate … Finished) has been sent. A client
   * that closes after this without an alert completed its side of the handshake and walked
   * away — Node, for one, verifies after OpenSSL's handshake and destroys the socket before
   * its own Finished is flushed — which is an after-handshake refusal, as on TLS 1.2.
   */
  serverFinished(): void {
    if (this.decided || this.handshakeAt !== null || this.serverFinishedAt !== null) return;
    this.serverFinishedAt = performance.now();
  }

  firstData(): void {
    this.decide('accepted', null, null, null, { firstByte: true });
  }

  /** A socket error: a TLS alert from the client, a reset, or a TLS failure of our own. */
  error(err: Error): void {
    if (this.decided) return;
    const alert = alertFromError(err);
    const stage: RejectStage = this.handshakeAt === null ? 'handshake' : 'after-handshake';
    if (alert) {
      this.decide('rejected', stage, alert, `client sent TLS alert ${alert.name} (${alert.code})`, { closed: true });
      return;
    }
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (PROXY_SIDE.test(err.message) || PROXY_SIDE.test(code)) {
      this.decide('inconclusive', null, null, `the proxy could not complete the TLS handshake: ${cleanTlsMessage(err.message)}`, { closed: true });
      return;
    }
    this.closed(code || err.message);
  }

  /** The client closed (FIN or reset) — how that reads depends on when. */
  closed(how = 'closed'): void {
    if (this.decided) return;
    if (this.handshakeAt === null && this.serverFinishedAt !== null) {
      this.decide('rejected', 'after-handshake', null,
        `client ${describeClose(how)} without data or an alert after receiving the certificate and Pinprobe's Finished (TLS 1.3: its side of the handshake was done; its own Finished never came)`,
        { closed: true });
      return;
    }
    if (this.handshakeAt === null) {
      this.decide('rejected', 'handshake', null, `client ${describeClose(how)} before the handshake finished`, { closed: true });
      return;
    }
    this.decide('rejected', 'after-handshake', null, `client ${describeClose(how)} after the handshake without sending data`, { closed: true });
  }

  /** The proxy itself failed (e.g. could not build a certificate): never the client's fault. */
  proxyFailed(reason: string): void {
    this.decide('inconclusive', null, null, reason, { closed: true });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private decide(
    result: ClientResult,
    stage: RejectStage | null,
    alert: { name: string; code: number } | null,
    detail: string | null,
    mark: { firstByte?: boolean; closed?: boolean } = {},
  ): void {
    if (this.decided) return;
    this.decided = true;
    this.dispose();
    const t = performance.now();
    const since = (at: number | null) => (at === null ? null : Math.round(at - this.connectAt));
    this.emit({
      result,
      stage,
      alert: alert?.name ?? null,
      alertCode: alert?.code ?? null,
      detail,
      timings: {
        handshakeMs: since(this.handshakeAt ?? (stage === 'after-handshake' ? this.serverFinishedAt : null)),
        firstByteMs: mark.firstByte ? since(t) : null,
        closeMs: mark.closed ? since(t) : null,
        windowMs: this.windowMs,
      },
    });
  }
}

function describeClose(how: string): string {
  if (how === 'ECONNRESET') return 'reset the connection';
  if (how === 'EPIPE') return 'closed the connection';
  return how === 'closed' ? 'closed the connection' : `closed the connection (${how})`;
}
