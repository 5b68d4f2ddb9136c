// How a diff's changes are read: which weigh against B (for --fail-on and JUnit) and which
// lines a person sees. No runtime imports, so the UI's Compare view uses the very same rules.
import type { DiffChange, HostDiff } from './diff-types.js';

/** What `--fail-on` weighs: a worse verdict, or a finding B has and A had not (info ones included). */
export function countsAgainstB(c: DiffChange): boolean {
  return c.severity !== null && (c.kind === 'regression' || (c.finding !== undefined && c.after !== null));
}

/**
 * The lines a person reads: a finding that appeared or went is left out when a verdict
 * line of its check already says it ("pinning lost" covers "new finding: no pinning").
 * The JSON keeps every change.
 */
export function readableChanges(h: HostDiff): DiffChange[] {
  const verdicts = h.changes.filter((c) => c.finding === undefined);
  const covered = (c: DiffChange) =>
    verdicts.some((v) => v.check === c.check && (v.kind === c.kind || c.severity === 'info'));
  return h.changes.filter((c) => c.finding === undefined || !covered(c));
}
