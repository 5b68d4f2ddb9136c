// The HAR 1.2 checker used on every HAR the tests write finds what a broken export would
// get wrong (so an empty problem list means something).
import { describe, expect, it } from 'vitest';
import { harProblems } from '../helpers/har-validate.js';

const good = () => ({
  log: {
    version: '1.2', creator: { name: 'Pinprobe', version: '1' }, pages: [],
    entries: [{
      startedDateTime: '2026-12-02T01:00:00.000Z', time: 3,
      request: { method: 'GET', url: 'https://a.test/', httpVersion: 'HTTP/1.1', cookies: [], headers: [{ name: 'x', value: 'y' }], queryString: [], headersSize: -1, bodySize: 0 },
      response: { status: 101, statusText: 'Switching Protocols', httpVersion: 'HTTP/1.1', cookies: [], headers: [], content: { size: 0, mimeType: 'x-unknown' }, redirectURL: '', headersSize: -1, bodySize: 0 },
      cache: {}, timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 1, wait: 1, receive: 1 },
      _webSocketMessages: [{ type: 'send', time: 1764637200.123, opcode: 1, data: 'hi' }, { type: 'receive', time: 1764637200.2, opcode: 2, data: 'AAE=' }],
    }],
  },
});

describe('harProblems', () => {
  it('passes a valid HAR 1.2 log with WebSocket messages', () => {
    expect(harProblems(good())).toEqual([]);
  });

  it('names every missing or mistyped field with its path', () => {
    const o = (v: unknown) => v as Record<string, unknown>;
    const har = good();
    o(har.log)['version'] = '1.1';
    const e = o(har.log.entries[0]);
    const req = o(e['request']);
    const res = o(e['response']);
    const ws = e['_webSocketMessages'] as Array<Record<string, unknown>>;
    e['startedDateTime'] = 'yesterday';
    delete req['queryString'];
    req['headersSize'] = 'unknown';
    res['content'] = { size: 0 };
    delete res['redirectURL'];
    delete e['cache'];
    o(e['timings'])['wait'] = -5;
    e['time'] = 99;
    ws[0]!['time'] = 1764637200123;
    ws[1]!['opcode'] = 9;
    ws[1]!['type'] = 'sent';
    expect(harProblems(har)).toEqual([
      'log.version: expected "1.2", got "1.1"',
      'log.entries[0].startedDateTime: not an ISO 8601 date with time zone',
      'log.entries[0].request.queryString: expected an array',
      'log.entries[0].request.headersSize: expected a number, got "unknown"',
      'log.entries[0].response.content.mimeType: expected a string, got undefined',
      'log.entries[0].response.redirectURL: expected a string, got undefined',
      'log.entries[0].cache: expected an object, got undefined',
      'log.entries[0].timings.wait: -5 is below 0',
      'log.entries[0].time: 99 is not the sum of its timings (2)',
      'log.entries[0]._webSocketMessages[0].time: 1764637200123 looks like milliseconds; HAR uses seconds',
      'log.entries[0]._webSocketMessages[1].type: must be "send" or "receive"',
      'log.entries[0]._webSocketMessages[1].opcode: expected 1 (text) or 2 (binary)',
    ]);
  });
});
