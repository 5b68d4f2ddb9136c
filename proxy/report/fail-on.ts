// `--fail-on SEVERITY`: CI pipelines exit 1 when any finding is at least that severe.
import { severityRank } from '../judge/findings.js';
import type { Report, Severity } from '../judge/report-types.js';
import { SEVERITIES } from '../judge/report-types.js';

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** True when some finding is as severe as `severity` or worse. */
export function failOn(report: Report, severity: Severity): boolean {
  const threshold = severityRank(severity);
  return report.hosts.some((h) => h.findings.some((f) => severityRank(f.severity) <= threshold));
}
