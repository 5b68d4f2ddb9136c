// Where Pinprobe keeps its root CA and sessions when --data-dir is not given.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.PINPROBE_DATA_DIR) return env.PINPROBE_DATA_DIR;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Pinprobe');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Pinprobe');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'pinprobe');
}

/** A file name for a new session: the ISO start time, safe on every filesystem. */
export function sessionFileName(now = new Date()): string {
  return `${now.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.pinprobe.jsonl`;
}
