// Makes sure the folder of a session file exists and takes files, before the proxy listens.
// Node's recursive mkdir loops for ever on procfs (`--record /proc/x/s.jsonl` hung with the
// port bound); creating one level at a time fails there at once with a clear error.
import { accessSync, constants, mkdirSync, statSync, statfsSync } from 'node:fs';
import { dirname, parse } from 'node:path';

/** Kernel filesystems that look writable but hold no files (statfs magic numbers). */
const PSEUDO_FS = new Map<number, string>([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
]);

/** Throws an Error whose message is one line for the user; creates missing folders (0700). */
export function prepareRecordDir(file: string): void {
  const dir = dirname(file);
  const missing: string[] = [];
  let existing = dir;
  while (!exists(existing)) {
    missing.unshift(existing);
    const up = dirname(existing);
    if (up === existing || existing === parse(existing).root) break;
    existing = up;
  }
  const fail = (why: string): never => {
    throw new Error(`cannot write the session file ${file}: ${why} — choose another path with --record or --data-dir`);
  };
  let st;
  try {
    st = statSync(existing);
  } catch (e) {
    return fail((e as Error).message);
  }
  if (!st.isDirectory()) fail(`${existing} is not a folder`);
  const kind = PSEUDO_FS.get(Number(statfsSync(existing).type));
  if (kind) fail(`${existing} is on ${kind}, which holds no files`);
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    fail(`no permission to write in ${existing}`);
  }
  for (const d of missing) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') fail((e as Error).message);
    }
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
