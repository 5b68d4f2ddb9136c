// The HTML report: one self-contained file (inline CSS, no scripts, no external assets)
// that a lead can forward — summary, per-host verdict table, then each host's evidence.
import { SCENARIOS } from '../session/events.js';
import type { SessionLine } from '../session/events.js';
import { groupByHost, hostKey } from '../judge/group.js';
import { splitLines } from '../judge/judge.js';
import type { HostVerdict, Report } from '../judge/report-types.js';
import { SEVERITIES } from '../judge/report-types.js';
import { escapeHtml as e } from './html-escape.js';
import {
  SEVERITY_CLASS, badge, cleartextBadge, hostSection, mtlsBadge, pinningBadge, resultClass, validationBadge,
} from './html-evidence.js';
import { REPORT_CSS } from './html-style.js';
import { backendSummary, backendTone } from './backend-parts.js';
import { LEGEND, RESULT_SYMBOL, SCENARIO_LETTER, allFindings, countBySeverity, hostLabel, severitySummary, wasClientTested } from './labels.js';

function scenarioStrip(h: HostVerdict): string {
  const parts = SCENARIOS.map((s) => {
    const v = h.client[s];
    const title = `${s}: ${v.result}${v.stage ? `, ${v.stage}` : ''}${v.alert ? ` (${v.alert})` : ''}, ${v.connections} connection(s)`;
    return badge(`${SCENARIO_LETTER[s]}${RESULT_SYMBOL[v.result]}`, resultClass(s, v.result), title);
  });
  return `<span class="strip">${parts.join('')}</span>`;
}

function summary(report: Report): string {
  const counts = countBySeverity(allFindings(report));
  const tested = report.hosts.filter(wasClientTested).length;
  const cards = [
    `<div class="card"><b>${report.hosts.length}</b>hosts seen</div>`,
    `<div class="card"><b>${tested}</b>hosts tested (TLS intercepted)</div>`,
    ...SEVERITIES.map((s) => `<div class="card"><b>${counts[s]}</b>${badge(s, SEVERITY_CLASS[s])} findings</div>`),
  ];
  return `<div class="cards">${cards.join('')}</div>`;
}

function hostsTable(report: Report): string {
  const rows = report.hosts.map((h, i) =>
    `<tr><td><a href="#host-${i}"><code>${e(hostLabel(h))}</code></a></td><td>${pinningBadge(h)}</td><td>${validationBadge(h)}</td>` +
    `<td>${scenarioStrip(h)}</td><td>${mtlsBadge(h)}</td><td>${cleartextBadge(h)}</td><td>${e(severitySummary(h.findings))}</td><td>${badge(backendSummary(h), backendTone(h))}</td></tr>`,
  );
  return '<table class="hosts"><thead><tr><th>host</th><th>pinning</th><th>validation</th><th>scenarios</th><th>mTLS</th>' +
    `<th>cleartext</th><th>findings</th><th>backend</th></tr></thead><tbody>${rows.join('')}</tbody></table>` +
    `<p class="muted">Scenarios: ${e(LEGEND)}. Hover a badge for details.</p>`;
}

const NO_TRAFFIC = '<p class="note">No traffic was recorded. An app that ignores the system proxy (Flutter/Dart, some games) ' +
  'shows no traffic at all — that is not a pass. Check the phone\'s proxy settings and that the app was used during the session.</p>';

const HOW_TO_READ = `<h2>How to read this report</h2>
<ul>
<li><b>Pinned</b> needs evidence that the refusing TLS client trusts Pinprobe's CA: <i>stage contrast</i> (the same client refused
the untrusted-root certificate already in the handshake but got through the handshake with the trusted one) or a device declared to
have the CA in its system store. <b>Likely pinned</b>: the only evidence is the same TLS client (address and JA4 fingerprint) accepting
the trusted certificate for another host — apps on the same stack share a fingerprint, so it is not proven.
<b>Inconclusive</b>: no such evidence — on Android 7+ apps refuse user-installed CAs without any pinning, and GnuTLS, Node and Firefox
on TLS 1.2 close after the handshake for any chain they do not trust. Each reason says what would settle it.</li>
<li><b>Validation</b> is <b>Broken</b> when the app accepted a self-signed, wrong-host, expired or untrusted-root certificate.</li>
<li>Any accepted connection to a host outweighs refused ones: apps pre-open connections and close unused ones.</li>
</ul>`;

/** Renders the report; `lines` are the session's recorded lines (header optional), for the evidence. */
export function renderHtml(report: Report, lines: readonly SessionLine[]): string {
  const { header, events } = splitLines(lines);
  const grouped = groupByHost(events, header);
  const { session } = report;
  const sections = report.hosts.map((h, i) => hostSection(h, i, grouped.get(hostKey(h.host, h.port)), header)).join('\n');
  const forced = header?.options?.scenario ? ` · forced scenario <code>${e(header.options.scenario)}</code>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pinprobe report — ${e(session.file)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>Pinprobe report</h1>
<p class="meta">Session <code>${e(session.file)}</code> · started ${e(session.started ?? 'unknown')} · ended ${e(session.ended ?? 'not recorded')}` +
    ` · ${e(session.connections)} connections${forced}${header ? ` · Pinprobe ${e(header.version)} · CA ${e(header.caSubject)}` : ''}</p>
</header>
<main>
<h2>Summary</h2>
${summary(report)}
<p>Findings: ${e(severitySummary(allFindings(report)))}</p>
${(report.advice ?? []).map((a) => `<p class="note advice" id="advice-${e(a.id)}"><strong>Note:</strong> ${e(a.text)}</p>`).join('\n')}
${report.hosts.length === 0 ? NO_TRAFFIC : hostsTable(report)}
${sections}
${HOW_TO_READ}
</main>
<footer>Generated by Pinprobe from ${e(session.file)} (${e(report.schema)}).</footer>
</body>
</html>
`;
}
