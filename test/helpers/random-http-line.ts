// Request/response lines of every shape a session may hold (for the in-memory session's
// property tests): usual ones, times and ids a compact row cannot hold, unknown fields,
// timings that are not three integers, closed-early answers, big bodies.
import type { RequestEvent, ResponseEvent } from '../../proxy/session/events.js';
import type { Prng } from './prng.js';

export function randomHttpLine(r: Prng, n: number): RequestEvent | ResponseEvent {
  const base = 1_796_000_000_000 + n * r.int(0, 50);
  const time = r.chance(0.05) ? '2026-12-02T01:00:00Z' : r.chance(0.02) ? new Date(base - 1e9).toISOString() : new Date(base).toISOString();
  const id = r.pick([`r${n}`, `k${n}`, `r0${n}`, `x-${n}`, `r${n}`, `r${n}`]);
  const body = { size: r.pick([0, 17, 1024, 2 ** 33]), encoding: r.pick(['utf8', 'base64'] as const), data: r.pick(['', 'abc', 'x'.repeat(70_000)]), truncated: r.chance(0.5) };
  if (r.chance(0.5)) {
    const line: RequestEvent = {
      type: 'request', time, id, conn: r.pick(['c1', 'c2', 'check-auth']), scheme: r.pick(['http', 'https'] as const), method: r.pick(['GET', 'POST']),
      url: `https://h${r.int(1, 3)}.test/p/${n}?q=${r.int(0, 9)}`, host: r.pick(['h1.test', 'H2.test']), port: r.pick([443, 8443, 80]),
      httpVersion: r.pick(['1.1', '2.0']), headers: [['a', 'b']], body, clientAddress: r.pick(['127.0.0.1', '::1']),
    };
    if (r.chance(0.05)) line.check = { kind: 'auth', of: 'r1', removed: ['authorization'] };
    if (r.chance(0.05)) (line as unknown as Record<string, unknown>)['newerField'] = { x: 1 };
    return line;
  }
  const line: ResponseEvent = {
    type: 'response', time, id, status: r.pick([200, 404, 502, 0]), statusText: r.pick(['OK', 'Not Found', '']), httpVersion: r.pick(['1.1', '2.0']),
    headers: [['content-type', 'text/plain']], body,
    timings: r.chance(0.05) ? ({ sendMs: 1.5, waitMs: 2, receiveMs: 3 }) : { sendMs: r.int(0, 5), waitMs: r.int(0, 900), receiveMs: r.int(0, 40) },
  };
  if (r.chance(0.3)) line.synthetic = r.chance(0.5);
  if (r.chance(0.2)) line.clientClosedEarly = true;
  return line;
}
