// A bad setting value, structured so each place that shows it can word it for itself: the
// CLI prints `message` (`--client-cert SPEC: detail`), the control API sends `problem` and
// the UI shows `problem.message` under the field `problem` names. No imports: net/ throws
// these too, and net/ must not depend on the settings table above it.

export interface SettingProblem {
  /** the EngineSettings key (`clientCerts`, `mapRemote`, …) */
  key: string;
  /** the list entry, for list settings */
  index?: number;
  /** the part of that entry (`cert`, `key`, `passphrase`, `host`) */
  part?: string;
  /** what is wrong, without the option and value (they are shown beside it) */
  message: string;
}

export class SettingError extends Error {
  readonly problem: SettingProblem;

  /** `cliLine` is the whole line a CLI user sees, naming the `--flag` and the value. */
  constructor(problem: SettingProblem, cliLine: string) {
    super(cliLine);
    this.problem = problem;
  }

  /** Same error, now knowing which list entry it is about. */
  at(index: number): SettingError {
    return new SettingError({ ...this.problem, index }, this.message);
  }
}

/** The UI's field path for a problem: `clientCerts.0.cert`, `mapRemote.1`, `scenario`. */
export function problemField(p: SettingProblem): string {
  return [p.key, ...(p.index === undefined ? [] : [String(p.index)]), ...(p.part === undefined ? [] : [p.part])].join('.');
}
