// A stop of `pinprobe ui` (the desktop app's Quit sends SIGTERM to its engine) while the UI's
// File › Export is still being written waits for that file, then exits 0: the export must not
// be left half-written. The target is a FIFO whose reader comes only after the stop began, so
// the write is certainly still in flight when the signal arrives.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, run } from '../../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-stop-export-'));
/** Engines a failed test may leave blocked on a FIFO (a write in the kernel holds their exit). */
const pids: number[] = [];
afterAll(() => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  rmSync(dir, { recursive: true, force: true });
});
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/**
 * Once the engine has printed its UI URL, asks it (as the UI's File › Export does) to write a
 * HAR to `fifo`. Not awaited: the write waits for the FIFO's reader; 300 ms later it is in flight.
 */
async function exportWhenUp(output: () => string, fifo: string): Promise<{ saved: Promise<unknown> }> {
  const until = Date.now() + 20_000;
  let url: RegExpExecArray | null = null;
  while (!(url = /http:\/\/127\.0\.0\.1:(\d+)\/#token=(\S+)/.exec(output())) && Date.now() < until) await sleep(20);
  expect(url, output()).not.toBeNull();
  const [, port, token] = url!;
  const saved = fetch(`http://127.0.0.1:${port}/api/export/save`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ format: 'har', path: fifo, overwrite: true }),
  }).catch(() => null);
  await sleep(300);
  // Wrapped: an async function returning the fetch's promise would wait for it.
  return { saved };
}

/** `pinprobe ui` on its own data dir, with a FIFO made at `fifo` for its export. */
function startUi(name: string, fifo: string) {
  execFileSync('mkfifo', [fifo]);
  const child = spawn(process.execPath, [BIN, 'ui', '--port', '0', '--listen', '127.0.0.1', '--data-dir', join(dir, `data-${name}`), '--record', join(dir, `s${name}.pinprobe.jsonl`)], { stdio: ['ignore', 'pipe', 'pipe'] });
  pids.push(child.pid!);
  const ui = { child, stdout: '', stderr: '', closed: false, exited: null as unknown as Promise<{ code: number | null; signal: NodeJS.Signals | null }> };
  child.stdout.on('data', (c: Buffer) => (ui.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (ui.stderr += c.toString()));
  ui.exited = new Promise((ok) => child.on('close', (code, signal) => ((ui.closed = true), ok({ code, signal }))));
  return ui;
}

describe('pinprobe ui stopped during an export', () => {
  it('waits for the file the UI is writing, then exits 0', async () => {
    const fifo = join(dir, 'export.har');
    const ui = startUi('1', fifo);
    const { child, exited } = ui;
    const { saved } = await exportWhenUp(() => ui.stdout, fifo);
    child.kill('SIGTERM');
    const waitUntil = Date.now() + 8_000;
    while (!ui.closed && !/waiting for a file the UI is writing/.test(ui.stderr) && Date.now() < waitUntil) await sleep(20);
    // The reader comes now; with the engine already gone it would find no writer (timeout, nothing read).
    const read = await run('timeout', ['5', 'cat', fifo]);
    const r = await exited;
    await saved;
    expect((JSON.parse(read.stdout) as { log: { entries: unknown[] } }).log.entries).toEqual(expect.any(Array));
    expect(ui.stderr).toMatch(/waiting for a file the UI is writing \(an export or Save as\) to finish/);
    expect(r, ui.stderr).toEqual({ code: 0, signal: null });
    expect(ui.stdout).toMatch(/Session saved: /);
  });

  it('a second Ctrl-C during the wait stops without the file, says so, and still exits 0', async () => {
    const fifo = join(dir, 'export-hurried.har');
    const ui = startUi('3', fifo);
    const { child, exited } = ui;
    const { saved } = await exportWhenUp(() => ui.stdout, fifo);
    child.kill('SIGINT');
    const until = Date.now() + 8_000;
    while (!/waiting for a file the UI is writing/.test(ui.stderr) && Date.now() < until) await sleep(20);
    // Later than the 0.5 s in which a repeat is the same Ctrl-C.
    await sleep(700);
    child.kill('SIGINT');
    const said = Date.now() + 3_000;
    while (!/left unfinished/.test(ui.stderr) && Date.now() < said) await sleep(20);
    expect(ui.stderr).toMatch(/SIGINT again: hurrying/);
    expect(ui.stderr).toMatch(/stopped with a file the UI was writing left unfinished/);
    // A write blocked in the kernel (this FIFO's open) holds the exit itself, as libuv joins
    // its threads: a reader lets it go.
    await run('timeout', ['5', 'cat', fifo]);
    const r = await exited;
    await saved;
    expect(r, ui.stderr).toEqual({ code: 0, signal: null });
  });

  it('under npm, a parent that went away stops it once: the wait is not taken for a second Ctrl-C', async () => {
    const fifo = join(dir, 'export-2.har');
    execFileSync('mkfifo', [fifo]);
    const outFile = join(dir, 'ui-2.out');
    const errFile = join(dir, 'ui-2.err');
    // The parent (as npm is) starts the engine with npm's environment, prints its pid and is then killed.
    const parentCode = `
      const { spawn } = require('node:child_process');
      const { openSync } = require('node:fs');
      const c = spawn(process.execPath, ${JSON.stringify([BIN, 'ui', '--port', '0', '--listen', '127.0.0.1', '--data-dir', join(dir, 'data-2'), '--record', join(dir, 's2.pinprobe.jsonl')])},
        { stdio: ['ignore', openSync(${JSON.stringify(outFile)}, 'w'), openSync(${JSON.stringify(errFile)}, 'w')], env: { ...process.env, npm_command: 'start' } });
      console.log(c.pid);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentCode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let parentOut = '';
    parent.stdout.on('data', (c: Buffer) => (parentOut += c.toString()));
    const text = (f: string) => {
      try {
        return readFileSync(f, 'utf8');
      } catch {
        return '';
      }
    };
    const { saved } = await exportWhenUp(() => text(outFile), fifo);
    const enginePid = Number(parentOut.trim());
    pids.push(enginePid);
    parent.kill('SIGKILL');
    const waitUntil = Date.now() + 8_000;
    while (!/waiting for a file the UI is writing/.test(text(errFile)) && Date.now() < waitUntil) await sleep(20);
    // Well past the 0.5 s after which a repeat of the stop would hurry it.
    await sleep(1500);
    const read = await run('timeout', ['5', 'cat', fifo]);
    const goneBy = Date.now() + 10_000;
    const alive = () => {
      try {
        process.kill(enginePid, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (alive() && Date.now() < goneBy) await sleep(20);
    await saved;
    expect(text(errFile)).toMatch(/parent npm process exited: stopping/);
    expect(text(errFile)).not.toMatch(/hurrying|left unfinished/);
    expect((JSON.parse(read.stdout) as { log: { entries: unknown[] } }).log.entries).toEqual(expect.any(Array));
    expect(alive()).toBe(false);
  });
});
