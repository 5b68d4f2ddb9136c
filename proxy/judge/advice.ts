// Session-level advice: patterns across hosts that say more than any one host's verdict.
// The commonest: the device does not trust Pinprobe's CA at all (an Android 7+ app with a
// user-installed CA, an iOS profile without full trust), so every host refuses `trusted`
// in the handshake and no pinning verdict can be reached. Testers should hear that first.
import type { SessionHeader } from '../session/events.js';
import type { Advice, HostVerdict } from './report-types.js';

/** A --map-remote rule as the session records it. */
export type RecordedMapRule = NonNullable<SessionHeader['options']['mapRemote']>[number];

/** Every rule in effect at some point of the session: the header's, then those a `settings` line brought. */
export function mapRulesSeen(seen: RecordedMapRule[], rules: unknown): void {
  if (!Array.isArray(rules)) return;
  for (const r of rules as Array<Partial<RecordedMapRule>>) {
    if (typeof r?.from !== 'string' || typeof r?.to !== 'string') continue;
    if (!seen.some((s) => s.from === r.from && s.to === r.to)) seen.push({ from: r.from, to: r.to });
  }
}

export function sessionAdvice(hosts: readonly HostVerdict[], mapRules: readonly RecordedMapRule[] = []): Advice[] {
  const advice: Advice[] = [];
  const accepted = hosts.some((h) => h.client.trusted.result === 'accepted');
  const refusedInHandshake = hosts.filter((h) => h.client.trusted.result === 'rejected' && h.client.trusted.stage === 'handshake');
  if (!accepted && refusedInHandshake.length > 0) {
    const n = refusedInHandshake.length;
    advice.push({
      id: 'ca-not-trusted',
      text:
        `No connection accepted Pinprobe's CA, and ${n} host${n === 1 ? '' : 's'} refused it during the handshake: ` +
        'the device most likely does not trust the CA yet, so pinning cannot be judged. ' +
        'Android 7+: apps ignore user-installed CAs — put the CA in the system store (emulator or rooted device) and declare it (--device-trusts-ca ADDR, or Setup → Devices), or test a debug build that trusts user CAs. ' +
        'iOS: after installing the profile, enable full trust in Settings → General → About → Certificate Trust Settings.',
    });
  }
  if (mapRules.length > 0) {
    const rules = mapRules.map((r) => `${r.from} → ${r.to}`).join(', ');
    advice.push({
      id: 'map-remote',
      text:
        `--map-remote sent ${rules} in this session: the backend verdicts of ${mapRules.length === 1 ? 'that host' : 'those hosts'} ` +
        `(mTLS, backend checks, what the answers carried) are those of ${mapRules.length === 1 ? 'the server it was' : 'the servers they were'} sent to, not of the real backend. ` +
        'What the app accepted or refused (pinning, validation) is the app\'s as usual.',
    });
  }
  return advice;
}
