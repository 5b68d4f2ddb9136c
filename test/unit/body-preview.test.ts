// Which preview a body gets, and the formatters behind them (renderer/src/model/body-preview.ts).
import { describe, expect, it } from 'vitest';
import type { BodyRecord } from '../../proxy/session/events.js';
import {
  choosePreview, durationWords, IMAGE_CAP, jwtExpiryWords, jwtsInBody, parseMultipart, parseUrlEncoded, sniffImage,
} from '../../renderer/src/model/body-preview.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e0d2b3a40000000049454e44ae426082', 'hex');
const utf8 = (data: string, truncated = false): BodyRecord => ({ size: Buffer.byteLength(data), encoding: 'utf8', data, truncated });
const b64 = (buf: Buffer, truncated = false, size = buf.length): BodyRecord => ({ size, encoding: 'base64', data: buf.toString('base64'), truncated });
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: Record<string, unknown>) => `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}.c2lnbmF0dXJl`;

describe('preview selection', () => {
  it('an image by Content-Type or by its bytes: a data: URL of the captured bytes', () => {
    const p = choosePreview(b64(PNG), 'image/png');
    expect(p).toEqual({ kind: 'image', mime: 'image/png', dataUrl: `data:image/png;base64,${PNG.toString('base64')}` });
    // Sent as octet-stream: the PNG signature still makes it an image.
    expect(choosePreview(b64(PNG), 'application/octet-stream')).toMatchObject({ kind: 'image', mime: 'image/png' });
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImage(Buffer.from('GIF89a'))).toBe('image/gif');
    expect(sniffImage(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    // SVG is text: encoded into the data: URL (an <img> never runs its scripts).
    const svg = choosePreview(utf8('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml');
    expect(svg).toMatchObject({ kind: 'image', mime: 'image/svg+xml' });
    expect(Buffer.from((svg as { dataUrl: string }).dataUrl.split(',')[1]!, 'base64').toString()).toBe('<svg xmlns="http://www.w3.org/2000/svg"/>');
  });

  it('a truncated image is still drawn from what was captured; one over the cap is not drawn', () => {
    expect(choosePreview(b64(PNG.subarray(0, 40), true, 5000), 'image/png')).toMatchObject({ kind: 'image' });
    const huge = Buffer.alloc(IMAGE_CAP + 1);
    PNG.copy(huge);
    expect(choosePreview(b64(huge), 'image/png')).toEqual({ kind: 'image-too-big', mime: 'image/png' });
  });

  it('JSON by type or shape; a truncated or invalid one is text', () => {
    expect(choosePreview(utf8('{"a":[1,2,{"b":null}]}'), 'application/json; charset=utf-8')).toEqual({ kind: 'json', value: { a: [1, 2, { b: null }] } });
    expect(choosePreview(utf8('[1]'), 'text/plain')).toEqual({ kind: 'json', value: [1] });
    expect(choosePreview(utf8('{"a":'), 'application/problem+json')).toEqual({ kind: 'text' });
    expect(choosePreview(utf8('{"a":1}', true), 'application/json')).toEqual({ kind: 'text' });
  });

  it('forms: urlencoded pairs decoded, multipart field names, file names and sizes', () => {
    expect(choosePreview(utf8('user=ann+lee&note=a%20b%26c&empty=&flag'), 'application/x-www-form-urlencoded')).toEqual({
      kind: 'form', fields: [['user', 'ann lee'], ['note', 'a b&c'], ['empty', ''], ['flag', '']],
    });
    expect(parseUrlEncoded('bad=%E0%A4%A')).toEqual([['bad', '%E0%A4%A']]);
    const boundary = '----x1';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nHéllo\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="cat.png"\r\nContent-Type: image/png\r\n\r\n`),
      PNG,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const p = choosePreview(b64(body), `multipart/form-data; boundary=${boundary}`);
    expect(p).toEqual({
      kind: 'multipart',
      parts: [
        { name: 'title', filename: null, type: null, size: 6, value: 'Héllo' },
        { name: 'photo', filename: 'cat.png', type: 'image/png', size: PNG.length, value: null },
      ],
    });
    expect(parseMultipart(Buffer.from('--b\r\nContent-Disposition: form-data; name="q"\r\n\r\n1\r\n--b--'), 'b')).toHaveLength(1);
  });

  it('hex only when nothing else fits: binary that is no image; text stays text', () => {
    expect(choosePreview(b64(Buffer.from([0, 1, 2, 0xff])), 'application/octet-stream')).toEqual({ kind: 'hex' });
    expect(choosePreview(b64(Buffer.from([0, 1, 2, 0xff])), 'image/png')).toEqual({ kind: 'hex' });
    expect(choosePreview(utf8('hello'), 'text/plain')).toEqual({ kind: 'text' });
    expect(choosePreview(utf8('<html></html>'), 'text/html')).toEqual({ kind: 'text' });
  });
});

describe('JWTs in bodies and their expiry in words', () => {
  it('finds each token once in a JSON answer; not in binary bodies', () => {
    const token = jwt({ sub: 'u1', exp: 1_800_003_600, iat: 1_800_000_000 });
    const found = jwtsInBody(utf8(JSON.stringify({ access_token: token, again: token, refresh: 'eyJnot.a.jwt' })));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ where: 'body', claims: { sub: 'u1' }, header: { alg: 'HS256' } });
    expect(jwtsInBody(b64(Buffer.from(token)))).toEqual([]);
  });

  it('says when it expires relative to when it was sent, and for how long it was issued', () => {
    const seen = 1_800_000_000_000;
    expect(jwtExpiryWords({ exp: 1_800_003_600, iat: 1_800_000_000 }, seen)).toBe('expires 1 hour after it was sent (exp 2027-01-15T09:00:00.000Z); issued for 1 hour');
    expect(jwtExpiryWords({ exp: 1_800_000_000 - 3 * 86400 }, seen)).toBe('had expired 3 days before it was sent (exp 2027-01-12T08:00:00.000Z)');
    expect(jwtExpiryWords({ sub: 'x' }, seen)).toBe('no expiry (no exp claim): valid until the key changes');
    expect([durationWords(1), durationWords(59), durationWords(120), durationWords(7200), durationWords(86400 * 400)]).toEqual(['1 second', '59 seconds', '2 minutes', '2 hours', '1 year']);
  });
});
