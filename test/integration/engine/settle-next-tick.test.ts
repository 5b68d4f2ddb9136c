// `pinprobe proxy` runs Node's nextTick a few thousand times before its proxy port listens
// (proxy/net/settle-next-tick.ts: V8's caches for the tick object stay monomorphic; 7–10%
// of CPU per request in the benchmark). Checked in a real CLI process: the count of
// nextTick calls when each of its servers began to listen.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-next-tick-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PRELOAD = join(ROOT, 'test', 'helpers', 'next-tick-count.mjs');

function ticksAtListen(): Promise<number[]> {
  const log = join(dir, 'ticks.json');
  const child = spawn(process.execPath, ['--import', PRELOAD, BIN, 'proxy', '--port', '0', '--listen', '127.0.0.1', '--data-dir', join(dir, 'data'), '--no-record'], {
    env: { ...process.env, NEXT_TICK_LOG: log },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pinprobe proxy did not start: ${output}`));
    }, 20_000);
    const onData = (c: Buffer) => {
      output += c.toString();
      if (/proxy listening on 127\.0\.0\.1:\d+/.test(output)) child.kill('SIGINT');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', () => {
      clearTimeout(timer);
      if (!/proxy listening on/.test(output)) reject(new Error(`pinprobe proxy exited before listening: ${output}`));
      else resolve(JSON.parse(readFileSync(log, 'utf8')) as number[]);
    });
  });
}

describe('engine start settles nextTick before the proxy listens', () => {
  it('has queued thousands of ticks when the proxy port begins to listen, and only once', async () => {
    const counts = await ticksAtListen();
    // The proxy's own listen is the one after the settle; any listener before it saw few ticks.
    const settledAt = counts.findIndex((n) => n >= 5000);
    expect(settledAt).toBeGreaterThanOrEqual(0);
    expect(counts[counts.length - 1]).toBeLessThan(10_000);
  });
});
