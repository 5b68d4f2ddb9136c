// Stopping `npm start` (scripts/start.js running `pinprobe ui`, its fallback without an
// Electron binary) the ways a terminal does: the signal goes to the whole process group,
// so the app gets it from the terminal AND again from start.js. Every stop path must
// finish the session (verdict summary, `session-end` line, exit 0); a second Ctrl-C a
// moment later may hurry the stop but still writes the end line.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-npm-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  lastLine: { type?: string };
}

let runNo = 0;
/** Starts start.js as the leader of its own process group (as a shell does), then `stop`s it. */
async function startThenStop(stop: (pgid: number) => Promise<void>): Promise<Stopped> {
  const record = join(dir, `run-${++runNo}.pinprobe.jsonl`);
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.js'), '--', '--data-dir', join(dir, 'data'), '--port', '0', '--record', record], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // No Electron binary: start.js takes its `pinprobe ui` path.
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'no-electron') },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.on('close', (code, signal) => ok({ code, signal })));
  const deadline = Date.now() + 20_000;
  while (!/^http:\/\/127\.0\.0\.1:\d+\/\S*token/m.test(stdout)) {
    if (Date.now() > deadline) throw new Error(`did not start: ${stdout}${stderr}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
  await stop(child.pid!);
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
  const { code, signal } = await exited;
  clearTimeout(timer);
  const lines = readFileSync(record, 'utf8').trim().split('\n');
  return { code, signal, stdout, stderr, lastLine: JSON.parse(lines[lines.length - 1]!) as { type?: string } };
}

const group = (sig: NodeJS.Signals) => async (pgid: number) => void process.kill(-pgid, sig);
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

function expectFinished(r: Stopped): void {
  expect(r.signal, r.stderr).toBeNull();
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/stopping…/);
  expect(r.stdout).toMatch(/Session saved: /);
  expect(r.lastLine.type).toBe('session-end');
}

describe('every way of stopping npm start finishes the session', () => {
  it('one Ctrl-C (SIGINT to the process group, which start.js forwards again)', async () => {
    expectFinished(await startThenStop(group('SIGINT')));
  });

  it('two Ctrl-C a second apart: the second hurries, the end line is still written', async () => {
    const r = await startThenStop(async (pgid) => {
      process.kill(-pgid, 'SIGINT');
      await sleep(700);
      try {
        process.kill(-pgid, 'SIGINT');
      } catch {
        // already gone: the first stop was quick, which is fine too
      }
    });
    expectFinished(r);
  });

  it('SIGTERM to the group', async () => {
    expectFinished(await startThenStop(group('SIGTERM')));
  });

  it('SIGHUP to the group (the terminal was closed)', async () => {
    expectFinished(await startThenStop(group('SIGHUP')));
  });

  it('SIGHUP to the group, then again every millisecond while the app exits (a late forward must not kill it)', async () => {
    const r = await startThenStop(async (pgid) => {
      process.kill(-pgid, 'SIGHUP');
      let gone = false;
      const until = Date.now() + 10_000;
      while (!gone && Date.now() < until) {
        try {
          process.kill(-pgid, 0);
          // Repeats within start.js's 500 ms burst are passed on once; these reach the app straight from the "terminal".
          process.kill(-pgid, 'SIGHUP');
        } catch {
          gone = true;
        }
        await sleep(1);
      }
    });
    expectFinished(r);
  });

  it('SIGINT to start.js alone (kill PID), which forwards it', async () => {
    expectFinished(await startThenStop(async (pid) => void process.kill(pid, 'SIGINT')));
  });
});
