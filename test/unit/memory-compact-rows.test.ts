// Old request/response lines become compact rows (session/compact-rows.ts); each must turn
// back into exactly the light copy it replaced — same JSON bytes, same values — for lines of
// every shape a session may hold (hand-edited files included: those stay light objects).
import { describe, expect, it } from 'vitest';
import { SessionMemory } from '../../proxy/session/memory.js';
import { expectedLight } from '../helpers/evicted-copy.js';
import { Prng } from '../helpers/prng.js';
import { randomHttpLine } from '../helpers/random-http-line.js';

describe('compact rows of evicted lines', () => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    it(`give back the light copy byte for byte (seed ${seed})`, () => {
      const r = new Prng(seed);
      const memory = new SessionMemory(3);
      const lines = Array.from({ length: 600 }, (_, n) => randomHttpLine(r, n + 1));
      lines.forEach((l, i) => memory.store(l, { offset: i * 10, length: 9 }));
      let compacted = 0;
      for (let i = 0; i < lines.length - 3; i++) {
        const got = memory.line(i)!;
        // A compact row gives a fresh copy each time; an unusual line stays one light object.
        if (memory.line(i) !== got) compacted++;
        const want = expectedLight(lines[i]!);
        expect(JSON.stringify(got), `line ${i}`).toBe(JSON.stringify(want));
        expect(got).toEqual(want);
      }
      // Most generated lines have the usual shape; the unusual rest still round-trips above.
      expect(compacted).toBeGreaterThan(lines.length * 0.3);
      expect(compacted).toBeLessThan(lines.length - 3);
      // The newest `keep` lines are still full.
      expect(memory.line(lines.length - 1)).toMatchObject({ evicted: undefined, headers: lines.at(-1)!.headers });
      expect(memory.slice(0).length).toBe(lines.length);
    });
  }
});
