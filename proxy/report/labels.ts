// Words and symbols shared by every rendering, so text, HTML and JUnit say the same thing.
import { SCENARIOS } from '../session/events.js';
import type { Scenario } from '../session/events.js';
import type { Finding, HostVerdict, Report, ScenarioResult, Severity } from '../judge/report-types.js';
import { SEVERITIES } from '../judge/report-types.js';
import { formatHostPort } from '../judge/judge.js';

export const SCENARIO_LETTER: Record<Scenario, string> = {
  trusted: 'T',
  'self-signed': 'S',
  'wrong-host': 'W',
  expired: 'E',
  'untrusted-root': 'U',
};

export const RESULT_SYMBOL: Record<ScenarioResult, string> = {
  accepted: '✓',
  rejected: '✗',
  inconclusive: '?',
  untested: '·',
};

export const LEGEND =
  SCENARIOS.map((s) => `${SCENARIO_LETTER[s]} ${s}`).join(', ') +
  '; ✓ accepted, ✗ rejected, ? inconclusive, · untested';

export const PINNING_LABEL: Record<HostVerdict['pinning'], string> = {
  pinned: 'Pinned',
  'likely-pinned': 'Likely pinned',
  'not-pinned': 'Not pinned',
  inconclusive: 'Inconclusive',
  untested: 'Untested',
};

/** How each pinning evidence is named to a tester. */
export const EVIDENCE_LABEL: Record<NonNullable<HostVerdict['pinningEvidence']>, string> = {
  'stage-contrast': 'stage contrast',
  'device-trusts-ca': 'device trusts the CA',
  'same-client-trusted-elsewhere': 'same TLS client trusted the CA elsewhere',
};

/** "Pinned (stage contrast)", "Likely pinned (same TLS client …)", "Inconclusive". */
export function pinningWithEvidence(h: Pick<HostVerdict, 'pinning' | 'pinningEvidence'>): string {
  const evidence = h.pinningEvidence ? EVIDENCE_LABEL[h.pinningEvidence] : null;
  return evidence ? `${PINNING_LABEL[h.pinning]} (${evidence})` : PINNING_LABEL[h.pinning];
}

export const VALIDATION_LABEL: Record<HostVerdict['validation'], string> = {
  broken: 'Broken',
  ok: 'OK',
  partial: 'Partial',
  untested: 'Untested',
};

export const MTLS_LABEL: Record<HostVerdict['mtls']['verdict'], string> = {
  enforced: 'Enforced',
  'not-enforced': 'Not enforced',
  unknown: 'Unknown',
};

/** Display form of a host: IPv6 addresses are bracketed, as in a URL. */
export function hostLabel(host: { host: string; port: number }): string {
  return formatHostPort(host.host, host.port);
}

/** Findings counted per severity, every severity present (zeros included). */
export function countBySeverity(findings: Iterable<Finding>): Record<Severity, number> {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 } as Record<Severity, number>;
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

export function allFindings(report: Report): Finding[] {
  return report.hosts.flatMap((h) => h.findings);
}

/** "1 critical, 2 medium", or "none". */
export function severitySummary(findings: readonly Finding[]): string {
  const counts = countBySeverity(findings);
  const parts = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** A host had at least one intercepted connection judged on the client side. */
export function wasClientTested(host: HostVerdict): boolean {
  return SCENARIOS.some((s) => host.client[s].result !== 'untested');
}
