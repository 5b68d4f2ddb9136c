// Large bodies are written into the batch as they are (no JSON string of the whole line):
// the file must hold exactly what JSON.stringify gives, for text that needs escaping and
// text that does not, base64, non-BMP characters and lone surrogates, and header values
// that look like the body's JSON; each line's place must be its bytes.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionWriter, type LinePlace } from '../../proxy/session/writer.js';
import type { SessionLine } from '../../proxy/session/events.js';
import { Prng } from '../helpers/prng.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-writer-big-'));

function bodyText(r: Prng, kind: string): string {
  const n = r.pick([70_000, 300_000, 1_048_576]);
  switch (kind) {
    case 'plain': return 'b'.repeat(n);
    case 'base64': return Buffer.alloc(Math.floor(n * 0.75), r.int(0, 255)).toString('base64');
    case 'newlines': return 'line "one"\n'.repeat(n / 10);
    case 'unicode': return 'é€中'.repeat(n / 3);
    case 'emoji': return 'é😀'.repeat(n / 3);
    case 'surrogate': return 'a'.repeat(n) + '\ud800';
    default: return 'x'.repeat(n - 1) + '\\';
  }
}

function lineOf(r: Prng, n: number): SessionLine {
  const kind = r.pick(['plain', 'base64', 'newlines', 'unicode', 'emoji', 'surrogate', 'backslash']);
  const data = r.chance(0.3) ? 'small body' : bodyText(r, kind);
  const headers = [['content-type', 'text/plain'], ['x-looks-like-a-body', '"body":{"data":"\\u0000pinprobe-body\\u0000"}']];
  return {
    type: r.chance(0.5) ? 'response' : 'request', time: '2026-12-02T00:00:00.000Z', id: `r${n}`, status: 200, statusText: 'OK', httpVersion: '1.1',
    headers, body: { size: data.length * 2, encoding: kind === 'base64' ? 'base64' : 'utf8', data, truncated: r.chance(0.5) },
    timings: { sendMs: 0, waitMs: 1, receiveMs: 2 },
  } as unknown as SessionLine;
}

describe('SessionWriter with large bodies', () => {
  for (const seed of [3, 11]) {
    it(`writes what JSON.stringify gives, and each place is its line (seed ${seed})`, () => {
      const r = new Prng(seed);
      const file = join(dir, `s${seed}.jsonl`);
      const w = SessionWriter.open(file, null);
      const lines: SessionLine[] = [];
      const places: Array<LinePlace | null> = [];
      for (let n = 0; n < 24; n++) {
        const line = lineOf(r, n);
        lines.push(line);
        places.push(w.append(line));
        if (r.chance(0.2)) w.flush();
      }
      expect(w.close().lost).toBe(0);
      const bytes = readFileSync(file);
      expect(bytes.equals(Buffer.from(lines.map((l) => JSON.stringify(l) + '\n').join(''), 'utf8'))).toBe(true);
      places.forEach((p, i) => expect(bytes.subarray(p!.offset, p!.offset + p!.length).toString('utf8')).toBe(JSON.stringify(lines[i])));
    });
  }

  it('keeps statusText and body in their places when the reason phrase holds the same NUL-wrapped text as the body\'s stand-in', () => {
    // A backend may send a NUL in its reason phrase (Node's HTTP client accepts it).
    const line = {
      type: 'response', time: '2026-12-02T00:00:00.000Z', id: 'r1', status: 200, statusText: '\u0000pinprobe-body\u0000', httpVersion: '1.1',
      headers: [], body: { size: 70_000, encoding: 'utf8', data: 'b'.repeat(70_000), truncated: false }, timings: { sendMs: 0, waitMs: 1, receiveMs: 2 },
    } as unknown as SessionLine;
    const file = join(dir, 'nul-reason.jsonl');
    const w = SessionWriter.open(file, null);
    w.append(line);
    expect(w.close().lost).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(JSON.stringify(line) + '\n');
    expect(JSON.parse(text).statusText).toBe('\u0000pinprobe-body\u0000');
  });
});
