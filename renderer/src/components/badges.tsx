// Verdicts as words with a colour, never colour alone, so they read the same to a screen
// reader, in a screenshot, and in either theme.
import type { HostVerdict, Pinning, Severity, Validation } from '../api/types';

const PINNING: Record<Pinning, { label: string; tone: string }> = {
  pinned: { label: 'Pinned', tone: 'good' },
  // Not proven: never green (SPEC "Pinning").
  'likely-pinned': { label: 'Likely pinned', tone: 'info' },
  'not-pinned': { label: 'Not pinned', tone: 'bad' },
  inconclusive: { label: 'Inconclusive', tone: 'warn' },
  untested: { label: 'Untested', tone: 'muted' },
};

const VALIDATION: Record<Validation, { label: string; tone: string }> = {
  broken: { label: 'Broken', tone: 'critical' },
  ok: { label: 'OK', tone: 'good' },
  partial: { label: 'Partial', tone: 'muted' },
  untested: { label: 'Untested', tone: 'muted' },
};

const MTLS: Record<HostVerdict['mtls']['verdict'], { label: string; tone: string }> = {
  enforced: { label: 'Enforced', tone: 'good' },
  'not-enforced': { label: 'Not enforced', tone: 'muted' },
  unknown: { label: 'Unknown', tone: 'muted' },
};

/** Most severe first: the engine's order. */

export function Badge({ tone, children, title }: { tone: string; children: string; title?: string }) {
  return (
    <span className={`badge tone-${tone}`} title={title}>
      {children}
    </span>
  );
}

const EVIDENCE: Record<NonNullable<HostVerdict['pinningEvidence']>, string> = {
  'stage-contrast': 'stage contrast',
  'device-trusts-ca': 'device trusts the CA',
  'same-client-trusted-elsewhere': 'same TLS client trusted the CA elsewhere',
};

export function evidenceLabel(evidence: HostVerdict['pinningEvidence'] | undefined): string | null {
  return evidence ? EVIDENCE[evidence] : null;
}

/** A verdict that produced a finding wears that finding's severity colour (model/hosts checkSeverity). */
const toneOf = (own: string, severity: Severity | null | undefined) => (severity ? `sev-${severity}` : own);

/**
 * `compact` (the hosts board's narrow column): the verdict alone, its evidence in the tooltip
 * with the reason; "Pinned (same TLS client trusted the CA elsewhere)" would run over the
 * next column. The host view shows it in full.
 */
export function PinningBadge({ value, reason, evidence, severity, compact = false }: { value: Pinning; reason?: string; evidence?: HostVerdict['pinningEvidence']; severity?: Severity | null; compact?: boolean }) {
  const p = PINNING[value];
  const why = evidenceLabel(evidence);
  const full = why ? `${p.label} (${why})` : p.label;
  if (compact) return <Badge tone={toneOf(p.tone, severity)} title={reason ? `${full} — ${reason}` : full}>{p.label}</Badge>;
  return <Badge tone={toneOf(p.tone, severity)} title={reason}>{full}</Badge>;
}

export function ValidationBadge({ value, severity }: { value: Validation; severity?: Severity | null }) {
  const v = VALIDATION[value];
  return <Badge tone={toneOf(v.tone, severity)}>{v.label}</Badge>;
}

export function MtlsBadge({ mtls, severity }: { mtls: HostVerdict['mtls']; severity?: Severity | null }) {
  const m = MTLS[mtls.verdict];
  return <Badge tone={toneOf(m.tone, severity)} title={mtls.evidence ?? undefined}>{`mTLS: ${m.label}`}</Badge>;
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <Badge tone={`sev-${severity}`}>{severity[0]!.toUpperCase() + severity.slice(1)}</Badge>;
}

export function pinningLabel(value: Pinning): string {
  return PINNING[value].label;
}

export function mtlsLabel(value: HostVerdict['mtls']['verdict']): string {
  return MTLS[value].label;
}

export function validationLabel(value: Validation): string {
  return VALIDATION[value].label;
}
