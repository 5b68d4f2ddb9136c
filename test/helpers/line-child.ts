// A child process that hands over one session line per millisecond and tells its stdout (a
// pipe: synchronous on Linux) each line it handed over, with the time it did: what a kill -9
// or a process.exit may lose is then measurable against what the file holds.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `script` (an ES module: argv[2] the session file, argv[3] the mode; in mode `exit` it
 * ends with process.exit itself) and returns [line number, time] per line it reported; in
 * mode `kill` the child is killed with SIGKILL after 400 lines.
 */
export function runLineChild(script: string, file: string, mode: 'kill' | 'exit'): Promise<Array<[number, number]>> {
  const path = join(mkdtempSync(join(tmpdir(), 'pinprobe-line-child-')), 'child.mjs');
  writeFileSync(path, script);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path, file, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (mode === 'kill' && out.split('\n').length > 400) child.kill('SIGKILL');
    });
    child.on('close', () => resolve(out.split('\n').filter(Boolean).map((l) => l.split(' ').map(Number) as [number, number])));
  });
}
