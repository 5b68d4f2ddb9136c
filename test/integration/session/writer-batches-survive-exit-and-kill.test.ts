// The batched session writer (SPEC "Session file"): lines wait at most BATCH_MS, a clean
// stop or process exit loses nothing, SIGKILL loses at most the last batch, order is kept.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCH_MS, SessionWriter } from '../../../proxy/session/writer.js';
import type { SessionLine } from '../../../proxy/session/events.js';
import { runLineChild } from '../../helpers/line-child.js';
import { ROOT } from '../../helpers/run.js';

const line = (n: number): SessionLine => ({ type: 'error', time: new Date().toISOString(), id: String(n), message: `line ${n}` });
const ids = (file: string): number[] => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => Number((JSON.parse(l) as { id: string }).id));

// A child that appends one line per millisecond and tells stdout (a pipe: synchronous on
// Linux) each line it handed over, with the time it did.
const CHILD = `
import { SessionWriter } from ${JSON.stringify(join(ROOT, 'dist', 'proxy', 'session', 'writer.js'))};
const w = SessionWriter.open(process.argv[2], null);
let n = 0;
const mode = process.argv[3];
const tick = () => {
  w.append({ type: 'error', time: new Date().toISOString(), id: String(n), message: 'x' });
  process.stdout.write(n + ' ' + performance.now().toFixed(3) + '\\n');
  n++;
  if (mode === 'exit' && n === 500) process.exit(0);
};
setInterval(tick, 1);
`;

const runChild = (file: string, mode: 'kill' | 'exit') => runLineChild(CHILD, file, mode);

describe('batched session writer', () => {
  it('batches: a line is not in the file at once, but is within the batch time', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pinprobe-writer-')), 's.jsonl');
    const w = SessionWriter.open(file, null);
    const place = w.append(line(1));
    expect(readFileSync(file, 'utf8')).toBe('');
    await new Promise((ok) => setTimeout(ok, BATCH_MS * 5));
    const text = readFileSync(file, 'utf8');
    expect((JSON.parse(text.slice(place!.offset, place!.offset + place!.length)) as { id: string }).id).toBe('1');
    w.close();
  });

  it('clean stop loses nothing and keeps event order; places point at each line', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pinprobe-writer-')), 's.jsonl');
    const w = SessionWriter.open(file, null);
    const places = Array.from({ length: 3000 }, (_, i) => w.append(line(i))!);
    w.close();
    expect(ids(file)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    const buf = readFileSync(file);
    for (const i of [0, 1, 1234, 2999]) {
      const p = places[i]!;
      expect((JSON.parse(buf.subarray(p.offset, p.offset + p.length).toString()) as { id: string }).id).toBe(String(i));
    }
  });

  it('process.exit without close loses nothing (the exit hook flushes)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pinprobe-writer-')), 's.jsonl');
    const told = await runChild(file, 'exit');
    expect(told).toHaveLength(500);
    expect(ids(file)).toEqual(told.map(([n]) => n));
  });

  it('SIGKILL loses at most the last batch: the file is an in-order prefix, the missing tail spans ≤ one batch', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pinprobe-writer-')), 's.jsonl');
    const told = await runChild(file, 'kill');
    const got = ids(file);
    expect(got).toEqual(told.slice(0, got.length).map(([n]) => n));
    const missing = told.slice(got.length);
    if (missing.length > 0) {
      const span = missing[missing.length - 1]![1] - missing[0]![1];
      // Timers fire in expiry order, so every line handed over after the last write came
      // within one batch time of the first of them (a few ms slack for timer granularity).
      expect(span).toBeLessThanOrEqual(BATCH_MS + 5);
    }
    expect(readFileSync(file, 'utf8').endsWith('\n') || got.length === 0).toBe(true);
  });
});

// /dev/full refuses every write with ENOSPC (no root, no tmpfs needed): what close() reports
// is what the CLI's stop line says (docs/formats.md).
describe.runIf(process.platform === 'linux')('closing while the disk is full', () => {
  it('counts every line not written, the last one included, and names the cause', () => {
    const w = SessionWriter.open('/dev/full', null);
    let trouble = '';
    w.onTrouble = (t) => (trouble = t.message);
    for (let n = 0; n < 3; n++) w.append(line(n));
    expect(w.flush()).toBe(false);
    expect(trouble).toMatch(/^recording stopped: disk full \(\/dev\/full\)/);
    for (let n = 3; n < 7; n++) w.append(line(n));
    // 3 held in the failed batch + 4 since the stop.
    expect(w.close()).toEqual({ lost: 7, cause: 'disk full' });
  });

  it('reports nothing lost when every line was written', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pinprobe-writer-')), 's.jsonl');
    const w = SessionWriter.open(file, null);
    w.append(line(1));
    expect(w.close()).toEqual({ lost: 0, cause: null });
  });
});
