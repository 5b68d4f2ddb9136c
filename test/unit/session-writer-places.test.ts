// The batched writer hands out each line's place (byte offset and length) before the line is
// written; the in-memory session reads evicted lines back by it. The places must be the
// file's bytes once flushed, whatever the text holds (multi-byte UTF-8, lone surrogates,
// escapes), in append order, across batches and after a cut line was ended (appendTo).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionWriter, type LinePlace } from '../../proxy/session/writer.js';
import type { SessionLine } from '../../proxy/session/events.js';
import { Prng } from '../helpers/prng.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-writer-places-'));
const texts = ['', 'plain', 'é', 'a€b', '😀', '\ud800', 'line\nbreak "quoted" \\ tab\t', 'x'.repeat(3000), '中文'.repeat(100)];

// Big lines: past the writer's exact-measure size, and past its kept batch buffer (2 MiB).
const big = ['é'.repeat(70_000), '€'.repeat(800_000)];

function lineOf(r: Prng, n: number): SessionLine {
  const message = r.chance(0.02) ? r.pick(big) : r.pick(texts) + r.pick(texts);
  return { type: 'error', time: '2026-12-02T00:00:00.000Z', id: `r${n}`, message } as unknown as SessionLine;
}

describe('SessionWriter places', () => {
  for (const seed of [1, 7, 99]) {
    it(`every line's place is its bytes in the file, in order (seed ${seed})`, () => {
      const r = new Prng(seed);
      const file = join(dir, `s${seed}.jsonl`);
      writeFileSync(file, '{"type":"session"}\n{"type":"cut');
      const w = SessionWriter.appendTo(file);
      const lines: SessionLine[] = [];
      const places: Array<LinePlace | null> = [];
      for (let n = 0; n < 400; n++) {
        const line = lineOf(r, n);
        lines.push(line);
        places.push(w.append(line));
        if (r.chance(0.05)) w.flush();
      }
      expect(w.close().lost).toBe(0);
      const bytes = readFileSync(file);
      let end = '{"type":"session"}\n{"type":"cut\n'.length;
      lines.forEach((line, i) => {
        const p = places[i]!;
        expect(p.offset, `line ${i}`).toBe(end);
        expect(bytes.subarray(p.offset, p.offset + p.length).toString('utf8')).toBe(JSON.stringify(line));
        expect(bytes[p.offset + p.length]).toBe(0x0a);
        end = p.offset + p.length + 1;
      });
      expect(end).toBe(bytes.length);
    });
  }
});
