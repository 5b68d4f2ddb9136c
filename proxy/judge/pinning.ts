// Pinning verdict per host (SPEC "Pinning"). The hard part is not calling a refusal
// "pinned" without evidence: on Android 7+ most apps refuse a user-installed CA with no
// pinning at all, and that refusal looks exactly like a pin failure in the handshake.
import type { ClientTlsEvent, Scenario } from '../session/events.js';
import { BAD_SCENARIOS, mostTellingRejection } from './client.js';
import type { Pinning, ScenarioVerdict } from './report-types.js';

export interface PinningVerdict {
  pinning: Pinning;
  reason: string;
}

export interface PinningContext {
  client: Record<Scenario, ScenarioVerdict>;
  /** This host's `trusted` TLS outcomes. */
  trusted: readonly ClientTlsEvent[];
  /**
   * Other hosts (display names) for which this client address accepted `trusted` — the
   * evidence that the device trusts Pinprobe's CA.
   */
  trustedElsewhere: (clientAddress: string) => readonly string[];
  /** The session's --scenario, when one was forced. */
  forcedScenario: Scenario | null;
  /** Only tunnelled or only cleartext: explains an untested verdict. */
  onlyTunnelled: boolean;
  onlyCleartext: boolean;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function untestedReason(ctx: PinningContext): string {
  if (ctx.forcedScenario && ctx.forcedScenario !== 'trusted') {
    return `not tested: the session forced --scenario ${ctx.forcedScenario}, so no connection was shown the trusted certificate`;
  }
  if (ctx.onlyTunnelled) return 'not tested: connections to this host were tunnelled untouched, never intercepted';
  if (ctx.onlyCleartext) return 'not tested: only cleartext HTTP was seen for this host';
  return 'not tested: no connection to this host was shown the trusted certificate';
}

function handshakeWords(event: ClientTlsEvent): string {
  return event.alert ? `rejected in the handshake (${event.alert})` : 'rejected in the handshake (closed before it finished)';
}

export function judgePinning(ctx: PinningContext): PinningVerdict {
  const { client, trusted } = ctx;
  const verdict = client.trusted;
  if (verdict.result === 'untested') return { pinning: 'untested', reason: untestedReason(ctx) };

  if (verdict.result === 'accepted') {
    const accepted = trusted.filter((e) => e.result === 'accepted').length;
    return {
      pinning: 'not-pinned',
      reason: `the app sent data over ${accepted} of ${plural(trusted.length, 'connection')} that used the trusted certificate (Pinprobe's CA)`,
    };
  }

  // A client that accepted even a weaker certificate was intercepted, so it cannot be
  // pinning; its refused trusted connection was most likely an unused pre-opened one.
  const weaker = BAD_SCENARIOS.find((s) => client[s].result === 'accepted');
  if (weaker) {
    return {
      pinning: 'not-pinned',
      reason: `the app accepted the ${weaker} certificate on another connection, so it does not pin; its refused trusted connection was most likely an unused pre-opened one`,
    };
  }

  const rejection = mostTellingRejection(trusted);
  if (!rejection) {
    const detail = trusted.find((e) => e.detail)?.detail;
    return {
      pinning: 'inconclusive',
      reason: `the trusted ${trusted.length === 1 ? 'connection was' : 'connections were'} inconclusive${detail ? ` (${detail})` : ''}`,
    };
  }

  if (rejection.stage === 'after-handshake') {
    const count = trusted.filter((e) => e.result === 'rejected' && e.stage === 'after-handshake').length;
    return {
      pinning: 'pinned',
      reason: `completed the handshake with the trusted certificate, then closed without sending data (${plural(count, 'connection')}${rejection.alert ? `, alert ${rejection.alert}` : ''})`,
    };
  }

  // Rejected in the handshake: pinned only if the same device accepted the CA elsewhere.
  for (const event of trusted) {
    if (event.result !== 'rejected') continue;
    const elsewhere = ctx.trustedElsewhere(event.clientAddress);
    if (elsewhere.length > 0) {
      const names = elsewhere.slice(0, 3).join(', ') + (elsewhere.length > 3 ? ` and ${elsewhere.length - 3} more` : '');
      return {
        pinning: 'pinned',
        reason: `${handshakeWords(event)}, while the same device (${event.clientAddress}) accepted the trusted certificate for ${names}, so it trusts the CA`,
      };
    }
  }
  return {
    pinning: 'inconclusive',
    reason: `${handshakeWords(rejection)}, and no evidence that the device trusts the CA (on Android 7+ apps refuse a user-installed CA without any pinning: install it in the system store, or open a host the app does not pin)`,
  };
}
