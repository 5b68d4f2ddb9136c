// The HTTP exchange without sockets: driven call by call as a forwarder (HTTP/1.1 or an
// HTTP/2 stream) would, asserting the lines it puts on the bus, their order, and when the
// request/response hooks run.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineBus } from '../../proxy/engine-bus.js';
import { HttpExchange, type ConnInfo, type Exchange } from '../../proxy/net/http-exchange.js';
import type { RequestEvent, ResponseEvent, SessionEvent, UpstreamEvent } from '../../proxy/session/events.js';

const conn: ConnInfo = { id: 'c7', scheme: 'https', host: 'api.example', port: 443, clientAddress: '192.168.1.50' };

function setup(): { bus: EngineBus; events: SessionEvent[] } {
  const bus = new EngineBus();
  const events: SessionEvent[] = [];
  bus.on((e) => events.push(e));
  return { bus, events };
}

const head = { method: 'POST', path: '/v1/login?x=1', httpVersion: '1.1', headers: [['Host', 'api.example'], ['Content-Type', 'text/plain']] as [string, string][] };
const tick = () => new Promise((ok) => setImmediate(ok));

afterEach(() => vi.restoreAllMocks());

describe('HttpExchange', () => {
  it('records the request line when the body ends, with the captured body and the absolute URL', () => {
    const { bus, events } = setup();
    const ex = new HttpExchange(bus, conn, head, 4);
    expect(ex.id).toBe('r1');
    ex.requestBody.add(Buffer.from('hello'));
    expect(events).toEqual([]);
    ex.requestEnded();
    ex.requestEnded();
    expect(events).toHaveLength(1);
    const r = events[0] as RequestEvent;
    expect(r).toMatchObject({
      type: 'request', id: 'r1', conn: 'c7', scheme: 'https', method: 'POST', url: 'https://api.example/v1/login?x=1',
      host: 'api.example', port: 443, httpVersion: '1.1', clientAddress: '192.168.1.50',
      body: { size: 5, encoding: 'utf8', data: 'hell', truncated: true },
    });
    expect(r.headers).toEqual(head.headers);
  });

  it('writes a non-default port and an IPv6 host into the URL', () => {
    const { bus } = setup();
    expect(new HttpExchange(bus, { ...conn, host: '::1', port: 8443 }, head, 10).request.url).toBe('https://[::1]:8443/v1/login?x=1');
    expect(new HttpExchange(bus, { ...conn, scheme: 'http', port: 80 }, head, 10).request.url).toBe('http://api.example/v1/login?x=1');
  });

  it('puts the response line after the request line even when the answer ends first, then runs the response hooks', async () => {
    const { bus, events } = setup();
    const seen: Array<[string, number | undefined, number]> = [];
    bus.hooks.response.push((ex) => seen.push([ex.id, ex.response?.status, events.length]));
    const ex = new HttpExchange(bus, conn, head, 100);
    ex.responseStarted({ status: 201, statusText: 'Created', httpVersion: '1.1', headers: [['X-A', '1']] });
    ex.responseBody.add(Buffer.from('ok'));
    ex.clientClosedEarly = true;
    ex.responseEnded();
    ex.responseEnded();
    await tick();
    expect(events).toEqual([]);
    ex.requestEnded();
    await tick();
    expect(events.map((e) => e.type)).toEqual(['request', 'response']);
    const res = events[1] as ResponseEvent;
    expect(res).toMatchObject({ id: 'r1', status: 201, statusText: 'Created', headers: [['X-A', '1']], clientClosedEarly: true, body: { data: 'ok' } });
    expect(res.synthetic).toBeUndefined();
    expect(res.timings.sendMs).toBe(0);
    expect(seen).toEqual([['r1', 201, 2]]);
  });

  it('records Pinprobe\'s own answer as a synthetic response, once', async () => {
    const { bus, events } = setup();
    const ex = new HttpExchange(bus, conn, head, 100);
    ex.requestEnded();
    ex.answeredBy(502, 'Bad Gateway', 'Pinprobe: no answer\n');
    ex.answeredBy(502, 'Bad Gateway', 'again\n');
    await tick();
    expect(events.map((e) => e.type)).toEqual(['request', 'response']);
    expect(events[1]).toMatchObject({
      status: 502, statusText: 'Bad Gateway', synthetic: true, headers: [['content-type', 'text/plain; charset=utf-8']],
      body: { size: 20, encoding: 'utf8', data: 'Pinprobe: no answer\n', truncated: false },
    });
    expect(events[1]).not.toHaveProperty('clientClosedEarly');
    expect(ex.response?.synthetic).toBe(true);
  });

  it('records one upstream line naming the request, whatever the retries report', () => {
    const { bus, events } = setup();
    const ex = new HttpExchange(bus, conn, head, 100);
    const fields = { outcome: 'answered', stage: 'http', alert: null, alertCode: null, httpStatus: 200, certComplaint: false, complaint: null, error: null } as const;
    ex.recordUpstream(fields, { tlsVersion: 'TLSv1.3', clientCert: { subject: 'CN=app' } });
    ex.recordUpstream({ ...fields, httpStatus: 500 }, { tlsVersion: null, clientCert: null });
    expect(events).toHaveLength(1);
    expect(events[0] as UpstreamEvent).toMatchObject({
      type: 'upstream', id: 'u1', request: 'r1', host: 'api.example', port: 443, probe: false, tlsVersion: 'TLSv1.3', clientCert: { subject: 'CN=app' }, httpStatus: 200,
    });
  });

  it('can be driven by an HTTP/2 stream: version 2, pseudo-headers apart and recorded first, trailers kept', async () => {
    const { bus, events } = setup();
    const ex = new HttpExchange(bus, conn, {
      method: 'GET', path: '/feed', httpVersion: '2', headers: [['accept', '*/*']],
      pseudoHeaders: [[':method', 'GET'], [':scheme', 'https'], [':authority', 'api.example'], [':path', '/feed']],
    }, 100);
    ex.request.trailers = [['grpc-status', '0']];
    ex.requestEnded();
    ex.responseStarted({ status: 200, statusText: '', httpVersion: '2', headers: [[':status', '200']] });
    ex.response!.trailers = [['grpc-status', '0']];
    ex.responseEnded();
    await tick();
    expect(ex.request.pseudoHeaders?.[2]).toEqual([':authority', 'api.example']);
    // What is forwarded and edited by hooks stays apart; the line keeps what the client sent, pseudo-headers first.
    expect(ex.request.headers).toEqual([['accept', '*/*']]);
    expect(events[0]).toMatchObject({
      httpVersion: '2', url: 'https://api.example/feed', trailers: [['grpc-status', '0']],
      headers: [[':method', 'GET'], [':scheme', 'https'], [':authority', 'api.example'], [':path', '/feed'], ['accept', '*/*']],
    });
    expect(events[1]).toMatchObject({ httpVersion: '2', status: 200, headers: [[':status', '200']], trailers: [['grpc-status', '0']] });
  });

  it('records the SPEC key order, with and without trailers and an early close (the session file bytes)', async () => {
    for (const trailers of [false, true]) {
      for (const early of [false, true]) {
        const { bus, events } = setup();
        const ex = new HttpExchange(bus, conn, head, 100);
        if (trailers) ex.request.trailers = [['x-t', '1']];
        ex.requestEnded();
        ex.responseStarted({ status: 200, statusText: 'OK', httpVersion: '1.1', headers: [] });
        if (trailers) ex.response!.trailers = [['x-t', '2']];
        ex.clientClosedEarly = early;
        ex.responseEnded();
        await tick();
        const [q, s] = events;
        expect(Object.keys(q!)).toEqual(['type', 'time', 'id', 'conn', 'scheme', 'method', 'url', 'host', 'port', 'httpVersion', 'headers', 'body',
          ...(trailers ? ['trailers'] : []), 'clientAddress']);
        expect(Object.keys(s!)).toEqual(['type', 'time', 'id', 'status', 'statusText', 'httpVersion', 'headers', 'body',
          ...(trailers ? ['trailers'] : []), ...(early ? ['clientClosedEarly'] : []), 'timings']);
      }
    }
  });
});

describe('request/response hooks on the bus', () => {
  it('asks request hooks in order; a hook edits the headers that are recorded', () => {
    const { bus, events } = setup();
    const order: string[] = [];
    bus.hooks.request.push(
      (ex) => (order.push('a'), ex.request.headers.push(['X-Probe', ex.id])),
      (ex) => (order.push('b'), (ex.request.headers = ex.request.headers.filter(([k]) => k.toLowerCase() !== 'content-type'))),
    );
    const ex = new HttpExchange(bus, conn, { ...head, headers: [...head.headers] }, 100);
    bus.runRequestHooks(ex);
    ex.requestEnded();
    expect(order).toEqual(['a', 'b']);
    expect((events[0] as RequestEvent).headers).toEqual([['Host', 'api.example'], ['X-Probe', 'r1']]);
  });

  it('keeps going when a hook throws, with a warning naming the exchange', () => {
    const { bus } = setup();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const later: Exchange[] = [];
    bus.hooks.request.push(() => {
      throw new Error('boom');
    }, (ex) => later.push(ex));
    const ex = new HttpExchange(bus, conn, head, 100);
    bus.runRequestHooks(ex);
    expect(later).toEqual([ex]);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/failed on request r1: boom/);
  });
});
