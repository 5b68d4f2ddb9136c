// Paths the UI sends for "open session" and "save as". They come from a file picker or a
// text field, so they are checked here with errors that say what to change.
import { constants } from 'node:fs';
import { copyFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
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

/** Copies a session file; refuses to overwrite unless asked (a file picker already asked). */
export async function copySession(from: string, to: string, overwrite: boolean): Promise<void> {
  if (resolve(from) === resolve(to)) throw new HttpError(400, `${to} is the session file itself; choose another name`);
  try {
    await copyFile(from, to, overwrite ? 0 : constants.COPYFILE_EXCL);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new HttpError(409, `${to} already exists; choose another name or confirm overwrite`);
    if (code === 'ENOENT') throw new HttpError(404, `cannot copy: ${from} or the folder of ${to} does not exist`);
    if (code === 'EACCES' || code === 'EPERM') throw new HttpError(403, `no permission to write ${to}`);
    throw err;
  }
}
