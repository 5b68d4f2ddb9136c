// A backend reached only by WebSocket (wss://) gets an mTLS verdict like any HTTPS backend:
// the upgrade's own backend connection is recorded as an upstream line, and with a
// configured client certificate the prober's attempt without one follows the upgrade (from
// the app's own address). Real `ws` clients and servers, Node TLS both sides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { WebSocket, WebSocketServer } from 'ws';
import { judge } from '../../../proxy/judge/index.js';
import type { UpstreamEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { tlsThroughProxy } from '../../helpers/h2.js';
import { testPki } from '../../helpers/pki.js';

const pki = testPki();
let open: https.Server;
let strict: https.Server;
let plainProxy: TestEngine;
let certProxy: TestEngine;

function wssOrigin(requireCert: boolean): Promise<https.Server> {
  const server = https.createServer({
    cert: pki.serverCert, key: pki.serverKey,
    ...(requireCert ? { requestCert: true, rejectUnauthorized: true, ca: pki.clientCaCert } : {}),
  });
  new WebSocketServer({ server }).on('connection', (ws) => ws.on('message', (m) => ws.send(`echo: ${String(m)}`)));
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}
const portOf = (s: https.Server) => (s.address() as AddressInfo).port;

/** One wss:// conversation through the proxy: the echo, or the error the client got. */
async function talk(proxy: TestEngine, host: string, port = 443): Promise<string> {
  const socket = await tlsThroughProxy(proxy.port, `${host}:${port}`, readFileSync(proxy.caPath, 'utf8'), ['http/1.1']);
  const ws = new WebSocket(`wss://${host}:${port}/live?x=1`, { createConnection: () => socket });
  return new Promise((ok) => {
    ws.once('open', () => ws.send('hi'));
    ws.once('message', (m) => {
      ok(String(m));
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => ok(`refused ${res.statusCode}`));
    ws.once('error', (err) => ok(`error ${err.message}`));
  });
}

const mtlsOf = (proxy: TestEngine, host: string) => judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === host)?.mtls;
const upstreams = (proxy: TestEngine, host: string) => proxy.engine.lines().filter((l): l is UpstreamEvent => l.type === 'upstream' && l.host === host);

beforeAll(async () => {
  [open, strict] = await Promise.all([wssOrigin(false), wssOrigin(true)]);
  const mapRemote = [
    { from: 'open-ws.app.test', to: `127.0.0.1:${portOf(open)}` },
    { from: 'strict-ws.app.test', to: `127.0.0.1:${portOf(strict)}` },
  ];
  plainProxy = await startEngine({ scenario: 'trusted', mapRemote });
  const cert = { cert: pki.clientCertPath, key: pki.clientKeyPath };
  certProxy = await startEngine({ scenario: 'trusted', mapRemote, clientCerts: [{ host: 'strict-ws.app.test', ...cert }, { host: 'localhost', ...cert }] });
});
afterAll(async () => {
  await Promise.all([plainProxy?.close(), certProxy?.close()]);
  open?.close();
  strict?.close();
});

describe('mTLS of WebSocket-only backends', () => {
  it('a backend that upgrades without a client certificate: not enforced, from the upgrade itself', async () => {
    expect(await talk(plainProxy, 'open-ws.app.test')).toBe('echo: hi');
    expect(upstreams(plainProxy, 'open-ws.app.test')).toEqual([expect.objectContaining({ probe: false, clientCert: null, outcome: 'answered', httpStatus: 101, tlsVersion: 'TLSv1.3', mappedTo: `127.0.0.1:${portOf(open)}` })]);
    expect(mtlsOf(plainProxy, 'open-ws.app.test')).toMatchObject({ verdict: 'not-enforced', evidence: 'http-101' });
  });

  it('a backend that demands one refuses the upgrade: enforced, and the app got a 502', async () => {
    expect(await talk(plainProxy, 'strict-ws.app.test')).toBe('refused 502');
    const [up] = upstreams(plainProxy, 'strict-ws.app.test');
    expect(up).toMatchObject({ probe: false, clientCert: null, outcome: 'tls-alert', alert: 'certificate_required' });
    expect(mtlsOf(plainProxy, 'strict-ws.app.test')?.verdict).toBe('enforced');
  });

  it('with --client-cert the upgrade succeeds with it and the probe without it is refused: enforced, certificate accepted', async () => {
    expect(await talk(certProxy, 'strict-ws.app.test')).toBe('echo: hi');
    await expect.poll(() => upstreams(certProxy, 'strict-ws.app.test').length, { timeout: 5000 }).toBe(2);
    const [app, probe] = upstreams(certProxy, 'strict-ws.app.test');
    expect(app).toMatchObject({ probe: false, clientCert: { subject: expect.any(String) }, outcome: 'answered', httpStatus: 101 });
    // Probed from the app's own (loopback) address: not refused as if from the network.
    expect(probe).toMatchObject({ probe: true, clientCert: null, outcome: 'tls-alert', alert: 'certificate_required', mappedTo: `127.0.0.1:${portOf(strict)}` });
    expect(mtlsOf(certProxy, 'strict-ws.app.test')).toMatchObject({ verdict: 'enforced', withCert: 'accepted' });
  });

  it('the probe after an upgrade goes from the app\'s own address: a loopback backend is probed for a loopback client', async () => {
    // No --map-remote here: had the probe not known whose upgrade it follows, the guard
    // would treat it as a device on the network and refuse it (EPINPROBELOCAL), and the
    // verdict would stay unknown.
    expect(await talk(certProxy, 'localhost', portOf(strict))).toBe('echo: hi');
    await expect.poll(() => upstreams(certProxy, 'localhost').length, { timeout: 5000 }).toBe(2);
    expect(upstreams(certProxy, 'localhost')[1]).toMatchObject({ probe: true, outcome: 'tls-alert', alert: 'certificate_required' });
    expect(upstreams(certProxy, 'localhost').some((u) => 'mappedTo' in u)).toBe(false);
    expect(mtlsOf(certProxy, 'localhost')?.verdict).toBe('enforced');
  });
});
