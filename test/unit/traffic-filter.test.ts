// The Traffic filter language (renderer/src/model/traffic-filter.ts, docs/ui.md): each key,
// negation, quoting, free text over URL, headers and bodies, and its speed on 100,000 rows.
import { describe, expect, it } from 'vitest';
import { filterRows, parseFilter } from '../../renderer/src/model/traffic-filter.js';
import { TrafficModel, type TrafficRow } from '../../renderer/src/model/traffic-rows.js';
import type { SessionEvent } from '../../proxy/session/events.js';
import { exchange, tlsConnection } from '../helpers/fake-engine.js';

function model(events: SessionEvent[]): TrafficModel {
  const m = new TrafficModel();
  events.forEach((e, i) => m.add(e, i));
  return m;
}

const base = Date.parse('2026-12-01T10:00:00Z');
const api = tlsConnection({ host: 'api.shop.example', scenario: 'trusted', result: 'accepted', base });
const cdn = tlsConnection({ host: 'cdn.shop.example', scenario: 'expired', result: 'rejected', alert: 'certificate_expired', base, at: 50 });
const m = model([
  ...api.events,
  ...exchange({ conn: api.id, host: 'api.shop.example', method: 'POST', path: '/v1/login', status: 200, requestBody: '{"user":"alice","password":"hunter2"}', responseBody: '{"token":"eyJhbGciOi"}', requestHeaders: [['Authorization', 'Bearer abc.def']], base, at: 10 }),
  ...exchange({ conn: api.id, host: 'api.shop.example', path: '/v1/missing', status: 404, base, at: 20 }),
  ...exchange({ conn: api.id, host: 'api.shop.example', path: '/v1/boom', status: 503, base, at: 30 }),
  ...cdn.events,
  ...exchange({ conn: 'c-plain', scheme: 'http', host: 'plain.example', path: '/tracker?id=7', status: 204, base, at: 60 }),
]);

const urls = (input: string) =>
  filterRows(m.rows, input).map((r: TrafficRow) => (r.kind === 'request' ? `${r.request.method} ${r.request.url}` : `CONNECT ${r.conn.target.host}`));

describe('parseFilter', () => {
  it('splits words, keeps quoted spaces, reads - and known keys; unknown keys stay text', () => {
    expect(parseFilter('host:API.example -status:2xx "two words" -"not this" url:x')).toEqual([
      { negate: false, key: 'host', value: 'api.example' },
      { negate: true, key: 'status', value: '2xx' },
      { negate: false, key: 'text', value: 'two words' },
      { negate: true, key: 'text', value: 'not this' },
      { negate: false, key: 'text', value: 'url:x' },
    ]);
    expect(parseFilter('   ')).toEqual([]);
  });
});

