// With no live listener the recording keeps its newest request/response lines as the
// writer's bytes (memory.ts, recent-bytes.ts). What the UI and the API read must not change:
// the newest lines full (headers, bodies, multi-byte text) also while they are still in the
// writer's batch, not yet in the file; older ones light; fullLine as the file has it; and a
// listener that subscribes later still gets copies that are evicted in place.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionRecording } from '../../proxy/session/recording.js';
import { slim } from '../../proxy/session/memory.js';
import type { RequestEvent, ResponseEvent, SessionHeader, SessionLine } from '../../proxy/session/events.js';
import { SessionWriter } from '../../proxy/session/writer.js';
import { expectedLight } from '../helpers/evicted-copy.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-recent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const header: SessionHeader = {
  type: 'session', schema: 'pinprobe.session/1', time: '2026-12-02T00:00:00.000Z', version: '0.1.0', proxy: { listen: '127.0.0.1', port: 8080 }, caSubject: 'x',
  options: { scenario: null, passthrough: [], clientCertHosts: [], autoPassthrough: true, expectMtls: [], requestClientCert: false },
} as SessionHeader;

function exchange(n: number): [RequestEvent, ResponseEvent] {
  const id = `r${n}`;
  const time = new Date(1_796_000_000_000 + n).toISOString();
  const request: RequestEvent = {
    type: 'request', time, id, conn: `c${n % 3}`, scheme: 'https', method: 'POST', url: `https://api.app.test/é/${n}`, host: 'api.app.test', port: 443,
    httpVersion: '1.1', headers: [['x-n', `${n} 😀`]], body: { size: 9, encoding: 'utf8', data: `{"é":"\n${n}"}`, truncated: false }, clientAddress: '127.0.0.1',
  };
  // An unusual line now and then (a check-auth request) and a big answer: those stay objects.
  if (n % 17 === 0) request.check = { kind: 'auth', of: 'r1', removed: ['authorization'] };
  const data = n % 29 === 0 ? 'ü'.repeat(100_000) : `answer ${n} ✓`;
  const response: ResponseEvent = {
    type: 'response', time, id, status: 200, statusText: 'OK', httpVersion: '1.1', headers: [['content-type', 'text/plain; charset=utf-8']],
    body: { size: Buffer.byteLength(data), encoding: 'utf8', data, truncated: false }, timings: { sendMs: 0, waitMs: 1, receiveMs: 2 },
  };
  return [request, response];
}

const fileLines = (file: string): SessionLine[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as SessionLine);

describe('recording with no listener: the newest lines as the writer\'s bytes', () => {
  it('reads the newest lines full before they are written, the older light, and fullLine as the file has it', async () => {
    const file = join(dir, 'a.jsonl');
    const keep = 60;
    const rec = new SessionRecording(file, { memoryHttpLines: keep });
    rec.open(header);
    const lines: Array<RequestEvent | ResponseEvent> = [];
    for (let n = 1; n <= 150; n++) for (const l of exchange(n)) {
      lines.push(l);
      rec.record(l);
    }
    // Nothing has waited for the writer's timer: the newest lines are still only in its batch.
    const written = readFileSync(file, 'utf8');
    expect(written).not.toContain('"id":"r150"');
    const count = rec.lineCount();
    expect(count).toBe(1 + lines.length);
    const got = rec.linesFrom(1);
    lines.forEach((l, i) => {
      const want = i >= lines.length - keep ? slim(l) : expectedLight(l);
      expect(JSON.stringify(got[i]), `line ${i + 1}`).toBe(JSON.stringify(want));
      expect(got[i]).toEqual(want);
    });
    // fullLine is the file's line (it writes the batch first), for a new line and an old one.
    const indexes = [count - 1, count - 2, count - keep, 1, 40];
    const full: Array<SessionLine | null> = [];
    for (const index of indexes) full.push(await rec.fullLine(index));
    const onDisk = fileLines(file);
    indexes.forEach((index, k) => expect(full[k], `fullLine ${index}`).toEqual(onDisk[index]));
    expect(onDisk.slice(1)).toEqual(JSON.parse(JSON.stringify(lines)));
    rec.end({ type: 'session-end', time: '2026-12-02T01:00:00.000Z' });
  });

  it('a listener that subscribes later gets in-memory copies, evicted in place as before', () => {
    const file = join(dir, 'b.jsonl');
    const rec = new SessionRecording(file, { memoryHttpLines: 4 });
    rec.open(header);
    for (let n = 1; n <= 10; n++) for (const l of exchange(n)) rec.record(l);
    const seen: Array<{ line: SessionLine; json: string | null }> = [];
    rec.subscribe((line, json) => seen.push({ line, json }));
    const later = [...exchange(11), ...exchange(12), ...exchange(13)];
    for (const l of later) rec.record(l);
    // Recording is batched (RECORD_BATCH_MS): queued lines reach listeners when it drains.
    rec.flush();
    // Each listener's line is a copy (not the recorded object), its JSON the file's text.
    seen.forEach(({ line, json }, i) => {
      expect(line).not.toBe(later[i]);
      expect(json).toBe(JSON.stringify(later[i]));
    });
    // The first two exchanges seen are out of the 4-line window now: reduced in place.
    expect(seen[0]!.line).toEqual(expectedLight(later[0]!));
    expect(seen.at(-1)!.line).toEqual(slim(later.at(-1)!));
    // And what memory gives for every line is still right, lines kept as bytes included.
    const all = rec.linesFrom(1);
    const recorded = [...Array.from({ length: 10 }, (_, k) => exchange(k + 1)).flat(), ...later];
    all.forEach((l, i) => expect(l).toEqual(i >= recorded.length - 4 ? slim(recorded[i]!) : expectedLight(recorded[i]!)));
    rec.end({ type: 'session-end', time: '2026-12-02T01:00:00.000Z' });
  });
});

