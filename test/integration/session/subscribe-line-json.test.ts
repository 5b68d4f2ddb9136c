// Subscribers (the UI's live channel) get each line's in-memory copy and, when the session
// file holds it as one string with the same content, that JSON text: the live socket sends
// it as it is instead of stringifying the copy again. What the UI receives must stay what
// the copy says; a copy that cut a body gets no text (the socket stringifies the copy).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../proxy/engine.js';
import type { RequestEvent, ResponseEvent, SessionEvent, SessionLine } from '../../../proxy/session/events.js';
import { MEMORY_BODY_CAP } from '../../../proxy/session/memory.js';

const dirs: string[] = [];
const engines: Engine[] = [];

afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function exchange(n: number, data: string, extra: Partial<RequestEvent> = {}): [RequestEvent, ResponseEvent] {
  const id = `r${n}`;
  const time = new Date().toISOString();
  return [
    {
      type: 'request', time, id, conn: 'c1', scheme: 'https', method: 'POST', url: `https://api.app.test/item/${n}?q=é`, host: 'api.app.test',
      port: 443, httpVersion: '1.1', headers: [['content-type', 'application/json'], ['x-n', String(n)]],
      body: { size: data.length, encoding: 'utf8', data, truncated: false }, clientAddress: '127.0.0.1', ...extra,
    },
    {
      type: 'response', time, id, status: 200, statusText: 'OK', httpVersion: '1.1', headers: [['content-type', 'text/plain']],
      body: { size: 9, encoding: 'utf8', data: `answer ${n}`, truncated: false }, timings: { sendMs: 1, waitMs: 2, receiveMs: 3 },
    },
  ];
}

describe('subscribers get the line JSON the file has', () => {
  it('the text is the in-memory copy\'s content (parsed equal, at append time); a cut body gives null', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinprobe-sub-json-'));
    dirs.push(dir);
    const engine = await Engine.create({ port: 0, listen: '127.0.0.1', dataDir: dir });
    engines.push(engine);
    await engine.start();
    const seen: { line: SessionLine; parsedCopy: unknown; json: string | null }[] = [];
    engine.subscribe((line, json) => seen.push({ line, parsedCopy: JSON.parse(JSON.stringify(line)), json }));
    const events: SessionEvent[] = [
      ...exchange(1, '{"item":1,"é":"\\u0000 \\"quoted\\""}'),
      ...exchange(2, 'x', { trailers: [['x-t', '1']] } as Partial<RequestEvent>),
      ...exchange(3, 'y'.repeat(MEMORY_BODY_CAP + 10)),
    ];
    for (const e of events) engine.bus.emit(e);
    // Recording is batched (RECORD_BATCH_MS); reading the engine's status drains it.
    engine.status();
    const http = seen.filter((s) => s.line.type === 'request' || s.line.type === 'response');
    expect(http).toHaveLength(6);
    for (const s of http) {
      const cut = s.line.type === 'request' && s.line.id === 'r3';
      if (cut) {
        expect(s.json).toBeNull();
        expect((s.line as RequestEvent).body.truncated).toBe(true);
      } else {
        expect(s.json).not.toBeNull();
        expect(JSON.parse(s.json!)).toEqual(s.parsedCopy);
      }
    }
    // Lines other than request/response (the session header, TLS, errors) are handed on as they are.
    for (const s of seen.filter((x) => x.line.type !== 'request' && x.line.type !== 'response')) {
      if (s.json !== null) expect(JSON.parse(s.json)).toEqual(s.parsedCopy);
    }
  });
});
