// The newest request/response lines may be kept as the session file's bytes instead of
// objects (memory.ts with `bytes`, recent-bytes.ts). Whatever is read back — the full copies
// of the newest lines, the light copies of older ones, look-ups by id, whole ranges — must be
// what the same memory keeping objects gives, for lines of every shape (multi-byte text and
// escapes included, so characters and bytes differ), and the bytes must stay bounded.
import { describe, expect, it } from 'vitest';
import { isEvicted, SessionMemory } from '../../proxy/session/memory.js';
import { FullWindow } from '../../proxy/session/full-window.js';
import { RecentBytes, type LineBytes } from '../../proxy/session/recent-bytes.js';
import type { RequestEvent, ResponseEvent } from '../../proxy/session/events.js';
import { Prng } from '../helpers/prng.js';
import { randomHttpLine } from '../helpers/random-http-line.js';

const TEXTS = ['é', '😀', 'line\nbreak "q" \\', '中文', '\u0001'];

function bytesOf(text: string): LineBytes {
  const b = Buffer.from(text, 'utf8');
  return { length: b.length, copyTo: (target, at) => void b.copy(target, at) };
}

function line(r: Prng, n: number): RequestEvent | ResponseEvent {
  const l = randomHttpLine(r, n);
  if (r.chance(0.3)) l.body = { ...l.body, data: r.pick(TEXTS) + l.body.data.slice(0, 100) };
  if (r.chance(0.2)) l.headers = [['x-t', r.pick(TEXTS)]];
  return l;
}

describe('in-memory session: the newest lines kept as bytes', () => {
  for (const seed of [5, 6, 77, 2026]) {
    it(`reads back exactly what the object-keeping memory gives (seed ${seed})`, () => {
      const r = new Prng(seed);
      const keep = r.pick([3, 8, 40]);
      const objects = new SessionMemory(keep);
      const bytes = new SessionMemory(keep);
      let offset = 0;
      const asBytes = new Set<number>();
      const lines: Array<RequestEvent | ResponseEvent> = [];
      for (let n = 1; n <= 700; n++) {
        const l = line(r, n);
        lines.push(l);
        const text = JSON.stringify(l);
        const place = { offset, length: Buffer.byteLength(text) };
        offset += place.length + 1;
        objects.store(l, place);
        // The line itself back means: no copy was made, its bytes are what is kept.
        if (bytes.store(l, place, bytesOf(text)) === l) asBytes.add(n - 1);
        if (n % 7 === 0) {
          for (let i = Math.max(0, n - keep - 4); i < n; i++) {
            const want = objects.line(i)!;
            const got = bytes.line(i)!;
            expect(JSON.stringify(got), `line ${i} after ${n}`).toBe(JSON.stringify(want));
            expect(got).toEqual(want);
            // A line kept full as bytes is given as the file has it, without reading the file (there is none here).
            if (asBytes.has(i) && !isEvicted(want)) expect(bytes.fullLineSync(i, '/nonexistent'), `full ${i}`).toEqual(JSON.parse(JSON.stringify(lines[i]!)));
          }
          const id = r.pick(lines).id;
          for (const type of ['request', 'response'] as const) expect(bytes.lastIndexOf(type, id)).toBe(objects.lastIndexOf(type, id));
        }
      }
      // Most lines have the usual shape and small bodies; the others were kept as objects.
      expect(asBytes.size).toBeGreaterThan(lines.length * 0.2);
      expect(asBytes.size).toBeLessThan(lines.length);
      expect(JSON.stringify(bytes.slice(0))).toBe(JSON.stringify(objects.slice(0)));
    });
  }

  it('an async full read of a line kept as bytes needs no file', async () => {
    const memory = new SessionMemory(4);
    const usual: RequestEvent = {
      type: 'request', time: '2026-12-02T00:00:00.000Z', id: 'r1', conn: 'c1', scheme: 'https', method: 'GET', url: 'https://a.test/é', host: 'a.test',
      port: 443, httpVersion: '1.1', headers: [['a', '😀']], body: { size: 2, encoding: 'utf8', data: 'é', truncated: false }, clientAddress: '127.0.0.1',
    };
    const text = JSON.stringify(usual);
    expect(memory.store(usual, { offset: 0, length: Buffer.byteLength(text) }, bytesOf(text))).toBe(usual);
    expect(await memory.fullLine(0, '/nonexistent')).toEqual(usual);
  });
});