describe('filterRows', () => {
  it('free text matches URL, request and response headers and captured bodies', () => {
    expect(urls('hunter2')).toEqual(['POST https://api.shop.example/v1/login']);
    expect(urls('eyjhbgci')).toEqual(['POST https://api.shop.example/v1/login']);
    expect(urls('bearer abc')).toEqual(['POST https://api.shop.example/v1/login']);
    expect(urls('tracker?id=7')).toEqual(['GET http://plain.example/tracker?id=7']);
  });

  it('host: matches the name, a parent domain, host:port or a glob', () => {
    expect(urls('host:cdn.shop.example')).toEqual(['CONNECT cdn.shop.example']);
    expect(urls('host:shop.example is:request')).toHaveLength(3);
    expect(urls('host:*.shop.example is:connection')).toEqual(['CONNECT api.shop.example', 'CONNECT cdn.shop.example']);
    expect(urls('host:plain.example:80')).toEqual(['GET http://plain.example/tracker?id=7']);
    expect(urls('host:shop')).toEqual([]);
  });

  it('method:, status: (exact, class, comparison), scenario:, verdict:, has:, is:', () => {
    expect(urls('method:post')).toEqual(['POST https://api.shop.example/v1/login']);
    expect(urls('status:404')).toEqual(['GET https://api.shop.example/v1/missing']);
    expect(urls('status:5xx')).toEqual(['GET https://api.shop.example/v1/boom']);
    expect(urls('status:>=400')).toEqual(['GET https://api.shop.example/v1/missing', 'GET https://api.shop.example/v1/boom']);
    expect(urls('scenario:expired')).toEqual(['CONNECT cdn.shop.example']);
    expect(urls('scenario:cleartext')).toEqual(['GET http://plain.example/tracker?id=7']);
    expect(urls('verdict:rejected')).toEqual(['CONNECT cdn.shop.example']);
    expect(urls('has:alert')).toEqual(['CONNECT cdn.shop.example']);
    expect(urls('has:body')).toEqual(['POST https://api.shop.example/v1/login']);
    expect(urls('is:cleartext')).toEqual(['GET http://plain.example/tracker?id=7']);
  });

  it('- negates any word; words are ANDed', () => {
    expect(urls('is:request -host:plain.example -status:2xx')).toEqual(['GET https://api.shop.example/v1/missing', 'GET https://api.shop.example/v1/boom']);
    expect(urls('-is:request')).toEqual(['CONNECT api.shop.example', 'CONNECT cdn.shop.example']);
    expect(urls('v1 missing')).toEqual(['GET https://api.shop.example/v1/missing']);
  });

  it('filters 100,000 rows fast enough to run on every keystroke (measured, printed)', () => {
    const events: SessionEvent[] = [];
    for (let c = 0; c < 1000; c++) {
      const conn = tlsConnection({ host: `h${c % 50}.scale.example`, scenario: 'trusted', result: 'accepted', base, at: c });
      events.push(...conn.events);
      for (let r = 0; r < 99; r++) events.push(...exchange({ conn: conn.id, host: `h${c % 50}.scale.example`, path: `/item/${c}/${r}`, status: r % 10 === 0 ? 500 : 200, base, at: c + r, responseBody: `{"n":${r},"needle":"${c === 777 && r === 7 ? 'zebra' : 'x'}"}` }));
    }
    const big = model(events);
    expect(big.rows).toHaveLength(100_000);
    filterRows(big.rows, 'warm-up');
    const times: Record<string, number> = {};
    for (const q of ['zebra', 'host:h7.scale.example status:5xx', '-status:2xx is:request', 'has:body method:get item/777/7']) {
      const t0 = performance.now();
      const hits = filterRows(big.rows, q);
      times[q] = Math.round(performance.now() - t0);
      expect(hits.length).toBeGreaterThan(0);
    }
    expect(filterRows(big.rows, 'zebra')).toHaveLength(1);
    console.log(`traffic filter on 100,000 rows (ms): ${JSON.stringify(times)}`);
    // Generous for a shared 2-core machine; typical numbers are in docs/performance.md.
    for (const ms of Object.values(times)) expect(ms).toBeLessThan(1500);
  });
});

describe('filterRows over WebSocket messages and resent requests', () => {
  it('free text finds a WebSocket by a text message either way; is:resent finds resent requests', () => {
    const ws = new TrafficModel();
    const upgrade = exchange({ conn: api.id, host: 'api.shop.example', path: '/live', status: 101, base, at: 70 });
    const resent = exchange({ conn: 'resend', host: 'api.shop.example', path: '/v1/again', status: 200, base, at: 80 });
    const req = resent[0]!;
    if (req.type === 'request') req.resend = { of: 'r1', edited: [], removed: [], clientCert: null, withoutClientCert: false };
    const id = upgrade[0]!.type === 'request' ? upgrade[0]!.id : '';
    const msg = (direction: 'send' | 'receive', text: string, opcode = 1): SessionEvent => ({
      type: 'ws-message', time: new Date(base + 75).toISOString(), ws: 'w1', request: id, direction, opcode,
      body: { size: text.length, encoding: opcode === 1 ? 'utf8' : 'base64', data: opcode === 1 ? text : Buffer.from(text).toString('base64'), truncated: false },
    });
    [...upgrade, msg('send', 'subscribe prices'), msg('receive', 'TICK eur'), msg('receive', 'secretbinary', 2), ...resent].forEach((e, i) => ws.add(e, i));
    const found = (q: string) => filterRows(ws.rows, q).map((r) => (r.kind === 'request' ? r.request.url : ''));
    expect(found('tick')).toEqual(['https://api.shop.example/live']);
    expect(found('subscribe')).toEqual(['https://api.shop.example/live']);
    expect(found('secretbinary')).toEqual([]);
    expect(found('is:resent')).toEqual(['https://api.shop.example/v1/again']);
    expect(found('-is:resent method:get')).toEqual(['https://api.shop.example/live']);
  });
});
