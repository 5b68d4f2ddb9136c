// Once a whole block of old lines has no request/response line kept full, it is re-encoded
// as one byte string (session/sealed-block.ts). Everything read from memory must be what it
// was before sealing: each line (light copies byte for byte, objects as the same object),
// its place in the file (fullLine/fullLineSync read the same bytes), ranges, lastIndexOf and
// allFull — over generated sessions with every kind of line, lines with no place, gaps and
// huge offsets in the file, and blocks sealed while the reader's cursor sits elsewhere.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BLOCK } from '../../proxy/session/block-column.js';
import type { RequestEvent, ResponseEvent, SessionLine } from '../../proxy/session/events.js';
import { SessionMemory, slim } from '../../proxy/session/memory.js';
import { expectedLight } from '../helpers/evicted-copy.js';
import { Prng } from '../helpers/prng.js';

const scratch = mkdtempSync(join(tmpdir(), 'pinprobe-sealed-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function httpLine(r: Prng, n: number, t0: number): RequestEvent | ResponseEvent {
  const time = r.chance(0.02) ? '2026-12-02T01:00:00Z' : new Date(t0 + n * r.int(0, 3) + (r.chance(0.01) ? -5000 : 0)).toISOString();
  const id = r.chance(0.03) ? `x-${n}` : `${r.pick(['r', 'k'])}${Math.floor(n / 2) + (r.chance(0.01) ? 4e9 : 0)}`;
  const body = { size: r.pick([0, 0, 17, 1024, 2 ** 33]), encoding: r.pick(['utf8', 'utf8', 'base64'] as const), data: r.pick(['', 'abc']), truncated: false };
  if (r.chance(0.5)) {
    const line: RequestEvent = {
      type: 'request', time, id, conn: r.pick(['c1', 'c2', 'c3']), scheme: r.pick(['http', 'https'] as const), method: r.pick(['GET', 'GET', 'POST']),
      url: r.chance(0.5) ? '/small' : `https://h${r.int(1, 3)}.test/p/${r.int(0, 20000)}`, host: r.pick(['h1.test', 'h2.test']), port: r.pick([443, 8443]),
      httpVersion: '1.1', headers: [['a', 'b']], body, clientAddress: '127.0.0.1',
    };
    if (r.chance(0.02)) (line as unknown as Record<string, unknown>)['newerField'] = 1;
    return line;
  }
  const line: ResponseEvent = {
    type: 'response', time, id, status: r.pick([200, 200, 404]), statusText: r.pick(['OK', 'Not Found']), httpVersion: '1.1',
    headers: [['content-type', 'text/plain']], body,
    timings: r.chance(0.02) ? ({ sendMs: 1.5, waitMs: 2, receiveMs: 3 }) : { sendMs: r.int(0, 5), waitMs: r.pick([0, 1, 900, 70_000, 2 ** 32 - 1]), receiveMs: r.int(0, 40) },
  };
  if (r.chance(0.2)) line.synthetic = r.chance(0.5);
  if (r.chance(0.1)) line.clientClosedEarly = true;
  return line;
}

function otherLine(r: Prng, n: number): SessionLine {
  return r.chance(0.5)
    ? { type: 'connection', time: new Date(1_796_000_000_000 + n).toISOString(), id: `c${n}`, client: { address: '127.0.0.1', port: 5000 + (n % 1000) }, target: { host: 'h1.test', port: 443 }, mode: 'intercept', scenario: 'trusted' } as SessionLine
    : { type: 'close', time: new Date(1_796_000_000_000 + n).toISOString(), id: `c${n}`, bytesFromClient: n, bytesToClient: 2 * n };
}

interface Generated {
  memory: SessionMemory;
  lines: SessionLine[];
  places: Array<{ offset: number; length: number } | null>;
  file: string;
  keep: number;
}

function generate(seed: number, count: number, keep: number): Generated {
  const r = new Prng(seed);
  const memory = new SessionMemory(keep);
  const lines: SessionLine[] = [];
  const places: Array<{ offset: number; length: number } | null> = [];
  const chunks: string[] = [];
  let offset = r.chance(0.5) ? 0 : 2 ** 33; // files past 4 GiB too (sparse: only what is read is written)
  let fileAt = 0;
  const t0 = 1_796_000_000_000;
  for (let n = 0; n < count; n++) {
    const line = r.chance(0.08) ? otherLine(r, n) : httpLine(r, n, t0);
    const text = JSON.stringify(line);
    if (r.chance(0.01)) offset += r.int(1, 300); // a gap in the file (a line memory does not keep)
    const place = r.chance(0.02) ? null : { offset, length: Buffer.byteLength(text) };
    if (place) offset += place.length + 1;
    lines.push(line);
    places.push(place);
    memory.store(line, place);
    if (place && place.offset < 2 ** 31) {
      if (place.offset > fileAt) chunks.push(' '.repeat(place.offset - fileAt));
      chunks.push(`${text}\n`);
      fileAt = place.offset + place.length + 1;
    }
    // Reads while blocks get sealed: the cursor must not survive a seal in a wrong state.
    if (n % 5000 === 4999) memory.line(r.int(0, n));
  }
  const file = join(scratch, `s${seed}.jsonl`);
  writeFileSync(file, chunks.join(''));
  return { memory, lines, places, file, keep };
}

/** Which line indexes are still full (the newest `keep` request/response lines with a place). */
function fullSet(g: Generated): Set<number> {
  const full = new Set<number>();
  for (let i = g.lines.length - 1; i >= 0 && full.size < g.keep; i--) {
    const l = g.lines[i]!;
    if (g.places[i] && (l.type === 'request' || l.type === 'response')) full.add(i);
  }
  return full;
}

function expected(g: Generated, full: Set<number>, i: number): SessionLine {
  const l = g.lines[i]!;
  if (l.type !== 'request' && l.type !== 'response') return l;
  return !g.places[i] || full.has(i) ? slim(l) : expectedLight(l);
}

describe('sealed blocks of old lines', () => {
  for (const [seed, keep] of [[1, 3], [2, 2000], [7, 0], [42, 50]] as const) {
    it(`read back exactly what memory held before (seed ${seed}, keep ${keep})`, () => {
      const g = generate(seed, 3 * BLOCK + 1234, keep);
      const { memory } = g;
      const full = fullSet(g);
      expect(memory.length).toBe(g.lines.length);
      // In order (the cursor), then at random (group restarts), then a range across blocks.
      for (let i = 0; i < g.lines.length; i++) {
        const got = memory.line(i)!;
        const want = expected(g, full, i);
        expect(JSON.stringify(got), `line ${i}`).toBe(JSON.stringify(want));
        const l = g.lines[i]!;
        if (l.type !== 'request' && l.type !== 'response') expect(got, `line ${i}`).toBe(l);
      }
      const r = new Prng(seed + 100);
      for (let n = 0; n < 3000; n++) {
        const i = r.int(0, g.lines.length - 1);
        expect(JSON.stringify(memory.line(i)), `line ${i}`).toBe(JSON.stringify(expected(g, full, i)));
      }
      const from = BLOCK - 70;
      const slice = memory.slice(from, from + BLOCK + 140);
      expect(slice.map((l) => JSON.stringify(l))).toEqual(g.lines.slice(from, from + BLOCK + 140).map((_, k) => JSON.stringify(expected(g, full, from + k))));
      expect(memory.line(-1)).toBeUndefined();
      expect(memory.line(g.lines.length)).toBeUndefined();
      expect(memory.line(1.5)).toBeUndefined();
    });
  }

  it('fullLine, fullLineSync and allFull read each line back from its place, in sealed blocks too', async () => {
    const g = generate(5, 2 * BLOCK + 500, 3);
    const full = fullSet(g);
    const all = g.memory.allFull(g.file);
    expect(all.length).toBe(g.lines.length);
    const r = new Prng(9);
    for (let n = 0; n < 800; n++) {
      const i = n < 200 ? n : r.int(0, g.lines.length - 1);
      const place = g.places[i];
      const readable = place && place.offset < 2 ** 31;
      const want = readable ? g.lines[i]! : expected(g, full, i);
      const sync = g.memory.fullLineSync(i, g.file);
      const async = await g.memory.fullLine(i, g.file);
      if (!place || readable) {
        expect(JSON.stringify(sync), `line ${i}`).toBe(JSON.stringify(want));
        expect(JSON.stringify(async), `line ${i}`).toBe(JSON.stringify(want));
        expect(JSON.stringify(all[i]), `line ${i}`).toBe(JSON.stringify(want));
      }
    }
  });

  it('lastIndexOf finds the last line of a type and id, sealed or not', () => {
    const g = generate(11, 2 * BLOCK + 700, 20);
    const r = new Prng(3);
    for (let n = 0; n < 300; n++) {
      const pick = g.lines[r.int(0, g.lines.length - 1)]!;
      const type = r.pick(['request', 'response'] as const);
      const id = 'id' in pick && typeof pick.id === 'string' ? pick.id : 'none';
      let want = -1;
      for (let i = g.lines.length - 1; i >= 0; i--) {
        const l = g.lines[i]!;
        if (l.type === type && l.id === id) {
          want = i;
          break;
        }
      }
      expect(g.memory.lastIndexOf(type, id), `${type} ${id}`).toBe(want);
    }
    expect(g.memory.lastIndexOf('request', 'r-none')).toBe(-1);
  });

  it('a reset forgets sealed blocks; a new session seals again', () => {
    const g = generate(13, BLOCK + 3000, 3);
    g.memory.reset();
    expect(g.memory.length).toBe(0);
    expect(g.memory.line(0)).toBeUndefined();
    const again = new Prng(14);
    const lines: SessionLine[] = [];
    for (let n = 0; n < BLOCK + 100; n++) {
      const l = httpLine(again, n, 1_796_100_000_000);
      lines.push(l);
      g.memory.store(l, { offset: n * 1000, length: 900 });
    }
    for (const i of [0, 1, BLOCK - 1, BLOCK, BLOCK + 95]) {
      const l = lines[i] as RequestEvent | ResponseEvent;
      const want = i >= BLOCK + 97 ? slim(l) : expectedLight(l);
      expect(JSON.stringify(g.memory.line(i)), `line ${i}`).toBe(JSON.stringify(want));
    }
  });
});
