// Compares the verdicts of two sessions — an app's old build (A) and its new build (B) —
// host by host: "pinning lost on api.x", "validation now broken on cdn.y", new and gone
// hosts, mTLS and cleartext changes, backend findings. Pure: it takes two reports made by
// the same judge, so `pinprobe diff`, the control API and the UI say the same thing.
import { CHECKS, checkOfFinding, checkSeverity, severityRank } from '../judge/findings.js';
import type { Check } from '../judge/findings.js';
import type { Finding, HostVerdict, Pinning, Report, Severity, Validation } from '../judge/report-types.js';
import { BAD_SCENARIOS } from '../judge/client.js';
import { MTLS_LABEL, PINNING_LABEL, VALIDATION_LABEL, hostLabel } from './labels.js';

import { countsAgainstB, readableChanges } from './diff-lines.js';
import { DIFF_SCHEMA, type ChangeKind, type DiffChange, type DiffSide, type HostDiff, type SessionDiff } from './diff-types.js';

export { DIFF_SCHEMA };
export type { ChangeKind, DiffChange, DiffSide, HostDiff, SessionDiff };
export { countsAgainstB, readableChanges };

const PINNING_STRENGTH: Record<Pinning, number | null> = { pinned: 2, 'likely-pinned': 1, 'not-pinned': 0, inconclusive: null, untested: null };
const VALIDATION_STRENGTH: Record<Validation, number | null> = { ok: 2, partial: 1, broken: 0, untested: null };

function side(r: Report): DiffSide {
  return { file: r.session.file, started: r.session.started, ended: r.session.ended, hosts: r.hosts.length };
}

const key = (h: { host: string; port: number }) => `${h.host}\u0000${h.port}`;

/** Compares two verdict levels; null strength means "not proven either way". */
function ranked(before: number | null, after: number | null): ChangeKind {
  if (before === null || after === null) return 'change';
  return after < before ? 'regression' : 'improvement';
}

function severityFor(kind: ChangeKind, b: HostVerdict | null, check: Check): Severity | null {
  if (kind !== 'regression') return null;
  return (b && checkSeverity(b.findings, check)) ?? 'info';
}

function acceptedScenarios(h: HostVerdict): string[] {
  return BAD_SCENARIOS.filter((s) => h.client[s].result === 'accepted');
}

