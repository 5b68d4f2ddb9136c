// Hosts board ordering and per-host evidence, derived from the report and the lines.
import type { ClientTlsEvent, HostVerdict, Scenario, SessionLine, Severity, UpstreamEvent } from '../api/types';
import { compareHosts, SCENARIO_LIST, SEVERITIES } from '../api/types';

/** 0 = critical … 4 = info, in the engine's order (its SEVERITIES). */
const SEVERITY_RANK = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>;

export function worstSeverity(host: HostVerdict): Severity | null {
  let worst: Severity | null = null;
  for (const f of host.findings) if (worst === null || SEVERITY_RANK[f.severity] < SEVERITY_RANK[worst]) worst = f.severity;
  return worst;
}

/**
 * Worst severity of the host's findings of one check (finding ids start with the check's
 * name, as the engine's checkOfFinding says): verdict badges take this colour, so an info
 * finding never wears red.
 */
export function checkSeverity(host: HostVerdict, check: 'pinning' | 'validation' | 'mtls' | 'cleartext'): Severity | null {
  return worstSeverity({ ...host, findings: host.findings.filter((f) => f.id.split('-', 1)[0] === check) });
}

/** In the judge's order (proxy/judge/host-order.ts): worst finding first, then by name and port. */
export function sortHosts(hosts: readonly HostVerdict[]): HostVerdict[] {
  return [...hosts].sort(compareHosts);
}

export function hostKeyOf(h: { host: string; port: number }): string {
  return `${h.host.toLowerCase()}|${h.port}`;
}

/** Words that name a verdict: they match the verdict exactly ("pinned" is not "not-pinned"). */
const VERDICT_WORDS = new Set([
  'pinned', 'likely-pinned', 'not-pinned', 'inconclusive', 'untested', 'broken', 'ok', 'partial',
  'cleartext', 'enforced', 'not-enforced', 'unknown', 'critical', 'high', 'medium', 'low', 'info', 'tunnelled',
]);

/** The verdict words a host carries, qualified by check ("pinning:untested") and plain where unambiguous. */
function verdictWords(host: HostVerdict): Set<string> {
  const w = new Set<string>([`pinning:${host.pinning}`, `validation:${host.validation}`, `mtls:${host.mtls.verdict}`]);
  w.add(host.pinning);
  if (host.validation !== 'untested') w.add(host.validation);
  if (host.mtls.verdict !== 'unknown') w.add(host.mtls.verdict);
  if (host.cleartext) w.add('cleartext');
  if (host.passthrough) w.add('tunnelled');
  for (const f of host.findings) w.add(f.severity);
  return w;
}

/**
 * The hosts board filter: words are ANDed; a verdict word ("pinned", "not-pinned" or
 * "not pinned" in quotes, "broken", "high", "mtls:enforced", …) matches that verdict
 * exactly; any other word is a substring of the host:port or a finding's title; "-" negates.
 */
export function matchesFilter(host: HostVerdict, filter: string): boolean {
  const words = (filter.toLowerCase().match(/-?"[^"]*"?|\S+/g) ?? []).map((raw) => {
    const negate = raw.startsWith('-') && raw.length > 1;
    const word = (negate ? raw.slice(1) : raw).replace(/"/g, '').trim().replace(/\s+/g, '-');
    return { negate, word };
  });
  if (words.length === 0) return true;
  const verdicts = verdictWords(host);
  const text = `${host.host}:${host.port} ${host.findings.map((x) => x.title).join(' ')}`.toLowerCase();
  return words.every(({ negate, word }) => {
    if (word === '') return true;
    const qualified = /^(pinning|validation|mtls):/.test(word);
    const hit = qualified || VERDICT_WORDS.has(word) ? verdicts.has(word) : text.includes(word);
    return hit !== negate;
  });
}

export interface HostEvidence {
  tls: ClientTlsEvent[];
  upstream: UpstreamEvent[];
  requests: number;
  cleartextRequests: number;
}

export function evidenceFor(lines: readonly SessionLine[], host: { host: string; port: number }): HostEvidence {
  const name = host.host.toLowerCase();
  const out: HostEvidence = { tls: [], upstream: [], requests: 0, cleartextRequests: 0 };
  for (const line of lines) {
    if (line.type === 'client-tls' && line.host.toLowerCase() === name && line.port === host.port) out.tls.push(line);
    else if (line.type === 'upstream' && line.host.toLowerCase() === name && line.port === host.port) out.upstream.push(line);
    else if (line.type === 'request' && line.host.toLowerCase() === name && line.port === host.port) {
      out.requests += 1;
      if (line.scheme === 'http') out.cleartextRequests += 1;
    }
  }
  return out;
}

export function untestedScenarios(host: HostVerdict): Scenario[] {
  return SCENARIO_LIST.filter((s) => host.client[s].result === 'untested');
}
