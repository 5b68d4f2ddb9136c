// Which process is recording a session file. A live recording places every line it writes
// by its own count of the file's bytes (writer.ts) and keeps the session in memory; lines
// another process appends meanwhile (`pinprobe check-auth FILE`, a second `--record FILE`)
// shift everything after them, so the live UI can no longer read back its older lines and
// never sees the appended ones. The recorder therefore leaves a small file beside the
// session — `.NAME.recording`, its pid — and whoever would append checks it first.
// A process killed with SIGKILL leaves the file behind: a pid that no longer runs is stale.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** The marker's path for a session file. */
export function lockPath(file: string): string {
  const abs = resolve(file);
  return join(dirname(abs), `.${basename(abs)}.recording`);
}

/** Markers this process holds, removed at exit (a crash handler that exits too). */
const held = new Set<string>();
let exitHook = false;

/** Marks `file` as recorded by this process (best effort: a folder that takes no new files only loses the guard). */
export function claimRecording(file: string): void {
  const path = lockPath(file);
  try {
    writeFileSync(path, `${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`, { mode: 0o600 });
  } catch {
    return;
  }
  held.add(path);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const p of held) removeQuietly(p);
    });
  }
}

/** The recording of `file` ended in this process. */
export function releaseRecording(file: string): void {
  const path = lockPath(file);
  if (!held.delete(path)) return;
  removeQuietly(path);
}

/** The pid of the running process that records `file` (this one included), or null. */
export function recordingOwner(file: string): number | null {
  const path = lockPath(file);
  let pid: unknown;
  try {
    pid = (JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown }).pid;
  } catch {
    return null;
  }
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return null;
  if (pid === process.pid) return held.has(path) ? pid : null;
  return isRunning(pid) ? pid : null;
}

/**
 * The one-line reason this process must not write to `file`, or null when no other running
 * process records it; `instead` says what to do (e.g. "choose another path with --record").
 */
export function recordedElsewhereMessage(file: string, instead: string): string | null {
  const pid = recordingOwner(file);
  if (pid === null || pid === process.pid) return null;
  return `${file} is being recorded by a running Pinprobe (pid ${pid}): lines written from here would be missing from its live session and would break its read-back of older lines — ${instead} (if no Pinprobe runs any more, delete ${lockPath(file)})`;
}

/** What `pinprobe check-auth` (and any other appender) says to do instead. */
export const CHECK_FROM_THE_UI = 'run the check from that Pinprobe\'s UI (a host\'s "Check without credentials"), or stop it first';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone (a user cleaned up): nothing to do.
  }
}