function verdictChanges(a: HostVerdict, b: HostVerdict): DiffChange[] {
  const out: DiffChange[] = [];
  const push = (check: Check, kind: ChangeKind, before: string, after: string, text: string) =>
    out.push({ kind, check, severity: severityFor(kind, b, check), before, after, text });

  if (a.pinning !== b.pinning) {
    const kind = ranked(PINNING_STRENGTH[a.pinning], PINNING_STRENGTH[b.pinning]);
    const words = kind === 'regression' ? (b.pinning === 'not-pinned' ? 'pinning lost' : 'pinning weaker') : kind === 'improvement' ? 'pinning gained' : 'pinning';
    push('pinning', kind, a.pinning, b.pinning, `${words}: ${PINNING_LABEL[a.pinning]} → ${PINNING_LABEL[b.pinning]}`);
  }
  const acceptedA = acceptedScenarios(a);
  const acceptedB = acceptedScenarios(b);
  if (a.validation !== b.validation || acceptedA.join() !== acceptedB.join()) {
    const newly = acceptedB.filter((s) => !acceptedA.includes(s));
    const fixed = acceptedA.filter((s) => !acceptedB.includes(s));
    let kind = a.validation !== b.validation ? ranked(VALIDATION_STRENGTH[a.validation], VALIDATION_STRENGTH[b.validation]) : 'change';
    // A newly accepted bad certificate is a regression whatever the overall word says.
    if (newly.length > 0) kind = 'regression';
    else if (fixed.length > 0 && kind === 'change' && b.validation !== 'untested') kind = 'improvement';
    const words = kind === 'regression' ? (b.validation === 'broken' && a.validation !== 'broken' ? 'validation now broken' : 'validation weaker') : kind === 'improvement' ? 'validation fixed' : 'validation';
    const detail = [newly.length ? `now accepts ${newly.join(', ')}` : '', fixed.length ? `no longer accepts ${fixed.join(', ')}` : ''].filter(Boolean).join('; ');
    push('validation', kind, a.validation, b.validation, `${words}: ${VALIDATION_LABEL[a.validation]} → ${VALIDATION_LABEL[b.validation]}${detail ? ` (${detail})` : ''}`);
  }
  const sentTo = (h: HostVerdict) => (h.mappedTo?.length ? h.mappedTo.join(', ') : null);
  if (sentTo(a) !== sentTo(b)) {
    // Not better or worse: the two sessions' backend verdicts come from different servers.
    const where = (to: string | null) => (to === null ? 'the host itself' : `${to} (--map-remote)`);
    push('mtls', 'change', sentTo(a) ?? 'direct', sentTo(b) ?? 'direct',
      `backend connections went to ${where(sentTo(a))} in A, ${where(sentTo(b))} in B: the mTLS and backend verdicts compare different servers`);
  }
  if (a.mtls.verdict !== b.mtls.verdict) {
    const strength = { enforced: 1, 'not-enforced': 0, unknown: null } as const;
    const kind = ranked(strength[a.mtls.verdict], strength[b.mtls.verdict]);
    const words = kind === 'regression' ? 'mTLS no longer enforced' : kind === 'improvement' ? 'mTLS now enforced' : 'mTLS';
    push('mtls', kind, a.mtls.verdict, b.mtls.verdict, `${words}: ${MTLS_LABEL[a.mtls.verdict]} → ${MTLS_LABEL[b.mtls.verdict]}`);
  }
  if (a.mtls.withCert !== b.mtls.withCert) {
    const kind: ChangeKind = a.mtls.withCert === 'untested' || b.mtls.withCert === 'untested' ? 'change' : b.mtls.withCert === 'rejected' ? 'regression' : 'improvement';
    push('mtls', kind, a.mtls.withCert, b.mtls.withCert, `with the configured client certificate: ${a.mtls.withCert} → ${b.mtls.withCert}`);
  }
  if (a.cleartext !== b.cleartext) {
    push('cleartext', b.cleartext ? 'regression' : 'improvement', String(a.cleartext), String(b.cleartext), b.cleartext ? 'cleartext HTTP now sent' : 'no cleartext HTTP any more');
  }
  out.push(...backendChanges(a, b));
  return out;
}

function backendChanges(a: HostVerdict, b: HostVerdict): DiffChange[] {
  const out: DiffChange[] = [];
  const authA = new Map((a.backend?.auth ?? []).map((c) => [`${c.method} ${c.path}`, c.result]));
  for (const c of b.backend?.auth ?? []) {
    const before = authA.get(`${c.method} ${c.path}`);
    if (before === undefined || before === c.result) continue;
    const kind: ChangeKind = before === 'unknown' || c.result === 'unknown' ? 'change' : c.result === 'unprotected' ? 'regression' : 'improvement';
    out.push({ kind, check: 'backend', severity: severityFor(kind, b, 'backend'), before, after: c.result, text: `${c.method} ${c.path} without credentials: ${before} → ${c.result}` });
  }
  const rlA = a.backend?.rateLimit ?? 'untested';
  const rlB = b.backend?.rateLimit ?? 'untested';
  if (rlA !== rlB) {
    const kind: ChangeKind = rlA === 'untested' || rlB === 'untested' ? 'change' : rlB === 'not-throttled' ? 'regression' : 'improvement';
    out.push({ kind, check: 'backend', severity: severityFor(kind, b, 'backend'), before: rlA, after: rlB, text: `rate limit: ${rlA} → ${rlB}` });
  }
  return out;
}

function findingChanges(a: HostVerdict | null, b: HostVerdict | null): DiffChange[] {
  const idsA = new Map((a?.findings ?? []).map((f) => [f.id, f]));
  const idsB = new Map((b?.findings ?? []).map((f) => [f.id, f]));
  const out: DiffChange[] = [];
  const checkOf = (f: Finding): Check | 'host' => checkOfFinding(f.id) ?? 'host';
  for (const f of idsB.values()) {
    if (idsA.has(f.id)) continue;
    // An info finding is a note (JUnit never fails on one): a change, not a regression,
    // though `--fail-on info` still matches it, as `report --fail-on info` would.
    const kind: ChangeKind = f.severity === 'info' ? 'change' : 'regression';
    out.push({ kind, check: checkOf(f), severity: f.severity, before: null, after: f.id, finding: f.id, text: `new finding (${f.severity}): ${f.title}` });
  }
  // A finding that went is an improvement only when the host was seen in B at all.
  if (b) {
    for (const f of idsA.values()) {
      if (idsB.has(f.id)) continue;
      out.push({ kind: 'improvement', check: checkOf(f), severity: null, before: f.id, after: null, finding: f.id, text: `finding gone (${f.severity}): ${f.title}` });
    }
  }
  return out;
}

