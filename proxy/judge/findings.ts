// Findings per host: stable ids (CI baselines and the UI key on them), one-line titles,
// the MASVS control and, where one applies, the MASTG test a tester would cite.
import type { Scenario } from '../session/events.js';
import { BAD_SCENARIOS } from './client.js';
import type { Finding, Pinning, ScenarioVerdict, Severity } from './report-types.js';
import { severityRank, worstSeverity } from './host-order.js';

/** The checks a finding can belong to (JUnit test cases are named after them). */
export type Check = 'pinning' | 'validation' | 'mtls' | 'cleartext' | 'backend';
export const CHECKS: readonly Check[] = ['pinning', 'validation', 'mtls', 'cleartext', 'backend'];

/** Finding ids start with their check's name. */
export function checkOfFinding(id: string): Check | null {
  const prefix = id.split('-', 1)[0];
  return (CHECKS as readonly string[]).includes(prefix ?? '') ? (prefix as Check) : null;
}

// Severity ranking is shared with the UI (host-order.ts).
export { severityRank, worstSeverity };

const VALIDATION_FINDINGS: Record<Exclude<Scenario, 'trusted'>, { title: string; mastg: string }> = {
  'self-signed': { title: 'Accepts a self-signed certificate', mastg: 'MASTG-TEST-0282' },
  'wrong-host': { title: 'Accepts a certificate issued for another host name', mastg: 'MASTG-TEST-0283' },
  // MASTG has no test of its own for expiry; 0282 (unsafe custom trust evaluation) lists
  // validity-only and loosened checks among its failures, so it is the closest fit.
  expired: { title: 'Accepts an expired certificate', mastg: 'MASTG-TEST-0282' },
  'untrusted-root': { title: 'Accepts a certificate from an untrusted root CA', mastg: 'MASTG-TEST-0282' },
};

export interface FindingInput {
  client: Record<Scenario, ScenarioVerdict>;
  pinning: Pinning;
  cleartext: boolean;
  /** From proxy/judge/mtls.ts (`mtlsFindings`) and backend-*.ts: those modules own their rules and ids. */
  mtlsFindings: readonly Finding[];
  /** Every trusted connection carried a request and was dropped before the answer (late-refusal.ts). */
  lateRefusal?: boolean;
}

export function findingsFor(input: FindingInput): Finding[] {
  const out: Finding[] = [];
  for (const scenario of BAD_SCENARIOS) {
    if (input.client[scenario].result !== 'accepted') continue;
    const { title, mastg } = VALIDATION_FINDINGS[scenario];
    out.push({ id: `validation-${scenario}-accepted`, severity: 'critical', title, masvs: 'MASVS-NETWORK-1', mastg });
  }
  if (input.pinning === 'not-pinned') {
    out.push({
      id: 'pinning-missing',
      severity: 'medium',
      title: 'No certificate pinning: traffic was intercepted with a CA the device trusts',
      masvs: 'MASVS-NETWORK-2',
      mastg: 'MASTG-TEST-0244',
    });
  }
  if (input.lateRefusal) {
    out.push({
      id: 'pinning-late-check',
      severity: 'medium',
      title: 'The request left the device before the app refused the certificate (a late pin check leaks the request)',
      masvs: 'MASVS-NETWORK-2',
      mastg: 'MASTG-TEST-0244',
    });
  }
  if (input.cleartext) {
    out.push({
      id: 'cleartext-http',
      severity: 'high',
      title: 'Sends cleartext HTTP traffic',
      masvs: 'MASVS-NETWORK-1',
      mastg: 'MASTG-TEST-0236',
    });
  }
  out.push(...input.mtlsFindings);
  return out.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.id.localeCompare(b.id));
}


/**
 * The worst severity among a host's findings of one check ("pinning", "mtls", …), or null.
 * Every rendering colours a verdict by this, so an info finding (mTLS not enforced on an
 * ordinary host) never looks like a high one.
 */
export function checkSeverity(findings: readonly Finding[], check: Check): Severity | null {
  return worstSeverity(findings.filter((f) => checkOfFinding(f.id) === check));
}
