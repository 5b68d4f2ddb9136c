// The order hosts are listed in, by the judge (reports, CI output) and by the UI's hosts
// board alike. Only report-types.ts is imported (no runtime imports there), so the UI
// bundles this file without any engine or Node code.
import { SEVERITIES, type Finding, type HostVerdict, type Severity } from './report-types.js';

/** 0 = critical … 4 = info; lower is worse. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Worst severity among findings, or null when there are none. */
export function worstSeverity(findings: readonly Finding[]): Severity | null {
  let worst: Severity | null = null;
  for (const finding of findings) {
    if (worst === null || severityRank(finding.severity) < severityRank(worst)) worst = finding.severity;
  }
  return worst;
}

/** Worst finding first (hosts without findings last), then by name and port. */
export function compareHosts(a: HostVerdict, b: HostVerdict): number {
  const rank = (h: HostVerdict): number => {
    const worst = worstSeverity(h.findings);
    return worst === null ? 99 : severityRank(worst);
  };
  return rank(a) - rank(b) || a.host.localeCompare(b.host) || a.port - b.port;
}
