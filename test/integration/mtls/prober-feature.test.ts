// The mTLS prober feature on its own (no engine, no proxy): fed the request and upstream
// lines the engine would put on the bus, it sends one attempt WITHOUT a certificate to a
// real loopback backend that answers 403 unless a client certificate comes, and records
// it as a probe line. Once per host:port per session, with the app's GET path.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineBus } from '../../../proxy/engine-bus.js';
import { MtlsProber } from '../../../proxy/features/mtls-prober.js';
import { UpstreamPool } from '../../../proxy/net/upstream.js';
import type { Exchange } from '../../../proxy/net/http-exchange.js';
import type { RequestEvent, SessionEvent, UpstreamEvent } from '../../../proxy/session/events.js';
import { EventBuilder } from '../../fixtures/events.js';
import { testPki } from '../../helpers/pki.js';

let server: https.Server;
let port: number;
const seen: Array<{ path: string | undefined; authorized: boolean }> = [];

beforeAll(async () => {
  const pki = testPki();
  server = https.createServer({ cert: pki.serverCert, key: pki.serverKey, ca: [pki.clientCaCert], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const authorized = (req.socket as TLSSocket).authorized;
    seen.push({ path: req.url, authorized });
    res.writeHead(authorized ? 200 : 403, { 'content-type': 'application/json' });
    res.end(authorized ? '{}' : JSON.stringify({ message: 'client certificate required' }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((ok) => {
  server.closeAllConnections();
  server.close(() => ok());
}));

/** Only what the prober asks of a pool: which hosts have a certificate, the route, the trust. */
/**
 * Only what the prober asks of a pool: which hosts have a certificate, the route, the trust,
 * and the real guard. `mapped`: whether a --map-remote rule sends the host to the loopback
 * backend (else the host itself resolves there, which a device on the network may not reach).
 */
function fakePool(certHosts: string[], mapped = true): UpstreamPool {
  const pool = {
    clientCertFor: (host: string) => (certHosts.includes(host.toLowerCase()) ? { subject: 'CN=device' } : null),
    route: (host: string) => ({ connectHost: '127.0.0.1', connectPort: port, servername: host, mapped }),
    tlsOptions: () => ({ ca: [testPki().caCert], rejectUnauthorized: true }),
    guard: UpstreamPool.prototype.guard,
  };
  return pool as unknown as UpstreamPool;
}

function setup(certHosts = ['api.app.test'], mapped = true): { prober: MtlsProber; events: SessionEvent[]; feed: (e: SessionEvent) => void } {
  const bus = new EngineBus();
  const prober = new MtlsProber(bus, () => fakePool(certHosts, mapped));
  const events: SessionEvent[] = [];
  bus.on((e) => events.push(e));
  bus.on((e) => prober.onEvent(e));
  // As the engine does: a request's head reaches the features (onRequest) before it is forwarded.
  const feed = (e: SessionEvent): void => {
    if (e.type === 'request') prober.onRequest(exchangeOf(e));
    bus.emit(e);
  };
  return { prober, events, feed };
}

/** What onRequest sees of a recorded request. */
function exchangeOf(r: RequestEvent): Exchange {
  const url = new URL(r.url);
  return { id: r.id, conn: { id: r.conn, scheme: r.scheme, host: r.host, port: r.port, clientAddress: r.clientAddress }, request: { method: r.method, path: url.pathname + url.search } } as unknown as Exchange;
}

/** The app's request and the upstream line of the connection opened for it (with our certificate when the host has one). */
function appExchange(b: EventBuilder, host: string, path: string, method = 'GET', withCert = true): SessionEvent[] {
  const request = b.request({ host, port: 443, path, method });
  const upstream: UpstreamEvent = {
    type: 'upstream', time: 't', id: `u-app-${request.id}`, request: request.id, host, port: 443, probe: false, clientCert: withCert ? { subject: 'CN=device' } : null,
    tlsVersion: 'TLSv1.3', outcome: 'answered', stage: 'http', alert: null, alertCode: null, httpStatus: 200, certComplaint: false, complaint: null, error: null,
  };
  return [request, upstream];
}

const probes = (events: SessionEvent[]) => events.filter((e): e is UpstreamEvent => e.type === 'upstream' && e.probe);

describe('MtlsProber', () => {
  it('probes a host with a configured certificate once, without a certificate, on the app\'s GET path', async () => {
    const { prober, events, feed } = setup();
    const b = new EventBuilder();
    seen.length = 0;
    for (const e of appExchange(b, 'api.app.test', '/v1/me?x=1')) feed(e);
    for (const e of appExchange(b, 'API.app.test', '/v1/other')) feed(e);
    await prober.drain(10_000);
    expect(seen).toEqual([{ path: '/v1/me?x=1', authorized: false }]);
    const [probe, ...more] = probes(events);
    expect(more).toEqual([]);
    expect(probe).toMatchObject({
      host: 'api.app.test', port: 443, probe: true, clientCert: null, outcome: 'answered', httpStatus: 403, certComplaint: true,
      complaint: 'client-certificate-required', request: events.find((e) => e.type === 'request')?.id,
    });
    expect(probe.id).toMatch(/^u\d+$/);
    expect(prober.pendingPaths).toBe(0);
  });

  it('probes "/" when the app\'s request was not a GET, and again after a new session (reset)', async () => {
    const { prober, events, feed } = setup();
    const b = new EventBuilder();
    seen.length = 0;
    for (const e of appExchange(b, 'api.app.test', '/v1/login', 'POST')) feed(e);
    await prober.drain(10_000);
    prober.reset();
    for (const e of appExchange(b, 'api.app.test', '/again')) feed(e);
    await prober.drain(10_000);
    expect(seen.map((s) => s.path)).toEqual(['/', '/again']);
    expect(probes(events)).toHaveLength(2);
  });

  it('leaves alone hosts without a certificate, plain http, its own probe lines and attempts that sent no certificate', async () => {
    const { prober, events, feed } = setup(['api.app.test']);
    const b = new EventBuilder();
    seen.length = 0;
    for (const e of appExchange(b, 'cdn.app.test', '/x', 'GET', false)) feed(e);
    const plain = b.request({ host: 'api.app.test', port: 80, path: '/p', scheme: 'http' });
    feed(plain);
    const [req, up] = appExchange(b, 'api.app.test', '/y') as [SessionEvent, UpstreamEvent];
    feed(req);
    feed({ ...up, clientCert: null });
    feed({ ...up, probe: true });
    await prober.drain(1000);
    expect(seen).toEqual([]);
    expect(probes(events)).toEqual([{ ...up, probe: true }]);
    // The https request's path waits for its host's first certificate attempt; the plain one is not kept.
    expect(prober.pendingPaths).toBe(1);
  });

  it("after a request from a device on the network, the probe is held to the upstream guard: no connection to this computer's loopback", async () => {
    // The host resolves to loopback with no --map-remote rule, and the app's request came from
    // 192.168.1.50 (EventBuilder's device): the app's own attempt would be EPINPROBELOCAL.
    const { prober, events, feed } = setup(['api.app.test'], false);
    const b = new EventBuilder();
    seen.length = 0;
    for (const e of appExchange(b, 'api.app.test', '/internal/admin')) feed(e);
    await prober.drain(10_000);
    expect(seen).toEqual([]);
    expect(probes(events)).toEqual([expect.objectContaining({ probe: true, outcome: 'error', stage: 'connect', error: expect.stringMatching(/^EPINPROBELOCAL/) })]);
  });

  it("knows whose request it follows from the request's head, even when the upstream line comes before the request line (an upload)", async () => {
    const { prober, events, feed } = setup(['api.app.test'], false);
    const b = new EventBuilder();
    seen.length = 0;
    const [request, upstream] = appExchange(b, 'api.app.test', '/v1/upload') as [RequestEvent, UpstreamEvent];
    // The tester's own tool on this computer; the head is seen before forwarding.
    prober.onRequest({ id: request.id, conn: { id: 'c1', scheme: 'https', host: 'api.app.test', port: 443, clientAddress: '127.0.0.1' }, request: { method: 'PUT', path: '/v1/upload' } } as unknown as Exchange);
    feed(upstream);
    await prober.drain(10_000);
    feed({ ...request, clientAddress: '127.0.0.1' });
    // A loopback client may reach a loopback backend: probed ("/" for a PUT), not refused as a device on the network.
    expect(seen).toEqual([{ path: '/', authorized: false }]);
    expect(probes(events)).toEqual([expect.objectContaining({ outcome: 'answered', httpStatus: 403 })]);
  });
});