describe('recording with a listener that keeps no lines (the UI\'s live view)', () => {
  it('gives it the recorded lines and their file text, keeps the newest as bytes, and copies again while another listener keeps lines', () => {
    const file = join(dir, 'c.jsonl');
    const rec = new SessionRecording(file, { memoryHttpLines: 6 });
    rec.open(header);
    const seen: Array<{ line: SessionLine; json: string | null }> = [];
    rec.subscribe((line, json) => seen.push({ line, json }), { keepsLines: false });
    const first = [...exchange(1), ...exchange(2), ...exchange(3)];
    for (const l of first) rec.record(l);
    // Recording is batched (RECORD_BATCH_MS): queued lines reach listeners when it drains.
    rec.flush();
    // Lines of the usual shape: the line itself (no copy made), with the file's text.
    seen.forEach(({ line, json }, i) => {
      expect(line).toBe(first[i]);
      expect(json).toBe(JSON.stringify(first[i]));
    });
    // A listener that keeps lines joins: from now on, copies (evicted in place later) for both.
    const kept: SessionLine[] = [];
    const off = rec.subscribe((line) => kept.push(line));
    const second = [...exchange(4), ...exchange(5)];
    for (const l of second) rec.record(l);
    rec.flush();
    expect(seen.slice(first.length).map((s) => s.line)).toEqual(second.map((l) => slim(l)));
    seen.slice(first.length).forEach(({ line }, i) => expect(line).not.toBe(second[i]));
    expect(kept).toEqual(second.map((l) => slim(l)));
    off();
    const third = [...exchange(6), ...exchange(7), ...exchange(8)];
    for (const l of third) rec.record(l);
    rec.flush();
    seen.slice(first.length + second.length).forEach(({ line }, i) => expect(line).toBe(third[i]));
    // The keeper's copies of lines out of the window were reduced in place; memory reads right throughout.
    expect(kept[0]).toEqual(expectedLight(second[0]!));
    const all = [...first, ...second, ...third];
    rec.linesFrom(1).forEach((l, i) => expect(l, `line ${i + 1}`).toEqual(i >= all.length - 6 ? slim(all[i]!) : expectedLight(all[i]!)));
    rec.end({ type: 'session-end', time: '2026-12-02T01:00:00.000Z' });
  });
});

describe('SessionWriter.lastBytes', () => {
  it('is the UTF-8 of lastText, the bytes the file gets at the line\'s place', () => {
    const file = join(dir, 'w.jsonl');
    const w = SessionWriter.open(file, null);
    const copies: Array<{ place: { offset: number; length: number }; bytes: Buffer }> = [];
    for (let n = 1; n <= 300; n++) {
      for (const l of exchange(n)) {
        const place = w.append(l)!;
        const b = w.lastBytes;
        if (w.lastText === null) {
          // A big body written in parts: no one string, no bytes handed out.
          expect(b).toBeNull();
          continue;
        }
        expect(b!.length).toBe(place.length);
        const bytes = Buffer.alloc(b!.length + 2, 0xff);
        b!.copyTo(bytes, 1);
        expect(bytes.subarray(1, -1).toString('utf8')).toBe(w.lastText);
        copies.push({ place, bytes: bytes.subarray(1, -1) });
      }
      if (n % 50 === 0) w.flush();
    }
    w.close();
    const all = readFileSync(file);
    for (const { place, bytes } of copies) expect(all.subarray(place.offset, place.offset + place.length).equals(bytes)).toBe(true);
  });
});