describe('RecentBytes', () => {
  it('gives back every line still held, and drops the oldest in order', () => {
    const r = new Prng(11);
    const ring = new RecentBytes();
    const held: Array<{ at: number; text: string }> = [];
    for (let n = 0; n < 20_000; n++) {
      const text = `${n}:` + r.pick(TEXTS).repeat(r.int(0, r.chance(0.01) ? 40_000 : 300));
      held.push({ at: ring.add(bytesOf(text)), text });
      while (held.length > r.int(1, 400)) {
        const old = held.shift()!;
        ring.dropBefore(old.at + Buffer.byteLength(old.text));
      }
      if (n % 13 === 0) for (const h of held.slice(-5).concat(held.slice(0, 2))) expect(ring.text(h.at, Buffer.byteLength(h.text))).toBe(h.text);
    }
    expect(() => ring.text(0, 1)).toThrow(RangeError);
  });

  it('keeps one buffer while the held bytes stay about the same (a new buffer is fresh memory, page-faulted in)', () => {
    const ring = new RecentBytes();
    const held: Array<{ at: number; length: number }> = [];
    const add = (text: string, keep: number): void => {
      const b = bytesOf(text);
      held.push({ at: ring.add(b), length: b.length });
      while (held.length > keep) {
        const old = held.shift()!;
        ring.dropBefore(old.at + old.length);
      }
    };
    const sizes = new Set<number>();
    for (let n = 0; n < 50_000; n++) {
      add('x'.repeat(1500), 400);
      if (n > 1000) sizes.add(ring.capacity);
    }
    expect(sizes.size).toBe(1);
    expect(ring.capacity).toBeLessThanOrEqual(4 * 401 * 1500);
    // Held bytes fall: the buffer shrinks with them.
    const big = ring.capacity;
    for (let n = 0; n < 50_000; n++) add('y'.repeat(100), 4);
    expect(ring.liveBytes).toBe(400);
    expect(ring.capacity).toBeLessThan(big);
  });
  it('holds at most about twice its bytes through a burst of large lines, and gives the memory back after it', () => {
    const ring = new RecentBytes();
    const held: Array<{ at: number; length: number }> = [];
    const add = (b: LineBytes): void => {
      held.push({ at: ring.add(b), length: b.length });
      while (held.length > 400) {
        const old = held.shift()!;
        ring.dropBefore(old.at + old.length);
      }
    };
    const small = bytesOf('s'.repeat(1500));
    for (let n = 0; n < 2000; n++) add(small);
    // 400 lines at the in-memory limit (a 64 KiB line): 25.6 MiB held.
    const large = bytesOf('L'.repeat(64 * 1024));
    let most = 0;
    for (let n = 0; n < 1000; n++) {
      add(large);
      most = Math.max(most, ring.capacity);
    }
    expect(ring.liveBytes).toBe(400 * 64 * 1024);
    // Four times that was ~100 MiB, and it stayed until the next wrap.
    expect(most).toBeLessThanOrEqual(2.1 * ring.liveBytes);
    // Small lines again: once the large ones are dropped, so is their buffer (not at a wrap tens of thousands of lines later).
    for (let n = 0; n < 400; n++) add(small);
    expect(ring.liveBytes).toBe(400 * 1500);
    expect(ring.capacity).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(ring.text(held.at(-1)!.at, 1500)).toBe('s'.repeat(1500));
  });
});

describe('FullWindow', () => {
  it('holds the newest lines in order across wraps and growth, and finds each one kept as bytes', () => {
    const r = new Prng(21);
    const w = new FullWindow();
    const model: Array<{ index: number; at: number; length: number }> = [];
    let index = 0;
    for (let step = 0; step < 30_000; step++) {
      index += r.int(1, 3);
      const at = r.chance(0.2) ? -1 : index * 10;
      w.add(index, at, index % 97);
      model.push({ index, at, length: index % 97 });
      // The window first grows to ~700, then stays around a few hundred (as the memory's `keep`).
      const keep = step < 2000 ? 700 : r.int(100, 400);
      while (model.length > keep) {
        expect(w.oldest).toBe(model[0]!.index);
        expect(w.oldestAt).toBe(model[0]!.at);
        expect(w.oldestLength).toBe(model[0]!.length);
        w.dropOldest();
        model.shift();
      }
      expect(w.size).toBe(model.length);
      if (step % 101 === 0) {
        for (const m of [model[0]!, model.at(-1)!, r.pick(model)]) expect(w.bytesOf(m.index)).toEqual(m.at >= 0 ? { at: m.at, length: m.length } : null);
        expect(w.bytesOf(model[0]!.index - 1)).toBeNull();
        expect(w.bytesOf(index + 1)).toBeNull();
      }
    }
    w.clear();
    expect(w.size).toBe(0);
    expect(w.oldest).toBeUndefined();
  });
});
