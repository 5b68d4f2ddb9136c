// The recording queues each event's line and records a few milliseconds of them at once
// (RECORD_BATCH_MS, proxy/session/recording.ts). What that may change and what it must not:
// a line reaches the file within RECORD_BATCH_MS; whoever reads the session (lines, counts,
// verdicts, listeners that subscribe) sees every event recorded so far; a clean stop and
// process.exit lose nothing; SIGKILL loses at most the last batch; order is event order.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RECORD_BATCH_MS, SessionRecording } from '../../../proxy/session/recording.js';
import type { ErrorEvent, ResponseEvent, SessionLine } from '../../../proxy/session/events.js';
import { header as sessionHeader } from '../../fixtures/events.js';
import { runLineChild } from '../../helpers/line-child.js';
import { ROOT } from '../../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-rec-queue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const header = sessionHeader();
const line = (n: number): ErrorEvent => ({ type: 'error', time: new Date().toISOString(), id: String(n), message: `line ${n}` });
const fileLines = (file: string): SessionLine[] => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as SessionLine);
const ids = (file: string): number[] => fileLines(file).filter((l) => l.type === 'error').map((l) => Number((l as ErrorEvent).id));

// A child that records one line per millisecond through a SessionRecording and tells stdout
// (a pipe: synchronous on Linux) each line it handed over, with the time it did.
const CHILD = `
import { SessionRecording } from ${JSON.stringify(join(ROOT, 'dist', 'proxy', 'session', 'recording.js'))};
const rec = new SessionRecording(process.argv[2]);
rec.open(${JSON.stringify(header)});
let n = 0;
const mode = process.argv[3];
setInterval(() => {
  rec.record({ type: 'error', time: new Date().toISOString(), id: String(n), message: 'x' });
  process.stdout.write(n + ' ' + performance.now().toFixed(3) + '\\n');
  n++;
  if (mode === 'exit' && n === 500) process.exit(0);
}, 1);
`;

const runChild = (file: string, mode: 'kill' | 'exit') => runLineChild(CHILD, file, mode);

describe('the recording queue', () => {
  it('writes a line within RECORD_BATCH_MS, not at once; reads and a clean end see every line, in order', async () => {
    const file = join(dir, 'a.jsonl');
    const rec = new SessionRecording(file);
    rec.open(header);
    rec.record(line(0));
    expect(ids(file)).toEqual([]);
    await new Promise((ok) => setTimeout(ok, RECORD_BATCH_MS * 6));
    expect(ids(file)).toEqual([0]);
    for (let n = 1; n <= 300; n++) rec.record(line(n));
    // Queued, not yet recorded: a read records them first.
    expect(rec.lineCount()).toBe(1 + 301);
    expect(rec.linesFrom(301).map((l) => (l as ErrorEvent).id)).toEqual(['300']);
    for (let n = 301; n <= 310; n++) rec.record(line(n));
    rec.end({ type: 'session-end', time: new Date().toISOString() });
    expect(ids(file)).toEqual(Array.from({ length: 311 }, (_, i) => i));
    expect(fileLines(file).at(-1)!.type).toBe('session-end');
  });

  it('hands queued lines to listeners when it records them; a listener that subscribes later does not get the earlier ones', () => {
    const rec = new SessionRecording(join(dir, 'b.jsonl'));
    rec.open(header);
    rec.record(line(1));
    const seen: string[] = [];
    rec.subscribe((l) => seen.push(l.type === 'error' ? l.id! : l.type));
    expect(seen).toEqual([]);
    rec.record(line(2));
    rec.record(line(3));
    expect(seen).toEqual([]);
    rec.recordQueued();
    expect(seen).toEqual(['2', '3']);
    // A large body is recorded at once (what waits in the queue stays small), after the lines queued before it.
    rec.record(line(4));
    const data = 'b'.repeat(100_000);
    const big: ResponseEvent = {
      type: 'response', time: new Date().toISOString(), id: 'r1', status: 200, statusText: 'OK', httpVersion: '1.1', headers: [],
      body: { size: data.length, encoding: 'utf8', data, truncated: false }, timings: { sendMs: 0, waitMs: 0, receiveMs: 0 },
    };
    rec.record(big);
    expect(seen).toEqual(['2', '3', '4', 'response']);
    rec.end({ type: 'session-end', time: new Date().toISOString() });
  });

  it('a listener that fails on one line, or reads the session while it is handed a line, costs no other line and no order', () => {
    const file = join(dir, 'c.jsonl');
    const rec = new SessionRecording(file);
    rec.open(header);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const seen: string[] = [];
    let countInside = -1;
    rec.subscribe((l) => {
      if (l.type !== 'error') return;
      seen.push(l.id!);
      if (l.id === '2') throw new Error('listener broke');
      // Reading the session from inside a listener (the UI's view does) while lines are queued behind this one.
      if (l.id === '3') countInside = rec.lineCount();
    });
    for (let n = 1; n <= 6; n++) rec.record(line(n));
    rec.recordQueued();
    expect(seen).toEqual(['1', '2', '3', '4', '5', '6']);
    // The header and lines 1–3: what is recorded so far, the rest following in order.
    expect(countInside).toBe(4);
    rec.end({ type: 'session-end', time: new Date().toISOString() });
    expect(ids(file)).toEqual([1, 2, 3, 4, 5, 6]);
    return new Promise<void>((ok) => setImmediate(() => {
      process.off('warning', onWarning);
      expect(warnings).toContainEqual(expect.stringContaining('recording failed on a error event: listener broke'));
      ok();
    }));
  });

  it('process.exit without end loses nothing (the writer\'s exit hook records the queue first)', async () => {
    const file = join(dir, 'exit.jsonl');
    const told = await runChild(file, 'exit');
    expect(told).toHaveLength(500);
    expect(ids(file)).toEqual(told.map(([n]) => n));
  });

  it('SIGKILL loses at most the last batch: the file is an in-order prefix, the missing tail spans ≤ one batch', async () => {
    const file = join(dir, 'kill.jsonl');
    const told = await runChild(file, 'kill');
    const got = ids(file);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(told.slice(0, got.length).map(([n]) => n));
    const missing = told.slice(got.length);
    if (missing.length > 0) {
      const span = missing[missing.length - 1]![1] - missing[0]![1];
      // Every line handed over after the last write came within one batch time of the first
      // of them (a few ms slack for timer granularity).
      expect(span).toBeLessThanOrEqual(RECORD_BATCH_MS + 5);
    }
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
  });
});
