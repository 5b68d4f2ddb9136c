// One host's section of the HTML report: its findings, the evidence behind each verdict
// (every judged connection), and what was not tested, why, and what to do about it.
import { SCENARIOS } from '../session/events.js';
import type { ClientTlsEvent, Scenario, SessionHeader } from '../session/events.js';
import type { HostEvents } from '../judge/group.js';
import type { HostVerdict, ScenarioResult, Severity } from '../judge/report-types.js';
import { checkSeverity, type Check } from '../judge/findings.js';
import { escapeHtml as e } from './html-escape.js';
import { MTLS_LABEL, VALIDATION_LABEL, hostLabel, pinningWithEvidence } from './labels.js';
import { describeTlsClient } from '../judge/tls-stacks.js';
import { mtlsUnknownWords } from '../judge/mtls-words.js';
import { backendHtml } from './backend-parts.js';
import { isCredentialParam } from '../judge/credentials.js';
import { maskUrl } from '../judge/mask.js';
import { SECRET_FORMATS } from '../judge/secret-rules.js';

export const SEVERITY_CLASS: Record<Severity, string> = { critical: 'bad', high: 'bad', medium: 'warn', low: 'warn', info: 'info' };
const PINNING_CLASS: Record<HostVerdict['pinning'], string> = { pinned: 'good', 'likely-pinned': 'info', 'not-pinned': 'warn', inconclusive: 'dim', untested: 'dim' };
const VALIDATION_CLASS: Record<HostVerdict['validation'], string> = { broken: 'bad', ok: 'good', partial: 'warn', untested: 'dim' };
const MTLS_CLASS: Record<HostVerdict['mtls']['verdict'], string> = { enforced: 'good', 'not-enforced': 'warn', unknown: 'dim' };
const MAX_CONNECTION_ROWS = 200;
const MAX_CLEARTEXT_ROWS = 20;

export function badge(text: string, cls: string, title?: string): string {
  return `<span class="badge ${cls}"${title ? ` title="${e(title)}"` : ''}>${e(text)}</span>`;
}

/** A verdict with a finding wears that finding's severity colour; otherwise its own. */
function checkClass(h: HostVerdict, check: Check, fallback: string): string {
  const severity = checkSeverity(h.findings, check);
  return severity ? SEVERITY_CLASS[severity] : fallback;
}

export function pinningBadge(h: HostVerdict): string {
  return badge(pinningWithEvidence(h), checkClass(h, 'pinning', PINNING_CLASS[h.pinning]), h.pinningReason);
}
export function validationBadge(h: HostVerdict): string {
  return badge(VALIDATION_LABEL[h.validation], checkClass(h, 'validation', VALIDATION_CLASS[h.validation]));
}
export function mtlsBadge(h: HostVerdict): string {
  return badge(MTLS_LABEL[h.mtls.verdict], checkClass(h, 'mtls', MTLS_CLASS[h.mtls.verdict]), h.mtls.evidence ?? undefined);
}
export function cleartextBadge(h: HostVerdict): string {
  return h.cleartext ? badge('Cleartext', 'bad') : badge('None seen', 'good');
}

export function resultClass(scenario: Scenario, result: ScenarioResult): string {
  if (result === 'rejected') return 'good';
  if (result === 'accepted') return scenario === 'trusted' ? 'warn' : 'bad';
  return 'dim';
}

/** Why a scenario has no connection for this host, and what the tester can do. */
function whyUntested(scenario: Scenario, h: HostVerdict, events: HostEvents | undefined, header: SessionHeader | null): string {
  const forced = header?.options?.scenario ?? null;
  if (forced && forced !== scenario) {
    return `the session forced <code>--scenario ${e(forced)}</code>; record again without <code>--scenario</code> (audit rotation), ` +
      'or with <code>--scenario</code> set to the certificate to test';
  }
  if (h.passthrough) {
    return 'after the trusted certificate was rejected the host was tunnelled untouched (auto passthrough) so the app keeps working; ' +
      'record again with <code>--scenario</code> set to the certificate to test, or with <code>--no-auto-passthrough</code>';
  }
  if (events && events.tls.length === 0 && events.tunnels.length > 0) {
    return 'connections to this host were tunnelled untouched (a passthrough rule, or not TLS); remove it from <code>--passthrough</code> to test it';
  }
  if (events && events.tls.length === 0 && events.requests.length > 0) {
    return 'only cleartext HTTP was seen for this host, so no certificate was ever shown';
  }
  return "no new connection was given this certificate yet — open the app's screens that talk to this host again " +
    '(each new connection gets the next scenario in audit rotation)';
}

function ms(value: number | null): string {
  return value === null ? '—' : `${Math.round(value)} ms`;
}

/** The application protocol the connection negotiated: the HTTP version its requests used. */
function alpnLabel(alpn: string): string {
  return alpn === 'h2' ? 'HTTP/2' : alpn === 'http/1.1' ? 'HTTP/1.1' : alpn;
}

