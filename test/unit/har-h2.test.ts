// HAR export of HTTP/2 exchanges: version "HTTP/2.0" (as browsers export it), pseudo-headers
// kept among the headers, trailers (gRPC's grpc-status) in `_trailers`.
import { describe, expect, it } from 'vitest';
import { toHar, type Har } from '../../proxy/session/har.js';
import { EventBuilder, body } from '../fixtures/events.js';

describe('HAR export of HTTP/2', () => {
  it('writes HTTP/2.0, keeps pseudo-headers and the trailers', () => {
    const b = new EventBuilder();
    const req = b.request({
      host: 'api.example.com', path: '/pkg.Svc/Call', method: 'POST',
      headers: [[':method', 'POST'], [':path', '/pkg.Svc/Call'], [':scheme', 'https'], [':authority', 'api.example.com'], ['content-type', 'application/grpc']],
    });
    req.httpVersion = '2';
    const res = b.response(req, { headers: [[':status', '200'], ['content-type', 'application/grpc']], body: body('') });
    res.httpVersion = '2';
    res.trailers = [['grpc-status', '0'], ['grpc-message', '']];
    const translated = b.request({ host: 'old.example.com' });
    translated.httpVersion = '2';
    b.response(translated);
    const har = JSON.parse(JSON.stringify(toHar(b.lines, { creatorVersion: '1' }))) as Har;
    const [h2, mixed] = har.log.entries;
    expect(h2?.request.httpVersion).toBe('HTTP/2.0');
    expect(h2?.response.httpVersion).toBe('HTTP/2.0');
    expect(h2?.request.headers.slice(0, 2)).toEqual([{ name: ':method', value: 'POST' }, { name: ':path', value: '/pkg.Svc/Call' }]);
    expect(h2?.response._trailers).toEqual([{ name: 'grpc-status', value: '0' }, { name: 'grpc-message', value: '' }]);
    // An h2 client answered by an HTTP/1.1 backend: each side keeps its own version.
    expect(mixed?.request.httpVersion).toBe('HTTP/2.0');
    expect(mixed?.response.httpVersion).toBe('HTTP/1.1');
    expect(mixed?.response._trailers).toBeUndefined();
  });
});