const KIND_ORDER: Record<ChangeKind, number> = { regression: 0, improvement: 1, change: 2 };

function sortChanges(changes: DiffChange[]): DiffChange[] {
  const checkOrder = (c: DiffChange) => (c.check === 'host' ? -1 : CHECKS.indexOf(c.check));
  return changes.sort(
    (x, y) =>
      Number(y.check === 'host') - Number(x.check === 'host') ||
      KIND_ORDER[x.kind] - KIND_ORDER[y.kind] ||
      Number(x.finding !== undefined) - Number(y.finding !== undefined) ||
      (x.severity && y.severity ? severityRank(x.severity) - severityRank(y.severity) : 0) ||
      checkOrder(x) - checkOrder(y),
  );
}

function hostDiff(a: HostVerdict | null, b: HostVerdict | null): HostDiff {
  const h = (b ?? a)!;
  const changes: DiffChange[] = [];
  if (!a) changes.push({ kind: 'change', check: 'host', severity: null, before: null, after: hostLabel(h), text: 'new host: only seen in B' });
  else if (!b) changes.push({ kind: 'change', check: 'host', severity: null, before: hostLabel(h), after: null, text: 'host gone: only seen in A (not reached by B, so nothing is known of it)' });
  else changes.push(...verdictChanges(a, b));
  changes.push(...findingChanges(a, b));
  const status = !a ? 'added' : !b ? 'removed' : changes.length > 0 ? 'changed' : 'unchanged';
  return { host: h.host, port: h.port, status, changes: sortChanges(changes) };
}

function worstRegression(h: HostDiff): number {
  let worst = Number.POSITIVE_INFINITY;
  for (const c of h.changes) if (c.kind === 'regression' && c.severity) worst = Math.min(worst, severityRank(c.severity));
  return worst;
}

const STATUS_ORDER: Record<HostDiff['status'], number> = { changed: 0, added: 1, removed: 2, unchanged: 3 };

/** A (the old build) against B (the new build). */
export function diffReports(a: Report, b: Report): SessionDiff {
  const inA = new Map(a.hosts.map((h) => [key(h), h]));
  const inB = new Map(b.hosts.map((h) => [key(h), h]));
  const hosts: HostDiff[] = [];
  for (const hb of b.hosts) hosts.push(hostDiff(inA.get(key(hb)) ?? null, hb));
  for (const ha of a.hosts) if (!inB.has(key(ha))) hosts.push(hostDiff(ha, null));
  const hasRegression = (h: HostDiff) => h.changes.some((c) => c.kind === 'regression');
  hosts.sort(
    (x, y) =>
      Number(hasRegression(y)) - Number(hasRegression(x)) ||
      worstRegression(x) - worstRegression(y) ||
      STATUS_ORDER[x.status] - STATUS_ORDER[y.status] ||
      hostLabel(x).localeCompare(hostLabel(y)),
  );
  const all = hosts.flatMap((h) => h.changes);
  return {
    schema: DIFF_SCHEMA,
    a: side(a),
    b: side(b),
    summary: {
      regressions: all.filter((c) => c.kind === 'regression').length,
      improvements: all.filter((c) => c.kind === 'improvement').length,
      changes: all.filter((c) => c.kind === 'change' && c.check !== 'host').length,
      added: hosts.filter((h) => h.status === 'added').length,
      removed: hosts.filter((h) => h.status === 'removed').length,
      unchanged: hosts.filter((h) => h.status === 'unchanged').length,
    },
    hosts,
  };
}

/** `--fail-on SEVERITY` for diff: true when B regressed at least that badly (a new finding or a worse verdict). */
export function diffFailsOn(diff: SessionDiff, severity: Severity): boolean {
  const threshold = severityRank(severity);
  return diff.hosts.some((h) => h.changes.some((c) => countsAgainstB(c) && severityRank(c.severity!) <= threshold));
}
