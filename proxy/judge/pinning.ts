// Pinning verdict per host (SPEC "Pinning"). The hard part is not calling a refusal
// "pinned" without evidence that the refusing TLS client trusts Pinprobe's CA: on Android 7+
// most apps refuse a user-installed CA with no pinning at all, and GnuTLS, Node and Firefox
// on TLS 1.2 refuse an untrusted chain only after the handshake. Evidence, strongest first:
// stage contrast, device trust, the same TLS client (address + JA4) trusting it elsewhere.
import type { ClientTlsEvent, Scenario } from '../session/events.js';
import { BAD_SCENARIOS, mostTellingRejection } from './client.js';
import type { Pinning, PinningEvidence, ScenarioVerdict } from './report-types.js';
import { describeTlsClient } from './tls-stacks.js';
import { cleanTlsMessage } from '../observe/tls-words.js';

export interface PinningVerdict {
  pinning: Pinning;
  reason: string;
  evidence: PinningEvidence | null;
}

/** Where one TLS client (address + JA4) accepted `trusted` for other hosts. */
export interface TrustedElsewhere {
  /** Hosts (display) where the same address and JA4 accepted trusted. */
  sameClient: readonly string[];
  /** Other JA4s from the same address that accepted trusted, each with its hosts. */
  otherClients: ReadonlyArray<{ ja4: string | null; hosts: readonly string[] }>;
}

