// `pinprobe diff` renderings: text for a terminal, JSON (`pinprobe.diff/1`) for scripts,
// JUnit for CI (one test case per host; a case fails on a regression of severity low or
// worse, or of the --fail-on severity when one is given).
import { severityRank } from '../judge/findings.js';
import type { Severity } from '../judge/report-types.js';
import { countsAgainstB, readableChanges, type DiffChange, type HostDiff, type SessionDiff } from './diff.js';
import { hostLabel } from './labels.js';
import { terminalSafe } from './terminal-safe.js';

export const DIFF_FORMATS = ['text', 'json', 'junit'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export function isDiffFormat(value: string): value is DiffFormat {
  return (DIFF_FORMATS as readonly string[]).includes(value);
}

const clean = terminalSafe;

const MARK: Record<DiffChange['kind'], string> = { regression: '✗', improvement: '✓', change: '~' };
const STATUS_WORDS: Record<HostDiff['status'], string> = { added: 'new in B', removed: 'gone in B', changed: 'changed', unchanged: 'unchanged' };

const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

export function summaryLine(diff: SessionDiff): string {
  const s = diff.summary;
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  return [
    plural(s.regressions, 'regression'),
    plural(s.improvements, 'improvement'),
    plural(s.changes, 'other change'),
    plural(s.added, 'new host'),
    plural(s.removed, 'host', 'hosts') + ' gone',
    plural(s.unchanged, 'host') + ' unchanged',
  ].join(', ');
}

function sideLine(label: string, side: SessionDiff['a']): string {
  return `  ${label}: ${side.file}${side.started ? `  (started ${side.started})` : ''} · ${side.hosts} host${side.hosts === 1 ? '' : 's'}`;
}

/** The change's text, with its severity when it weighs against B and the text does not say it. */
export function lineText(c: DiffChange): string {
  return countsAgainstB(c) && c.finding === undefined ? `${c.text} [${c.severity}]` : c.text;
}

export function renderDiffText(diff: SessionDiff, opts: { color: boolean }): string {
  const paint = (code: string, text: string) => (opts.color ? `${code}${text}${RESET}` : text);
  const lines = ['pinprobe diff: what changed from A (old build) to B (new build)', sideLine('A', diff.a), sideLine('B', diff.b), ''];
  const changed = diff.hosts.filter((h) => h.status !== 'unchanged');
  if (changed.length === 0) lines.push('No host changed.');
  for (const h of changed) {
    lines.push(`${clean(hostLabel(h))}  ${STATUS_WORDS[h.status]}`);
    for (const c of readableChanges(h)) {
      const text = `  ${MARK[c.kind]} ${clean(lineText(c))}`;
      lines.push(c.kind === 'regression' ? paint(RED, text) : c.kind === 'improvement' ? paint(GREEN, text) : paint(DIM, text));
    }
  }
  const same = diff.hosts.filter((h) => h.status === 'unchanged');
  if (same.length > 0) lines.push(paint(DIM, `Unchanged: ${same.map((h) => clean(hostLabel(h))).join(', ')}`));
  lines.push('', summaryLine(diff));
  return lines.join('\n');
}

export function renderDiffJson(diff: SessionDiff): string {
  return JSON.stringify(diff, null, 2);
}

/** XML-escapes text and drops characters XML 1.0 cannot carry at all. */
function x(value: string | number): string {
  return String(value)
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function renderDiffJunit(diff: SessionDiff, failOn: Severity = 'low'): string {
  const threshold = severityRank(failOn);
  const fails = (c: DiffChange) => countsAgainstB(c) && severityRank(c.severity!) <= threshold;
  const cases = diff.hosts.map((h) => {
    const name = hostLabel(h);
    const open = `    <testcase classname="diff" name="${x(name)}" time="0">`;
    const failing = h.changes.filter(fails);
    const body = readableChanges(h).map((c) => `${MARK[c.kind]} ${lineText(c)}`).join('\n');
    if (failing.length > 0) {
      const first = failing[0]!;
      return { failed: true, skipped: false, xml: `${open}\n      <failure message="${x(first.text)}" type="${x(first.severity ?? 'info')}">${x(body)}</failure>\n    </testcase>` };
    }
    if (h.status === 'removed') return { failed: false, skipped: true, xml: `${open}\n      <skipped message="${x('only in A: B did not reach this host')}"/>\n    </testcase>` };
    return { failed: false, skipped: false, xml: `${open}\n      <system-out>${x(body || 'unchanged')}</system-out>\n    </testcase>` };
  });
  if (cases.length === 0) {
    // Two empty sessions must not read as a green build with zero tests.
    cases.push({ failed: false, skipped: true, xml: '    <testcase classname="diff" name="traffic" time="0">\n      <skipped message="neither session reached a host: nothing to compare"/>\n    </testcase>' });
  }
  const failures = cases.filter((c) => c.failed).length;
  const skipped = cases.filter((c) => c.skipped).length;
  return '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="${x(`pinprobe diff ${diff.a.file} ${diff.b.file}`)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">\n` +
    `  <testsuite name="diff" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">\n` +
    `${cases.map((c) => c.xml).join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

export function renderDiff(format: DiffFormat, diff: SessionDiff, opts: { color?: boolean; failOn?: Severity } = {}): string {
  switch (format) {
    case 'text':
      return renderDiffText(diff, { color: opts.color ?? false });
    case 'json':
      return renderDiffJson(diff);
    case 'junit':
      return renderDiffJunit(diff, opts.failOn);
  }
}
