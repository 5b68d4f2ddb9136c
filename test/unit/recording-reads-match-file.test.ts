// What the UI, the API and the live verdicts read back from the recording — one line in
// full (async and sync), every line in full (the verdicts' whole-session judge), the count —
// must be what the session file holds, line for line, whatever way memory keeps a line: as
// the writer's bytes, as an object among the newest, as a compact row or a light copy, in a
// sealed block; with bodies over the in-memory cap; with a listener keeping copies or not;
// with reads between appends (each flushes the writer) and without.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionRecording } from '../../proxy/session/recording.js';
import type { SessionMemory } from '../../proxy/session/memory.js';
import type { SessionHeader, SessionLine } from '../../proxy/session/events.js';
import { Prng } from '../helpers/prng.js';
import { randomHttpLine } from '../helpers/random-http-line.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-reads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const header = {
  type: 'session', schema: 'pinprobe.session/1', time: '2026-12-02T00:00:00.000Z', version: '0.1.0', proxy: { listen: '127.0.0.1', port: 8080 }, caSubject: 'x',
  options: { scenario: null, passthrough: [], clientCertHosts: [], autoPassthrough: true, expectMtls: [], requestClientCert: false },
} as SessionHeader;

const TEXTS = ['é', '😀', 'line\nbreak "q" \\', '中文', '\u0001'];

/** Lines of every kind a session holds: HTTP of every shape, WebSocket messages (large ones too), connections, errors. */
function randomLine(r: Prng, n: number): SessionLine {
  const time = new Date(1_796_000_000_000 + n).toISOString();
  const kind = r.int(0, 9);
  if (kind === 0) return { type: 'connection', time, id: `c${n}`, client: { address: '127.0.0.1', port: 1000 + n }, target: { host: 'h1.test', port: 443 }, mode: 'intercept', scenario: 'trusted', tunnelReason: null } as SessionLine;
  if (kind === 1) return { type: 'error', time, id: r.chance(0.5) ? null : `c${n}`, message: `broken ${r.pick(TEXTS)}` };
  if (kind === 2) {
    const data = r.chance(0.2) ? 'w'.repeat(80_000) : `msg ${r.pick(TEXTS)}`;
    return { type: 'ws-message', time, id: `c${n}`, direction: r.pick(['client', 'server']), opcode: 1, body: { size: data.length, encoding: 'utf8', data, truncated: false } } as unknown as SessionLine;
  }
  const line = randomHttpLine(r, n);
  if (r.chance(0.2)) line.body = { ...line.body, data: r.pick(TEXTS) + line.body.data };
  // A body over the in-memory cap, with text after the cut only the file has.
  if (r.chance(0.05)) line.body = { size: 100_000, encoding: 'utf8', data: 'b'.repeat(99_990) + 'END-OF-BODY', truncated: false };
  if (r.chance(0.1)) line.headers = [['x-t', r.pick(TEXTS)]];
  return line;
}

const fileLines = (file: string): SessionLine[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as SessionLine);
const fileLine = (file: string, i: number): SessionLine => JSON.parse(readFileSync(file, 'utf8').split('\n')[i]!) as SessionLine;

describe('the recording reads back what its session file holds', () => {
  for (const seed of [1, 2, 3, 42, 2026]) {
    it(`for every line and every way memory keeps it (seed ${seed})`, async () => {
      const r = new Prng(seed);
      const file = join(dir, `s${seed}.jsonl`);
      const rec = new SessionRecording(file, { memoryHttpLines: r.pick([2, 7, 40, 400]) });
      const memory = (rec as unknown as { memory: SessionMemory }).memory;
      rec.open(header);
      let unsubscribe: (() => void) | null = null;
      for (let n = 1; n <= 700; n++) {
        rec.record(randomLine(r, n));
        // A listener that keeps copies comes and goes: lines are then stored as objects, not bytes.
        if (r.chance(0.005)) {
          if (unsubscribe) (unsubscribe(), (unsubscribe = null));
          else unsubscribe = rec.subscribe(() => undefined, { keepsLines: r.chance(0.5) });
        }
        if (r.chance(0.02)) {
          const i = r.int(0, rec.lineCount() - 1);
          const full = await rec.fullLine(i);
          const want = fileLine(file, i);
          expect(full, `fullLine ${i} after ${n}`).toEqual(want);
          expect(memory.fullLineSync(i, file), `fullLineSync ${i} after ${n}`).toEqual(want);
        }
      }
      rec.flush();
      const onDisk = fileLines(file);
      expect(rec.lineCount()).toBe(onDisk.length);
      expect(memory.allFull(file)).toEqual(onDisk);
      for (let i = 0; i < onDisk.length; i++) {
        expect(memory.fullLineSync(i, file), `fullLineSync ${i}`).toEqual(onDisk[i]);
        if (i % 5 === 0) expect(await rec.fullLine(i), `fullLine ${i}`).toEqual(onDisk[i]);
      }
      unsubscribe?.();
      rec.end({ type: 'session-end', time: '2026-12-02T01:00:00.000Z' });
    });
  }
});
