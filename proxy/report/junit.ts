// JUnit XML for CI: one <testsuite> per host, one <testcase> per check (pinning,
// validation, mtls, cleartext, backend). A case fails when its check produced a finding of
// severity low or worse; info findings never fail (they are notes, not defects). A check
// without a verdict (untested, unknown, inconclusive pinning) is <skipped>, so CI shows it
// was not proven either way.
import { CHECKS, checkOfFinding, severityRank } from '../judge/findings.js';
import type { Check } from '../judge/findings.js';
import type { Finding, HostVerdict, Report } from '../judge/report-types.js';
import { MTLS_LABEL, VALIDATION_LABEL, hostLabel, pinningWithEvidence } from './labels.js';
import { backendSummary } from './backend-parts.js';
import { looksCleartextOnly, mtlsUnknownWords } from '../judge/mtls-words.js';

const LOW = severityRank('low');

/** XML-escapes text and drops characters XML 1.0 cannot carry at all. */
function x(value: string | number): string {
  return String(value)
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

interface CaseResult {
  name: Check;
  failures: Finding[];
  skipped: string | null;
  summary: string;
}

function verdictOf(h: HostVerdict, check: Check): { summary: string; skipped: string | null; unproven?: string | null } {
  switch (check) {
    case 'pinning':
      return {
        summary: `${pinningWithEvidence(h)}: ${h.pinningReason}`,
        skipped: h.pinning === 'untested' || h.pinning === 'inconclusive' ? `${h.pinning}: ${h.pinningReason}` : null,
        // Likely pinned is not proven: never a pass for a pinning case (SPEC "Pinning").
        unproven: h.pinning === 'likely-pinned' ? `likely-pinned (${h.pinningEvidence ?? 'no evidence'}): ${h.pinningReason}` : null,
      };
    case 'validation':
      return { summary: VALIDATION_LABEL[h.validation], skipped: h.validation === 'untested' ? 'untested: no bad certificate was shown' : null };
    case 'mtls':
      return {
        summary: `${MTLS_LABEL[h.mtls.verdict]}${h.mtls.evidence ? ` (${h.mtls.evidence})` : ''}`,
        skipped: h.mtls.verdict === 'unknown' ? mtlsSkip(h) : null,
      };
    case 'cleartext':
      return { summary: h.cleartext ? 'cleartext HTTP seen' : 'no cleartext HTTP seen', skipped: null };
    case 'backend':
      // Passive checks always run over the recorded traffic, so this case is never skipped.
      return { summary: `credentials, keys and tokens in traffic checked; without credentials: ${backendSummary(h)}`, skipped: null };
  }
}

function caseFor(h: HostVerdict, check: Check): CaseResult {
  const failures = h.findings.filter((f) => checkOfFinding(f.id) === check && severityRank(f.severity) <= LOW);
  const { summary, skipped, unproven } = verdictOf(h, check);
  // A likely-pinned case is reported as skipped (not proven either way), never as passed.
  const notProven = skipped ?? unproven ?? null;
  return { name: check, failures, skipped: failures.length > 0 ? null : notProven, summary };
}

function caseXml(host: string, c: CaseResult): string {
  const open = `    <testcase classname="${x(host)}" name="${x(c.name)}" time="0">`;
  if (c.failures.length > 0) {
    const worst = c.failures[0] as Finding;
    const body = c.failures.map((f) => `[${f.severity}] ${f.title} (${f.id}; ${[f.masvs, f.mastg].filter(Boolean).join(', ')})${f.evidence ? ` — ${f.evidence}` : ''}`).join('\n');
    return `${open}\n      <failure message="${x(worst.title)}" type="${x(worst.severity)}">${x(`${body}\n${c.summary}`)}</failure>\n    </testcase>`;
  }
  if (c.skipped !== null) return `${open}\n      <skipped message="${x(c.skipped)}"/>\n    </testcase>`;
  return `${open}\n      <system-out>${x(c.summary)}</system-out>\n    </testcase>`;
}

export function renderJunit(report: Report): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  const timestamp = report.session.started ? ` timestamp="${x(report.session.started.replace(/Z$/, ''))}"` : '';
  for (const h of report.hosts) {
    const name = hostLabel(h);
    const cases = CHECKS.map((check) => caseFor(h, check));
    const f = cases.filter((c) => c.failures.length > 0).length;
    const s = cases.filter((c) => c.skipped !== null).length;
    tests += cases.length;
    failures += f;
    skipped += s;
    suites.push(
      `  <testsuite name="${x(name)}" tests="${cases.length}" failures="${f}" errors="0" skipped="${s}"${timestamp}>\n` +
        `${cases.map((c) => caseXml(name, c)).join('\n')}\n  </testsuite>`,
    );
  }
  if (report.hosts.length === 0) {
    // An empty report must not read as a green build with zero tests.
    tests = 1;
    skipped = 1;
    suites.push(
      `  <testsuite name="session" tests="1" failures="0" errors="0" skipped="1"${timestamp}>\n` +
        '    <testcase classname="session" name="traffic" time="0">\n' +
        '      <skipped message="no traffic was recorded: an app that ignores the system proxy shows none, which is not a pass"/>\n' +
        '    </testcase>\n  </testsuite>',
    );
  }
  return '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="${x(`pinprobe ${report.session.file}`)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">\n` +
    `${suites.join('\n')}\n</testsuites>\n`;
}

/** The mTLS case's skip message: why it is unknown, or that it does not apply (judge/mtls-words.ts). */
function mtlsSkip(h: HostVerdict): string {
  const words = mtlsUnknownWords(h.mtls, h.host, hostLabel(h), { cleartextOnly: looksCleartextOnly(h) }) ?? '';
  return words.startsWith('does not apply') ? words : `unknown: ${words}`;
}
