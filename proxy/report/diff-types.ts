// The `pinprobe.diff/1` shape (docs/formats.md "Session diff"). Types only, no runtime
// imports beyond the report's, so the UI can import them without engine code.
import type { Check } from '../judge/findings.js';
import type { Severity } from '../judge/report-types.js';

export const DIFF_SCHEMA = 'pinprobe.diff/1';

/** regression: B is worse than A; improvement: B is better; change: different, neither (e.g. untested in B). */
export type ChangeKind = 'regression' | 'improvement' | 'change';

export interface DiffChange {
  kind: ChangeKind;
  /** The check it is about; "host" for a host that appeared or went. */
  check: Check | 'host';
  /** For a regression: how bad (the severity of B's finding for that check, else info). */
  severity: Severity | null;
  before: string | null;
  after: string | null;
  /** One line for a tester: "pinning lost: Pinned → Not pinned". */
  text: string;
  /** A finding that appeared or went (its stable id). */
  finding?: string;
}

export interface HostDiff {
  host: string;
  port: number;
  /** added: only in B; removed: only in A. */
  status: 'added' | 'removed' | 'changed' | 'unchanged';
  changes: DiffChange[];
}

export interface DiffSide {
  file: string;
  started: string | null;
  ended: string | null;
  hosts: number;
}

export interface SessionDiff {
  schema: typeof DIFF_SCHEMA;
  a: DiffSide;
  b: DiffSide;
  summary: { regressions: number; improvements: number; changes: number; added: number; removed: number; unchanged: number };
  /** Regressions first, then other changed hosts, new, gone and unchanged ones. */
  hosts: HostDiff[];
}

