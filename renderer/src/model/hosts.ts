// Hosts board ordering and per-host evidence, derived from the report and the lines.
import type { ClientTlsEvent, HostVerdict, Scenario, SessionLine, Severity, UpstreamEvent } from '../api/types';
import { SCENARIO_LIST, SEVERITIES } from '../api/types';

/** 0 = critical … 4 = info, in the engine's order (its SEVERITIES). */
const SEVERITY_RANK = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>;
const PINNING_RANK: Record<HostVerdict['pinning'], number> = { 'not-pinned': 0, inconclusive: 1, 'likely-pinned': 2, pinned: 3, untested: 4 };

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

/** Most severe first; then the less protected; then by name. */
export function sortHosts(hosts: readonly HostVerdict[]): HostVerdict[] {
  return [...hosts].sort((a, b) => {
    const sa = worstSeverity(a);
    const sb = worstSeverity(b);
    const ra = sa === null ? 9 : SEVERITY_RANK[sa];
    const rb = sb === null ? 9 : SEVERITY_RANK[sb];
    if (ra !== rb) return ra - rb;
    if (a.findings.length !== b.findings.length) return b.findings.length - a.findings.length;
    if (PINNING_RANK[a.pinning] !== PINNING_RANK[b.pinning]) return PINNING_RANK[a.pinning] - PINNING_RANK[b.pinning];
    return a.host.localeCompare(b.host) || a.port - b.port;
  });
}

export function hostKeyOf(h: { host: string; port: number }): string {
  return `${h.host.toLowerCase()}|${h.port}`;
}

export function matchesFilter(host: HostVerdict, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (!f) return true;
  const text = `${host.host}:${host.port} ${host.pinning} ${host.validation} mtls:${host.mtls.verdict} ${host.cleartext ? 'cleartext' : ''} ${host.findings.map((x) => `${x.severity} ${x.title}`).join(' ')}`;
  return f.split(/\s+/).every((word) => text.toLowerCase().includes(word));
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
