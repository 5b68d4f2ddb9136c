// A stop of `pinprobe ui` (the desktop app's Quit sends SIGTERM to its engine) while the UI's
// File › Export is still being written waits for that file, then exits 0: the export must not
// be left half-written. The target is a FIFO whose reader comes only after the stop began, so
// the write is certainly still in flight when the signal arrives.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, run } from '../../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-stop-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe('pinprobe ui stopped during an export', () => {
  it('waits for the file the UI is writing, then exits 0', async () => {
    const fifo = join(dir, 'export.har');
    execFileSync('mkfifo', [fifo]);
    const child = spawn(process.execPath, [BIN, 'ui', '--port', '0', '--listen', '127.0.0.1', '--data-dir', join(dir, 'data'), '--record', join(dir, 's.pinprobe.jsonl')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let closed = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.on('close', (code, signal) => ((closed = true), ok({ code, signal }))));
    const until = Date.now() + 20_000;
    let url: RegExpExecArray | null = null;
    while (!(url = /http:\/\/127\.0\.0\.1:(\d+)\/#token=(\S+)/.exec(stdout)) && Date.now() < until) await sleep(20);
    expect(url, stdout + stderr).not.toBeNull();
    const [, port, token] = url!;
    // Not awaited: the write waits for the FIFO's reader.
    const saved = fetch(`http://127.0.0.1:${port}/api/export/save`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'har', path: fifo, overwrite: true }),
    }).catch(() => null);
    await sleep(300);
    child.kill('SIGTERM');
    const waitUntil = Date.now() + 8_000;
    while (!closed && !/waiting for a file the UI is writing/.test(stderr) && Date.now() < waitUntil) await sleep(20);
    // The reader comes now; with the engine already gone it would find no writer (timeout, nothing read).
    const read = await run('timeout', ['5', 'cat', fifo]);
    const r = await exited;
    await saved;
    expect((JSON.parse(read.stdout) as { log: { entries: unknown[] } }).log.entries).toEqual(expect.any(Array));
    expect(stderr).toMatch(/waiting for a file the UI is writing \(an export or Save as\) to finish/);
    expect(r, stderr).toEqual({ code: 0, signal: null });
    expect(stdout).toMatch(/Session saved: /);
  });
});