export interface PinningContext {
  client: Record<Scenario, ScenarioVerdict>;
  /** This host's `trusted` TLS outcomes. */
  trusted: readonly ClientTlsEvent[];
  /** This host's TLS outcomes for the four bad scenarios. */
  bad: readonly ClientTlsEvent[];
  /** Other hosts where this TLS client — or others at its address — accepted `trusted`. */
  trustedElsewhere: (clientAddress: string, ja4: string | null) => TrustedElsewhere;
  /** The declared device entry (ADDR or CIDR) covering this address, or null. */
  deviceTrust: (clientAddress: string) => string | null;
  /** The session's --scenario, when one was forced. */
  forcedScenario: Scenario | null;
  /** Audit rotation with automatic passthrough: the proxy sets up the stage contrast itself. */
  rotation: boolean;
  /** Only tunnelled or only cleartext: explains an untested verdict. */
  onlyTunnelled: boolean;
  onlyCleartext: boolean;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function names(list: readonly string[]): string {
  return list.slice(0, 3).join(', ') + (list.length > 3 ? ` and ${list.length - 3} more` : '');
}

function untestedReason(ctx: PinningContext): string {
  if (ctx.forcedScenario && ctx.forcedScenario !== 'trusted') {
    return `not tested: the session forced --scenario ${ctx.forcedScenario}, so no connection was shown the trusted certificate`;
  }
  if (ctx.onlyTunnelled) return 'not tested: connections to this host were tunnelled untouched, never intercepted';
  if (ctx.onlyCleartext) return 'not tested: only cleartext HTTP was seen for this host';
  return 'not tested: no connection to this host was shown the trusted certificate';
}

const ja4Of = (e: ClientTlsEvent): string | null => (e.fingerprint && typeof e.fingerprint.ja4 === 'string' ? e.fingerprint.ja4 : null);

/** Same TLS client: same address, and the same JA4 where both were recorded. */
function sameClient(a: ClientTlsEvent, b: ClientTlsEvent): boolean {
  if (a.clientAddress !== b.clientAddress) return false;
  const x = ja4Of(a);
  const y = ja4Of(b);
  return x === null || y === null || x === y;
}

/** What was seen on the refused trusted connection, in words. */
function refusalWords(event: ClientTlsEvent): string {
  if (event.stage === 'after-handshake') {
    return `completed the handshake with the trusted certificate, then closed without sending data${event.alert ? ` (alert ${event.alert})` : ''}`;
  }
  return event.alert ? `refused the trusted certificate in the handshake (${event.alert})` : 'refused the trusted certificate in the handshake (closed before it finished)';
}

/** What would settle an inconclusive or likely-pinned verdict. */
function toSettle(ctx: PinningContext, rejection: ClientTlsEvent): string {
  const ways: string[] = [];
  if (rejection.stage === 'after-handshake' && !ctx.bad.some((e) => e.scenario === 'untrusted-root')) {
    ways.push(ctx.rotation
      ? 'open the app again so the next connection gets the untrusted-root certificate (stage contrast)'
      : 'run in audit rotation (no --scenario) so an untrusted-root connection shows whether the stack checks chains in the handshake');
  }
  ways.push(`put Pinprobe's CA in the device's system store and declare it (--device-trusts-ca ${rejection.clientAddress}, or Setup → devices)`);
  ways.push('or tunnel the host (--passthrough) and retry: if the app then works, it was refusing the interception');
  return `To settle it: ${ways.join('; ')}.`;
}

function stageContrast(ctx: PinningContext, after: readonly ClientTlsEvent[]): { refusal: ClientTlsEvent; earlier: ClientTlsEvent } | null {
  for (const refusal of after) {
    // untrusted-root first: it differs from trusted only in who signed it.
    const earlier = [...ctx.bad]
      .sort((a, b) => Number(b.scenario === 'untrusted-root') - Number(a.scenario === 'untrusted-root'))
      .find((e) => e.result === 'rejected' && e.stage === 'handshake' && sameClient(e, refusal));
    if (earlier) return { refusal, earlier };
  }
  return null;
}

export function judgePinning(ctx: PinningContext): PinningVerdict {
  const { client, trusted } = ctx;
  const verdict = client.trusted;
  if (verdict.result === 'untested') return { pinning: 'untested', reason: untestedReason(ctx), evidence: null };

  if (verdict.result === 'accepted') {
    const accepted = trusted.filter((e) => e.result === 'accepted').length;
    return {
      pinning: 'not-pinned',
      reason: `the app sent data over ${accepted} of ${plural(trusted.length, 'connection')} that used the trusted certificate (Pinprobe's CA)`,
      evidence: null,
    };
  }

  // A client that accepted even a weaker certificate was intercepted, so it cannot be
  // pinning; its refused trusted connection was most likely an unused pre-opened one.
  const weaker = BAD_SCENARIOS.find((s) => client[s].result === 'accepted');
  if (weaker) {
    return {
      pinning: 'not-pinned',
      reason: `the app accepted the ${weaker} certificate on another connection, so it does not pin; its refused trusted connection was most likely an unused pre-opened one`,
      evidence: null,
    };
  }

  const rejection = mostTellingRejection(trusted);
  if (!rejection) {
    const detail = trusted.find((e) => e.detail)?.detail;
    return {
      pinning: 'inconclusive',
      reason: `the trusted ${trusted.length === 1 ? 'connection was' : 'connections were'} inconclusive${detail ? ` (${cleanTlsMessage(detail)})` : ''}`,
      evidence: null,
    };
  }
  const refused = trusted.filter((e) => e.result === 'rejected');

  // 1. Stage contrast: the same TLS client refused a bad certificate in the handshake but
  //    got through the handshake with ours — its stack checks chains and passed ours.
  const contrast = stageContrast(ctx, refused.filter((e) => e.stage === 'after-handshake'));
  if (contrast) {
    const count = refused.filter((e) => e.stage === 'after-handshake').length;
    return {
      pinning: 'pinned',
      evidence: 'stage-contrast',
      reason:
        `${refusalWords(contrast.refusal)} (${plural(count, 'connection')}), while the same TLS client refused the ${contrast.earlier.scenario} certificate ` +
        `already in the handshake${contrast.earlier.alert ? ` (${contrast.earlier.alert})` : ''}: its stack checks chains in the handshake and passed Pinprobe's, so the later refusal is the app's pin`,
    };
  }

  // 2. The tester declared that this device has the CA in its system store.
  for (const event of refused) {
    const declared = ctx.deviceTrust(event.clientAddress);
    if (declared) {
      return {
        pinning: 'pinned',
        evidence: 'device-trusts-ca',
        reason: `${refusalWords(event)}, and the device ${event.clientAddress} has Pinprobe's CA in its system store (declared: ${declared})`,
      };
    }
  }

  // 3. The same TLS client (address + JA4) accepted trusted for another host: likely, since
  //    two apps on the same stack share a JA4.
  for (const event of refused) {
    const elsewhere = ctx.trustedElsewhere(event.clientAddress, ja4Of(event));
    if (elsewhere.sameClient.length > 0) {
      return {
        pinning: 'likely-pinned',
        evidence: 'same-client-trusted-elsewhere',
        reason:
          `${refusalWords(event)}, while the same TLS client (${event.clientAddress}, ${describeTlsClient(ja4Of(event))}) accepted the trusted certificate for ` +
          `${names(elsewhere.sameClient)}; another app on the same TLS stack shares that fingerprint, so this is likely, not proven. ${toSettle(ctx, event)}`,
      };
    }
  }

  // 4. Only a different TLS client at the address trusted the CA: says nothing about this one.
  for (const event of refused) {
    const other = ctx.trustedElsewhere(event.clientAddress, ja4Of(event)).otherClients[0];
    if (other) {
      return {
        pinning: 'inconclusive',
        evidence: null,
        reason:
          `${refusalWords(event)}. Another TLS client on ${event.clientAddress} (${describeTlsClient(other.ja4)}) trusts the CA (accepted ${names(other.hosts)}); ` +
          `this client (${describeTlsClient(ja4Of(event))}) refused it — different clients have different trust stores (on Android 7+ apps do not trust user CAs, browsers do). ${toSettle(ctx, event)}`,
      };
    }
  }

  const noEvidence = rejection.stage === 'after-handshake'
    ? 'a close after the handshake is also how GnuTLS, Node and Firefox on TLS 1.2 refuse a chain they do not trust, and nothing shows that this client trusts the CA'
    : 'no evidence that the device trusts the CA (on Android 7+ apps refuse a user-installed CA without any pinning)';
  return {
    pinning: 'inconclusive',
    evidence: null,
    reason: `${refusalWords(rejection)}; ${noEvidence}. ${toSettle(ctx, rejection)}`,
  };
}
