// Which process is recording a session file. A live recording places every line it writes
// by its own count of the file's bytes (writer.ts) and keeps the session in memory; lines
// another process appends meanwhile (`pinprobe check-auth FILE`, a second `--record FILE`)
// shift everything after them, so the live UI can no longer read back its older lines and
// never sees the appended ones. The recorder therefore leaves a small file beside the
// session — `.NAME.recording`, its pid — and whoever would append checks it first.
// A process killed with SIGKILL leaves the file behind: a pid that no longer runs is stale.
import { readFileSync, realpathSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The marker's path for a session file: beside the file itself, so a symlink to it (or to
 * its folder) names the same marker, else two writers could each hold their own.
 */
export function lockPath(file: string): string {
  const abs = realFile(resolve(file));
  return join(dirname(abs), `.${basename(abs)}.recording`);
}

/** The file's real path; for one not made yet, its folder's real path and its name. */
function realFile(abs: string): string {
  try {
    return realpathSync(abs);
  } catch {
    try {
      return join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

/** Markers this process holds, and why (its live recording, or an append run), removed at exit. */
const held = new Map<string, 'record' | 'append'>();
let exitHook = false;

/**
 * Marks `file` as written by this process, for a recording or for an append run (check-auth):
 * created exclusively, so of two processes claiming at once one wins; a marker whose process
 * no longer runs is taken over. Throws the one-line reason when another running process holds
 * it; a folder that takes no new file only loses the guard (best effort).
 */
export function claimRecording(file: string, instead: string, kind: 'record' | 'append' = 'record'): void {
  const path = lockPath(file);
  const mine = held.get(path);
  if (mine === 'record' && kind === 'record') return;
  if (mine !== undefined) throw new Error(`${file} is being written by this Pinprobe already (${mine === 'record' ? 'its live recording' : 'a check or resend in progress'}); wait for it, or use another file`);
  const body = `${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, body, { mode: 0o600, flag: 'wx' });
      held.set(path, kind);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return;
      const elsewhere = recordedElsewhereMessage(file, instead);
      if (elsewhere !== null) throw new Error(elsewhere);
      // Stale (its process is gone), or unreadable: take it over.
      removeQuietly(path);
    }
  }
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const p of held.keys()) removeIfOurs(p);
    });
  }
}

/** This process no longer writes `file`: its marker goes (only ours: another process may hold a newer one). */
export function releaseRecording(file: string): void {
  const path = lockPath(file);
  if (!held.delete(path)) return;
  removeIfOurs(path);
}

/** Whether this process's live recording writes `file` (not an append run of its own). */
export function recordedHere(file: string): boolean {
  return held.get(lockPath(file)) === 'record';
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
export const CHECK_FROM_THE_UI = 'run the check from that Pinprobe\'s UI if it has one (`pinprobe ui` or the desktop app: a host\'s "Check without credentials"), or stop it first';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeIfOurs(path: string): void {
  try {
    if ((JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown }).pid !== process.pid) return;
  } catch {
    return;
  }
  removeQuietly(path);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone (a user cleaned up): nothing to do.
  }
}
