// A long session keeps only the most recent request/response lines in memory with their
// headers and bodies; older ones are light copies that fullLine reads back from the file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, MEMORY_HTTP_LINES } from '../../../proxy/engine.js';
import type { RequestEvent, ResponseEvent, SessionEvent, SessionLine } from '../../../proxy/session/events.js';

const dirs: string[] = [];
const engines: Engine[] = [];

afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function engineIn(dir: string, opts: { record?: string; memoryHttpLines?: number } = {}): Promise<Engine> {
  const engine = await Engine.create({ port: 0, listen: '127.0.0.1', dataDir: dir, ...opts });
  engines.push(engine);
  await engine.start();
  return engine;
}

function exchange(n: number): [RequestEvent, ResponseEvent] {
  const id = `r${n}`;
  const time = new Date().toISOString();
  return [
    {
      type: 'request', time, id, conn: 'c1', scheme: 'https', method: 'POST', url: `https://api.app.test/item/${n}`, host: 'api.app.test',
      port: 443, httpVersion: '1.1', headers: [['content-type', 'application/json'], ['x-n', String(n)]],
      body: { size: 14 + String(n).length, encoding: 'utf8', data: `{"item":${n},"é":1}`, truncated: false }, clientAddress: '127.0.0.1',
    },
    {
      type: 'response', time, id, status: 200, statusText: 'OK', httpVersion: '1.1', headers: [['content-type', 'text/plain']],
      body: { size: 9, encoding: 'utf8', data: `answer ${n}`, truncated: false }, timings: { sendMs: 1, waitMs: 2, receiveMs: 3 },
    },
  ];
}

function fileLines(file: string): SessionLine[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as SessionLine);
}

describe('in-memory eviction of old request/response lines', () => {
  it('after N+100 requests the oldest are light copies in memory, and fullLine returns the exact file line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinprobe-mem-'));
    dirs.push(dir);
    const engine = await engineIn(dir);
    const seen: SessionLine[] = [];
    engine.subscribe((l) => seen.push(l));
    const requests = MEMORY_HTTP_LINES / 2 + 100;
    for (let n = 1; n <= requests; n++) for (const e of exchange(n)) engine.bus.emit(e as SessionEvent);

    const lines = engine.lines();
    const http = lines.map((l, i) => ({ l, i })).filter(({ l }) => l.type === 'request' || l.type === 'response');
    expect(http).toHaveLength(requests * 2);
    const evicted = http.filter(({ l }) => (l as RequestEvent).evicted === true);
    expect(evicted).toHaveLength(200);
    // The oldest 200 lines (100 requests with their responses) are the evicted ones.
    expect(evicted.map(({ i }) => i)).toEqual(http.slice(0, 200).map(({ i }) => i));
    const first = lines[evicted[0]!.i] as RequestEvent;
    expect(first).toMatchObject({ type: 'request', id: 'r1', url: 'https://api.app.test/item/1', headers: [], evicted: true });
    expect(first.body).toMatchObject({ data: '', truncated: true, size: 15 });
    // What a subscriber holds is bounded too: its copy was reduced in place at eviction (the
    // engine itself keeps only a compact row, which turns back into an equal light copy).
    expect(seen.find((l) => l.type === 'request' && l.id === 'r1')).toEqual(first);
    const recent = lines[http.at(-1)!.i] as ResponseEvent;
    expect(recent.evicted).toBeUndefined();
    expect(recent.body.data).toBe(`answer ${requests}`);

    // The writer batches lines for up to 10 ms (SPEC "Session file"): let the batch land.
    await new Promise((ok) => setTimeout(ok, 100));
    const onDisk = fileLines(engine.sessionFile);
    expect(onDisk).toHaveLength(lines.length);
    for (const { i } of [...evicted.slice(0, 5), evicted.at(-1)!, http.at(-1)!]) {
      const full = await engine.fullLine(i);
      expect(full).toEqual(onDisk[i]);
      expect(full).not.toHaveProperty('evicted');
    }
    expect(await engine.fullLine(0)).toEqual(onDisk[0]);
    expect(await engine.fullLine(lines.length)).toBeNull();
    // The file never carries the in-memory marker.
    expect(readFileSync(engine.sessionFile, 'utf8')).not.toContain('evicted');
  });

  it('continuing a session file (--record FILE) knows the places of the loaded lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinprobe-mem-'));
    dirs.push(dir);
    const record = join(dir, 'long.pinprobe.jsonl');
    const first = await engineIn(dir, { record, memoryHttpLines: 10 });
    for (let n = 1; n <= 20; n++) for (const e of exchange(n)) first.bus.emit(e as SessionEvent);
    await first.close();
    engines.splice(engines.indexOf(first), 1);
    // A cut last line (a killed run) and an unreadable line in the middle: indexes shift.
    const text = readFileSync(record, 'utf8').split('\n');
    text.splice(5, 0, '{not json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(record, text.join('\n') + '{"type":"requ');

    const again = await engineIn(dir, { record, memoryHttpLines: 10 });
    for (let n = 21; n <= 22; n++) for (const e of exchange(n)) again.bus.emit(e as SessionEvent);
    const lines = again.lines();
    const evicted = lines.flatMap((l, i) => ((l as RequestEvent).evicted ? [i] : []));
    expect(evicted.length).toBe(44 - 10);
    for (const i of evicted) {
      const full = (await again.fullLine(i)) as RequestEvent | ResponseEvent;
      const mem = lines[i] as RequestEvent | ResponseEvent;
      expect(full).toMatchObject({ type: mem.type, id: mem.id });
      expect(full.headers.length).toBeGreaterThan(0);
      expect(full.body.data).toMatch(new RegExp(`${mem.id.slice(1)}\\b`));
    }
  });
});
