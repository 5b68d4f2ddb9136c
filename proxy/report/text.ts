// The terminal table: one row per host, colours only when asked (stdout is a TTY).
import { SCENARIOS } from '../session/events.js';
import { checkSeverity, type Check } from '../judge/findings.js';
import type { HostVerdict, Report, ScenarioResult, Severity } from '../judge/report-types.js';
import {
  LEGEND, MTLS_LABEL, PINNING_LABEL, RESULT_SYMBOL, SCENARIO_LETTER, VALIDATION_LABEL,
  allFindings, hostLabel, pinningWithEvidence, severitySummary,
} from './labels.js';
import { describeTlsClient } from '../judge/tls-stacks.js';
import { mtlsUnknownWords } from '../judge/mtls-words.js';
import { backendSummary, backendTextLines, backendTone } from './backend-parts.js';
import { terminalSafe } from './terminal-safe.js';

export interface TextOptions {
  color: boolean;
}

type Tone = 'good' | 'warn' | 'bad' | 'dim' | 'plain';
const ANSI: Record<Tone, string> = { good: '\x1b[32m', warn: '\x1b[33m', bad: '\x1b[31m', dim: '\x1b[2m', plain: '' };
const RESET = '\x1b[0m';

const clean = terminalSafe;

interface Cell {
  text: string;
  tone: Tone;
}

const PINNING_TONE: Record<HostVerdict['pinning'], Tone> = { pinned: 'good', 'likely-pinned': 'plain', 'not-pinned': 'warn', inconclusive: 'dim', untested: 'dim' };
const VALIDATION_TONE: Record<HostVerdict['validation'], Tone> = { broken: 'bad', ok: 'good', partial: 'warn', untested: 'dim' };
const MTLS_TONE: Record<HostVerdict['mtls']['verdict'], Tone> = { enforced: 'good', 'not-enforced': 'warn', unknown: 'dim' };
const SEVERITY_TONE: Record<Severity, Tone> = { critical: 'bad', high: 'bad', medium: 'warn', low: 'warn', info: 'dim' };

/** A verdict with a finding is coloured by that finding's severity; otherwise by its own tone. */
function checkTone(h: HostVerdict, check: Check, fallback: Tone): Tone {
  const severity = checkSeverity(h.findings, check);
  return severity ? SEVERITY_TONE[severity] : fallback;
}

function scenarioTone(trusted: boolean, result: ScenarioResult): Tone {
  if (result === 'untested' || result === 'inconclusive') return 'dim';
  if (result === 'rejected') return 'good';
  // Accepting trusted is normal for a non-pinning app; accepting a bad certificate is not.
  return trusted ? 'warn' : 'bad';
}

function paint(text: string, tone: Tone, color: boolean): string {
  return color && tone !== 'plain' ? `${ANSI[tone]}${text}${RESET}` : text;
}

/** The per-scenario strip, e.g. "T✓ S✗ W✗ E· U·", with each part toned on its own. */
function strip(host: HostVerdict, color: boolean): { plain: string; painted: string } {
  const parts = SCENARIOS.map((s) => {
    const text = `${SCENARIO_LETTER[s]}${RESULT_SYMBOL[host.client[s].result]}`;
    return { text, painted: paint(text, scenarioTone(s === 'trusted', host.client[s].result), color) };
  });
  return { plain: parts.map((p) => p.text).join(' '), painted: parts.map((p) => p.painted).join(' ') };
}

function worstTone(host: HostVerdict): Tone {
  const worst = host.findings[0]?.severity;
  return worst ? SEVERITY_TONE[worst] : 'dim';
}

