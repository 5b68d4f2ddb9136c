// Paths the UI sends for "open session" and "save as". They come from a file picker or a
// text field, so they are checked here with errors that say what to change.
import { recordingOwner } from '../session/recording-lock.js';
import { constants } from 'node:fs';
import { copyFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { HttpError } from './http-util.js';

export function userPath(value: unknown, field = 'path'): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new HttpError(400, `"${field}" must be a file path`);
  }
  const trimmed = value.trim();
  const expanded = trimmed === '~' || trimmed.startsWith('~/') ? homedir() + trimmed.slice(1) : trimmed;
  if (!isAbsolute(expanded)) {
    throw new HttpError(400, `"${field}" must be an absolute path (got "${trimmed}")`);
  }
  return resolve(expanded);
}

export async function assertReadableFile(file: string): Promise<void> {
  const info = await stat(file).catch(() => null);
  if (info === null) throw new HttpError(404, `no such file: ${file}`);
  if (!info.isFile()) throw new HttpError(400, `${file} is not a file`);
}

function writeFailure(err: unknown, to: string, missing: string): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EEXIST') throw new HttpError(409, `${to} already exists; choose another name or confirm overwrite`);
  if (code === 'ENOENT') throw new HttpError(404, missing);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new HttpError(403, `no permission to write ${to}`);
  if (code === 'EISDIR') throw new HttpError(400, `${to} is a folder; choose a file name`);
  throw err;
}

/** A session file a running Pinprobe (this one too) is recording is never written over. */
function refuseRecorded(to: string): void {
  const pid = recordingOwner(to);
  if (pid !== null) throw new HttpError(409, `${to} is a session ${pid === process.pid ? 'this Pinprobe' : `a running Pinprobe (pid ${pid})`} is recording; choose another name`);
}

/** Writes an export; refuses to overwrite unless asked (a native save dialog already asked). */
export async function writeExport(to: string, data: Buffer | string, overwrite: boolean): Promise<void> {
  refuseRecorded(to);
  try {
    await writeFile(to, data, { flag: overwrite ? 'w' : 'wx' });
  } catch (err) {
    writeFailure(err, to, `cannot write ${to}: the folder ${dirname(to)} does not exist`);
  }
}

/** Copies a session file; refuses to overwrite unless asked (a file picker already asked). */
export async function copySession(from: string, to: string, overwrite: boolean): Promise<void> {
  if (resolve(from) === resolve(to)) throw new HttpError(400, `${to} is the session file itself; choose another name`);
  refuseRecorded(to);
  try {
    await copyFile(from, to, overwrite ? 0 : constants.COPYFILE_EXCL);
  } catch (err) {
    writeFailure(err, to, `cannot copy: ${from} or the folder of ${to} does not exist`);
  }
}
