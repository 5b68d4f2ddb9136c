import { describe, expect, it } from 'vitest';
import { toHar } from '../../proxy/session/har.js';
import type { Har } from '../../proxy/session/har.js';
import { EventBuilder, binaryBody, body } from '../fixtures/events.js';
import { harProblems } from '../helpers/har-validate.js';

/** Every export here must also meet HAR 1.2's required fields and types. */
function roundTrip(b: EventBuilder): Har {
  const har = JSON.parse(JSON.stringify(toHar(b.lines, { creatorVersion: '9.9.9' }))) as Har;
  expect(harProblems(har)).toEqual([]);
  return har;
}

describe('HAR export', () => {
  it('writes a HAR 1.2 log with creator, pages and one entry per request/response pair', () => {
    const b = new EventBuilder();
    const req = b.request({
      host: 'api.example.com', path: '/v1/items?page=2&q=a%20b', method: 'GET',
      headers: [['Host', 'api.example.com'], ['Cookie', 'sid=abc; theme=dark']],
    });
    b.response(req, {
      status: 302, statusText: 'Found',
      headers: [['Content-Type', 'application/json'], ['Location', '/v1/next'], ['Set-Cookie', 'sid=def; Path=/; HttpOnly; Secure']],
      body: body('{"ok":true}'),
    });
    const har = roundTrip(b);
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator).toEqual({ name: 'Pinprobe', version: '9.9.9' });
    expect(har.log.pages).toEqual([]);
    expect(har.log.entries).toHaveLength(1);
    const [entry] = har.log.entries;
    expect(entry?.startedDateTime).toBe(req.time);
    expect(entry?.time).toBe(8);
    expect(entry?.timings).toMatchObject({ send: 1, wait: 5, receive: 2 });
    expect(entry?.cache).toEqual({});
    expect(entry?.request).toMatchObject({
      method: 'GET', url: 'https://api.example.com/v1/items?page=2&q=a%20b', httpVersion: 'HTTP/1.1', headersSize: -1, bodySize: 0,
      queryString: [{ name: 'page', value: '2' }, { name: 'q', value: 'a b' }],
      cookies: [{ name: 'sid', value: 'abc' }, { name: 'theme', value: 'dark' }],
    });
    expect(entry?.request.headers).toContainEqual({ name: 'Host', value: 'api.example.com' });
    expect(entry?.request.postData).toBeUndefined();
    expect(entry?.response).toMatchObject({
      status: 302, statusText: 'Found', httpVersion: 'HTTP/1.1', redirectURL: '/v1/next',
      content: { size: 11, mimeType: 'application/json', text: '{"ok":true}' },
      cookies: [{ name: 'sid', value: 'def', path: '/', httpOnly: true, secure: true }],
    });
    expect(entry?.response.content.encoding).toBeUndefined();
  });

  it('keeps text request bodies as text and form params parsed', () => {
    const b = new EventBuilder();
    const req = b.request({
      host: 'api.example.com', method: 'POST', headers: [['content-type', 'application/x-www-form-urlencoded']],
      body: body('user=a%40b.c&pw=x+y'),
    });
    b.response(req);
    const post = roundTrip(b).log.entries[0]?.request.postData;
    expect(post).toEqual({
      mimeType: 'application/x-www-form-urlencoded', text: 'user=a%40b.c&pw=x+y',
      params: [{ name: 'user', value: 'a@b.c' }, { name: 'pw', value: 'x y' }],
    });
  });

  it('keeps binary bodies as base64, flagged as such', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
    const b = new EventBuilder();
    const req = b.request({ host: 'api.example.com', method: 'PUT', headers: [['content-type', 'application/octet-stream']], body: binaryBody(bytes) });
    b.response(req, { headers: [['content-type', 'image/png']], body: binaryBody(bytes) });
    const entry = roundTrip(b).log.entries[0];
    expect(entry?.request.postData?.text).toBe(bytes.toString('base64'));
    expect(entry?.request.postData?.comment).toMatch(/base64/);
    expect(entry?.response.content).toEqual({ size: 6, mimeType: 'image/png', text: bytes.toString('base64'), encoding: 'base64' });
    expect(Buffer.from(entry?.response.content.text ?? '', 'base64')).toEqual(bytes);
  });

  it('notes truncated bodies with their true size', () => {
    const b = new EventBuilder();
    const req = b.request({ host: 'api.example.com' });
    b.response(req, { body: { size: 5_000_000, encoding: 'utf8', data: 'abc', truncated: true } });
    const content = roundTrip(b).log.entries[0]?.response.content;
    expect(content?.size).toBe(5_000_000);
    expect(content?.comment).toContain('3 of 5000000 bytes');
  });

  it('gives a request without a response a status 0 entry', () => {
    const b = new EventBuilder();
    b.request({ host: 'slow.example.com' });
    const entry = roundTrip(b).log.entries[0];
    expect(entry?.response.status).toBe(0);
    expect(entry?.response.content).toEqual({ size: 0, mimeType: 'x-unknown' });
    expect(entry?.time).toBe(0);
  });

  it('sets serverIPAddress when the host is an address, and marks synthetic answers', () => {
    const b = new EventBuilder();
    const req = b.request({ host: '203.0.113.5', scheme: 'http' });
    b.response(req, { status: 502, statusText: 'Bad Gateway', synthetic: true });
    const named = b.request({ host: 'api.example.com' });
    b.response(named);
    const har = roundTrip(b);
    expect(har.log.entries[0]?.serverIPAddress).toBe('203.0.113.5');
    expect(har.log.entries[0]?.response.comment).toMatch(/Pinprobe/);
    expect(har.log.entries[1]?.serverIPAddress).toBeUndefined();
  });

  it('ignores non-HTTP events and keeps entries in time order', () => {
    const b = new EventBuilder();
    b.tls({ host: 'a.test', scenario: 'trusted', result: 'accepted' });
    const first = b.request({ host: 'a.test', path: '/1' });
    const second = b.request({ host: 'a.test', path: '/2' });
    b.response(second);
    b.response(first);
    b.end();
    const urls = roundTrip(b).log.entries.map((e) => e.request.url);
    expect(urls).toEqual(['https://a.test/1', 'https://a.test/2']);
  });
});
