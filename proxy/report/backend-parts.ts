// The Backend verdict (SPEC "Backend") as every rendering shows it: one short label for
// tables, and the per-endpoint lines for text and HTML. Kept apart from the pinning and
// mTLS renderings so those files only gain a call each.
import type { HostEvents } from '../judge/group.js';
import type { AuthResult, BackendVerdict, HostVerdict } from '../judge/report-types.js';
import { escapeHtml as e } from './html-escape.js';

export const EMPTY_BACKEND: BackendVerdict = { auth: [], rateLimit: 'untested' };

export const AUTH_LABEL: Record<AuthResult, string> = { protected: 'Protected', unprotected: 'Unprotected', unknown: 'Unknown' };
export const RATE_LABEL: Record<BackendVerdict['rateLimit'], string> = { throttled: 'Throttled', 'not-throttled': 'Not throttled', untested: 'Untested' };

export function backendOf(h: HostVerdict): BackendVerdict {
  return h.backend ?? EMPTY_BACKEND;
}

/** "2 unprotected of 5", "5 protected", or "not checked"; the rate limit appended when tested. */
export function backendSummary(h: HostVerdict): string {
  const b = backendOf(h);
  const open = b.auth.filter((a) => a.result === 'unprotected').length;
  const prot = b.auth.filter((a) => a.result === 'protected').length;
  let auth = 'not checked';
  if (b.auth.length > 0) auth = open > 0 ? `${open} unprotected of ${b.auth.length}` : prot === b.auth.length ? `${prot} protected` : `${prot} protected, ${b.auth.length - prot} unknown`;
  return b.rateLimit === 'untested' ? auth : `${auth}; ${RATE_LABEL[b.rateLimit].toLowerCase()}`;
}

/** Worst first: what a tester must look at. */
export function backendTone(h: HostVerdict): 'bad' | 'warn' | 'good' | 'dim' {
  const b = backendOf(h);
  if (b.auth.some((a) => a.result === 'unprotected')) return 'bad';
  if (b.rateLimit === 'not-throttled') return 'warn';
  if (b.auth.length > 0 || b.rateLimit === 'throttled') return 'good';
  return 'dim';
}

/** Text report lines for hosts that were checked (none when check-auth never ran). */
export function backendTextLines(h: HostVerdict, label: string): string[] {
  const b = backendOf(h);
  if (b.auth.length === 0 && b.rateLimit === 'untested') return [];
  const out = [`  ${label}: rate limit ${RATE_LABEL[b.rateLimit].toLowerCase()}`];
  for (const a of b.auth) out.push(`    ${a.result.padEnd(11)}  ${a.status ?? '—'}  ${a.method} ${a.path}`);
  return out;
}

const CLASS: Record<AuthResult, string> = { protected: 'good', unprotected: 'bad', unknown: 'dim' };

/** The HTML host section's Backend part: results and every request check-auth sent. */
export function backendHtml(h: HostVerdict, events: HostEvents | undefined, badge: (text: string, cls: string) => string): string {
  const b = backendOf(h);
  const sent = (events?.requests ?? []).filter((r) => r.check);
  if (b.auth.length === 0 && b.rateLimit === 'untested') {
    return '<h3>Backend</h3><p class="muted">No active check was run (<code>pinprobe check-auth FILE --host HOST</code>); passive findings are listed above.</p>';
  }
  const rows = b.auth.map((a) => `<tr><td>${badge(AUTH_LABEL[a.result], CLASS[a.result])}</td><td class="mono">${e(a.status ?? '—')}</td><td><code>${e(a.method)} ${e(a.path)}</code></td><td class="mono">${e(a.request ?? '')}</td></tr>`);
  const removed = [...new Set(sent.flatMap((r) => r.check?.removed ?? []))];
  return `<h3>Backend</h3><p>Rate limit: ${e(RATE_LABEL[b.rateLimit])} · ${sent.length} request(s) sent by check-auth` +
    `${removed.length ? ` · credentials removed: <code>${e(removed.join(', '))}</code>` : ''}</p>` +
    (rows.length ? `<table><thead><tr><th>without credentials</th><th>status</th><th>endpoint</th><th>request</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : '');
}
