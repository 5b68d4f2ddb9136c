// Eviction and the in-memory body cap really free memory: 20,000 requests whose 128 KiB
// answers are unique strings (as JSON.parse or a body capture makes them). Before the fix,
// slim()'s .slice() kept each whole body string alive behind its 64 KiB cut, so the 1000
// full responses in memory held 128 MiB instead of 64 MiB. The bound is generous; a leak of
// the bodies (or of the cut-off parts) overshoots it several times.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MEMORY_BODY_CAP, MEMORY_HTTP_LINES, SessionMemory } from '../../proxy/session/memory.js';
import type { RequestEvent, ResponseEvent } from '../../proxy/session/events.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMiB = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const BODY = 128 * 1024;
const filler = 'x'.repeat(BODY);

function exchange(n: number): [RequestEvent, ResponseEvent] {
  const id = `r${n}`;
  const time = new Date(1_700_000_000_000 + n).toISOString();
  // A unique, flat string per answer, like one parsed from a session line.
  const data = (`${n}:` + filler).slice(0, BODY);
  return [
    {
      type: 'request', time, id, conn: `c${n}`, scheme: 'https', method: 'GET', url: `https://api.app.test/item/${n}`, host: 'api.app.test',
      port: 443, httpVersion: '1.1', headers: [['accept', '*/*']], body: { size: 0, encoding: 'utf8', data: '', truncated: false }, clientAddress: '127.0.0.1',
    },
    {
      type: 'response', time, id, status: 200, statusText: 'OK', httpVersion: '1.1', headers: [['content-type', 'text/plain']],
      body: { size: BODY, encoding: 'utf8', data, truncated: false }, timings: { sendMs: 0, waitMs: 1, receiveMs: 1 },
    },
  ];
}

describe('in-memory session: large bodies are really freed', () => {
  it('20,000 requests with 128 KiB answers stay within the kept lines × the 64 KiB memory cap (+ a generous margin)', () => {
    const memory = new SessionMemory();
    const before = heapMiB();
    let offset = 0;
    for (let n = 1; n <= 20_000; n++) {
      for (const line of exchange(n)) {
        memory.store(line, { offset, length: 100 });
        offset += 101;
      }
    }
    const grown = heapMiB() - before;
    // Kept full: MEMORY_HTTP_LINES lines, half of them responses with a 64 KiB body (stored
    // as one-byte strings: 64 KiB each) = 62.5 MiB; plus the light copies of 19,000 requests.
    const bodies = ((MEMORY_HTTP_LINES / 2) * MEMORY_BODY_CAP) / 2 ** 20;
    expect(grown).toBeLessThan(bodies + 60);
    // And the bodies that are kept are really cut to the cap.
    const last = memory.lines.at(-1) as ResponseEvent;
    expect(last.body.data.length).toBe(MEMORY_BODY_CAP);
    expect(last.body.data.startsWith('20000:x')).toBe(true);
    expect(last.body.truncated).toBe(true);
  }, 180_000);
});
