// Findings per host: stable ids (CI baselines and the UI key on them), one-line titles,
// the MASVS control and, where one applies, the MASTG test a tester would cite.
import type { Scenario } from '../session/events.js';
import { BAD_SCENARIOS } from './client.js';
import type { Finding, MtlsVerdict, Pinning, ScenarioVerdict, Severity } from './report-types.js';
import { SEVERITIES } from './report-types.js';

/** The four checks a finding can belong to (JUnit test cases are named after them). */
export type Check = 'pinning' | 'validation' | 'mtls' | 'cleartext';
export const CHECKS: readonly Check[] = ['pinning', 'validation', 'mtls', 'cleartext'];

/** Finding ids start with their check's name. */
export function checkOfFinding(id: string): Check | null {
  const prefix = id.split('-', 1)[0];
  return (CHECKS as readonly string[]).includes(prefix ?? '') ? (prefix as Check) : null;
}

/** 0 = critical … 4 = info; lower is worse. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

const VALIDATION_FINDINGS: Record<Exclude<Scenario, 'trusted'>, { title: string; mastg: string }> = {
  'self-signed': { title: 'Accepts a self-signed certificate', mastg: 'MASTG-TEST-0282' },
  'wrong-host': { title: 'Accepts a certificate issued for another host name', mastg: 'MASTG-TEST-0283' },
  // MASTG has no test of its own for expiry; 0282 (unsafe custom trust evaluation) lists
  // validity-only and loosened checks among its failures, so it is the closest fit.
  expired: { title: 'Accepts an expired certificate', mastg: 'MASTG-TEST-0282' },
  'untrusted-root': { title: 'Accepts a certificate from an untrusted root CA', mastg: 'MASTG-TEST-0282' },
};

/**
 * The judgeMtls result may one day say the backend accepted an arbitrary client
 * certificate; read it structurally so that works without changing this file.
 */
type MtlsVerdictWithExtras = MtlsVerdict & { acceptsAnyCert?: boolean };

export interface FindingInput {
  client: Record<Scenario, ScenarioVerdict>;
  pinning: Pinning;
  cleartext: boolean;
  mtls: MtlsVerdict;
  /** The host matches the session's --expect-mtls globs. */
  mtlsExpected: boolean;
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
  if (input.cleartext) {
    out.push({
      id: 'cleartext-http',
      severity: 'high',
      title: 'Sends cleartext HTTP traffic',
      masvs: 'MASVS-NETWORK-1',
      mastg: 'MASTG-TEST-0236',
    });
  }
  const mtls = input.mtls as MtlsVerdictWithExtras;
  if (mtls.acceptsAnyCert === true) {
    out.push({
      id: 'mtls-accepts-any-cert',
      severity: 'critical',
      title: 'Backend accepts any client certificate',
      masvs: 'MASVS-NETWORK-1',
    });
  }
  if (mtls.verdict === 'not-enforced') {
    out.push({
      id: 'mtls-not-enforced',
      severity: input.mtlsExpected ? 'high' : 'info',
      title: input.mtlsExpected
        ? 'Backend expected to require mTLS served a request without a client certificate'
        : 'Backend does not require a client certificate (mTLS not enforced)',
      masvs: 'MASVS-NETWORK-1',
    });
  }
  return out.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.id.localeCompare(b.id));
}

/** Worst severity among findings, or null when there are none. */
export function worstSeverity(findings: readonly Finding[]): Severity | null {
  let worst: Severity | null = null;
  for (const finding of findings) {
    if (worst === null || severityRank(finding.severity) < severityRank(worst)) worst = finding.severity;
  }
  return worst;
}