function connectionRow(event: ClientTlsEvent): string {
  const t = event.timings;
  return `<tr><td class="mono">${e(event.time)}</td><td class="mono">${e(event.id)}</td><td class="mono">${e(event.clientAddress)}</td>` +
    `<td>${e(event.scenario)}${event.sni === null ? ' <span class="muted">(no SNI)</span>' : ''}</td>` +
    `<td>${badge(event.result, resultClass(event.scenario, event.result))}</td><td>${e(event.stage ?? '—')}</td>` +
    `<td class="mono">${e(event.alert ?? '—')}</td><td class="mono">${e(event.tlsVersion ?? '—')}${event.alpn ? ` · ${e(alpnLabel(event.alpn))}` : ''}</td>` +
    `<td>handshake ${ms(t.handshakeMs)}, first byte ${ms(t.firstByteMs)}, close ${ms(t.closeMs)}</td>` +
    `<td class="mono">${e(event.fingerprint?.ja4 ? describeTlsClient(event.fingerprint.ja4) : '—')}</td>` +
    `<td>${e(event.detail ?? '')}</td></tr>`;
}

function connectionsTable(events: HostEvents | undefined): string {
  const tls = events?.tls ?? [];
  if (tls.length === 0) return '<p class="muted">No intercepted connection to this host was judged.</p>';
  const rows = tls.slice(0, MAX_CONNECTION_ROWS).map(connectionRow).join('');
  const more = tls.length > MAX_CONNECTION_ROWS ? `<p class="muted">… and ${tls.length - MAX_CONNECTION_ROWS} more connections (see the session file).</p>` : '';
  return '<table><thead><tr><th>time</th><th>connection</th><th>client</th><th>scenario</th><th>outcome</th><th>stage</th>' +
    `<th>alert</th><th>TLS</th><th>timing</th><th>TLS client</th><th>detail</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

function findingsList(h: HostVerdict): string {
  if (h.findings.length === 0) return '<p class="muted">No findings.</p>';
  const items = h.findings.map((f) => {
    const refs = [f.masvs, f.mastg].filter((r): r is string => Boolean(r)).map((r) => `<code>${e(r)}</code>`).join(' ');
    return `<li>${badge(f.severity, SEVERITY_CLASS[f.severity])} ${e(f.title)} <span class="muted">(<code>${e(f.id)}</code>)</span> ${refs}` +
      `${f.evidence ? `<br><span class="muted mono">${e(f.evidence)}</span>` : ''}</li>`;
  });
  return `<ul class="findings">${items.join('')}</ul>`;
}

function notTested(h: HostVerdict, events: HostEvents | undefined, header: SessionHeader | null): string {
  // Scenarios sharing a reason are listed together, so a cleartext-only host gets one line.
  const byReason = new Map<string, Scenario[]>();
  for (const s of SCENARIOS.filter((sc) => h.client[sc].result === 'untested')) {
    const why = whyUntested(s, h, events, header);
    byReason.set(why, [...(byReason.get(why) ?? []), s]);
  }
  const items = [...byReason].map(
    ([why, list]) => `<li><b>${list.map((s) => e(s)).join(', ')}</b>: untested — ${why}</li>`,
  );
  const cleartextOnly = events !== undefined && events.tls.length === 0 && events.requests.length > 0 && events.requests.every((r) => r.scheme === 'http');
  const mtlsWords = mtlsUnknownWords(h.mtls, h.host, hostLabel(h), { cleartextOnly, requests: events?.requests.length });
  if (mtlsWords !== null) items.push(`<li><b>mTLS</b>: ${mtlsWords.startsWith('does not apply') ? '' : 'unknown — '}${e(mtlsWords)}</li>`);
  if (items.length === 0) return '';
  return `<h3>Not tested</h3><ul class="untested">${items.join('')}</ul>`;
}

function cleartextList(events: HostEvents | undefined): string {
  const plain = (events?.requests ?? []).filter((r) => r.scheme === 'http');
  if (plain.length === 0) return '';
  const rows = plain.slice(0, MAX_CLEARTEXT_ROWS).map((r) => `<li><code>${e(r.method)} ${e(maskUrl(r.url, isCredentialParam, SECRET_FORMATS))}</code> <span class="muted">${e(r.time)}</span></li>`);
  const more = plain.length > MAX_CLEARTEXT_ROWS ? `<li class="muted">… and ${plain.length - MAX_CLEARTEXT_ROWS} more</li>` : '';
  return `<h3>Cleartext requests</h3><ul>${rows.join('')}${more}</ul>`;
}

/** A host that --map-remote sent elsewhere: its backend verdicts are that server's. */
function mappedBadge(h: HostVerdict): string {
  if (!h.mappedTo?.length) return '';
  const to = h.mappedTo.join(', ');
  return ' ' + badge(`mapped to ${to}`, 'dim', `--map-remote sent this host's backend connections to ${to}: its mTLS verdict and what its answers carried are that server's, not the real backend's`);
}

export function hostSection(h: HostVerdict, index: number, events: HostEvents | undefined, header: SessionHeader | null): string {
  return `<section class="host" id="host-${index}">
<h2><code>${e(hostLabel(h))}</code>${h.passthrough ? ' ' + badge('passthrough', 'dim', 'tunnelled untouched after trusted was rejected') : ''}${mappedBadge(h)}</h2>
<p>Pinning ${pinningBadge(h)} — ${e(h.pinningReason)}</p>
<p>Validation ${validationBadge(h)} · mTLS ${mtlsBadge(h)}${h.mtls.evidence ? ` <span class="muted">(${e(h.mtls.evidence)})</span>` : ''}` +
    ` · client certificate accepted: ${e(h.mtls.withCert)} · Cleartext ${cleartextBadge(h)}</p>
<h3>Findings</h3>${findingsList(h)}
<h3>Connections</h3>${connectionsTable(events)}
${backendHtml(h, events, badge)}
${notTested(h, events, header)}${cleartextList(events)}
</section>`;
}