export function renderText(report: Report, opts: TextOptions): string {
  const { color } = opts;
  const out: string[] = [];
  const { session } = report;
  out.push(paint('Pinprobe report', 'plain', color) + ` — ${clean(session.file)}`);
  out.push(
    `started ${session.started ?? 'unknown'}, ended ${session.ended ?? 'not recorded'}, ` +
      `${session.connections} connection${session.connections === 1 ? '' : 's'}, ${report.hosts.length} host${report.hosts.length === 1 ? '' : 's'}`,
  );
  out.push('');
  if (report.hosts.length === 0) {
    out.push('No traffic was recorded. An app that ignores the system proxy shows no traffic at all — that is not a pass.');
    return `${out.join('\n')}\n`;
  }

  const heads = ['HOST', 'PINNING', 'VALIDATION', 'SCENARIOS', 'MTLS', 'CLEARTEXT', 'FINDINGS', 'BACKEND'];
  const rows = report.hosts.map((h) => {
    const s = strip(h, color);
    const cells: Array<Cell & { painted?: string }> = [
      { text: clean(hostLabel(h)) + (h.passthrough ? ' (passthrough)' : '') + (h.mappedTo?.length ? ` (mapped to ${clean(h.mappedTo.join(', '))})` : ''), tone: 'plain' },
      { text: PINNING_LABEL[h.pinning], tone: checkTone(h, 'pinning', PINNING_TONE[h.pinning]) },
      { text: VALIDATION_LABEL[h.validation], tone: checkTone(h, 'validation', VALIDATION_TONE[h.validation]) },
      { text: s.plain, tone: 'plain', painted: s.painted },
      { text: MTLS_LABEL[h.mtls.verdict], tone: checkTone(h, 'mtls', MTLS_TONE[h.mtls.verdict]) },
      { text: h.cleartext ? 'yes' : 'no', tone: h.cleartext ? 'bad' : 'plain' },
      { text: severitySummary(h.findings), tone: worstTone(h) },
      { text: backendSummary(h), tone: backendTone(h) },
    ];
    return cells;
  });
  // Widths from the plain text: ANSI codes take no columns.
  const widths = heads.map((head, i) => Math.max(head.length, ...rows.map((r) => [...(r[i]?.text ?? '')].length)));
  const pad = (text: string, i: number): string => text + ' '.repeat(Math.max(0, (widths[i] ?? 0) - [...text].length));
  out.push(heads.map((h, i) => pad(h, i)).join('  ').trimEnd());
  for (const row of rows) {
    const line = row.map((cell, i) => {
      const padding = ' '.repeat(Math.max(0, (widths[i] ?? 0) - [...cell.text].length));
      return (cell.painted ?? paint(cell.text, cell.tone, color)) + (i < row.length - 1 ? padding : '');
    });
    out.push(line.join('  '));
  }
  out.push('');
  out.push(paint(`Legend: ${LEGEND}`, 'dim', color));

  for (const a of report.advice ?? []) {
    out.push('');
    out.push(paint(`Note: ${a.text}`, 'warn', color));
  }

  const findings = allFindings(report);
  out.push('');
  out.push(`Findings: ${severitySummary(findings)}`);
  for (const h of report.hosts) {
    for (const f of h.findings) {
      const refs = [f.masvs, f.mastg].filter(Boolean).join(', ');
      out.push(`  ${paint(f.severity.padEnd(8), SEVERITY_TONE[f.severity], color)}  ${clean(hostLabel(h))}  ${clean(f.title)} [${f.id}; ${refs}]`);
      if (f.evidence) out.push(`            ${clean(f.evidence)}`);
    }
  }
  const checked = report.hosts.flatMap((h) => backendTextLines(h, clean(hostLabel(h))));
  if (checked.length > 0) {
    out.push('');
    out.push('Backend checks (check-auth: replayed without credentials):');
    out.push(...checked.map(clean));
  }
  const notes = report.hosts.filter((h) => h.pinning === 'inconclusive' || h.pinning === 'pinned' || h.pinning === 'likely-pinned');
  if (notes.length > 0) {
    out.push('');
    out.push('Pinning notes:');
    for (const h of notes) out.push(`  ${clean(hostLabel(h))}: ${pinningWithEvidence(h)} — ${clean(h.pinningReason)}`);
  }
  // Only an unknown with evidence (an attempt that went wrong): one without is the usual
  // pinned or tunnelled host, already explained above, and would repeat itself per host.
  const mtlsNotes = report.hosts.filter((h) => h.mtls.verdict === 'unknown' && h.mtls.evidence !== null);
  if (mtlsNotes.length > 0) {
    out.push('');
    out.push('mTLS notes:');
    for (const h of mtlsNotes) out.push(`  ${clean(hostLabel(h))}: unknown (${clean(h.mtls.evidence ?? '')}) — ${clean(mtlsUnknownWords(h.mtls, h.host, hostLabel(h)) ?? '')}`);
  }
  const clients = report.hosts.filter((h) => (h.fingerprints ?? []).length > 0);
  if (clients.length > 0) {
    out.push('');
    out.push('TLS clients (JA4):');
    for (const h of clients) out.push(`  ${clean(hostLabel(h))}: ${h.fingerprints.map((f) => clean(describeTlsClient(f))).join('; ')}`);
  }
  return `${out.join('\n')}\n`;
}
