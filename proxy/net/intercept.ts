// Terminates the client's TLS on one CONNECT tunnel with the certificate of the scenario
// assigned to it, records exactly one client outcome, then hands the decrypted stream to
// the HTTP forwarder (or relays it raw over TLS when it is not HTTP).
import type http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { pipeline } from 'node:stream';
import type { CertificateIssuer } from '../ca/issuer.js';
import type { EngineBus } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import { ClientOutcomeTracker, type IdleWindowRule } from '../observe/client-outcome.js';
import type { Scenario } from '../session/events.js';
import type { ConnInfo } from './http-forward.js';
import type { UpstreamPool } from './upstream.js';

export interface InterceptDeps {
  bus: EngineBus;
  pool: UpstreamPool;
  issuer: CertificateIssuer;
  /** never listens: intercepted sockets are emitted into it */
  innerHttp: http.Server;
  connInfo: WeakMap<net.Socket, ConnInfo>;
  idleWindow: IdleWindowRule;
  requestClientCert: boolean;
}

export interface InterceptTarget {
  connId: string;
  /** the name the leaf is issued for: SNI, else the CONNECT host */
  certHost: string;
  port: number;
  sni: string | null;
  clientAddress: string;
  scenario: Scenario;
  connectAt: number;
}

const HTTP_METHOD = /^[A-Z]{3,10} /;

export async function intercept(deps: InterceptDeps, socket: net.Socket, hello: Buffer, target: InterceptTarget): Promise<void> {
  const { bus } = deps;
  let tlsSocket: tls.TLSSocket | null = null;
  const tracker = new ClientOutcomeTracker(target.connectAt, deps.idleWindow, (outcome) => {
    const peer = deps.requestClientCert && tlsSocket && tracker.handshakeDone ? tlsSocket.getPeerCertificate() : null;
    bus.emit({
      type: 'client-tls', time: now(), id: target.connId, host: target.certHost, port: target.port, sni: target.sni,
      clientAddress: target.clientAddress, scenario: target.scenario, ...outcome,
      tlsVersion: tlsSocket?.getProtocol() ?? null,
      alpn: tlsSocket && typeof tlsSocket.alpnProtocol === 'string' ? tlsSocket.alpnProtocol : null,
      ...(deps.requestClientCert
        ? { clientCert: { offered: Boolean(peer && peer.subject), subject: peer && peer.subject ? formatSubject(peer.subject) : null } }
        : {}),
    });
  });

  let secureContext: tls.SecureContext;
  try {
    secureContext = await deps.issuer.secureContext(target.certHost, target.scenario);
  } catch (err) {
    tracker.proxyFailed(`could not issue the ${target.scenario} certificate for ${target.certHost}: ${(err as Error).message}`);
    socket.destroy();
    return;
  }
  if (socket.destroyed) {
    tracker.closed();
    return;
  }

  socket.unshift(hello);
  const t = new tls.TLSSocket(socket, {
    isServer: true,
    secureContext,
    // Pinprobe forwards HTTP/1.1 only; offering h2 would make clients speak a protocol we relay blind.
    ALPNProtocols: ['http/1.1'],
    requestCert: deps.requestClientCert,
    rejectUnauthorized: false,
  });
  tlsSocket = t;
  t.on('secure', () => {
    tracker.handshake();
    t.once('data', (chunk: Buffer) => {
      tracker.firstData();
      t.pause();
      t.unshift(chunk);
      if (HTTP_METHOD.test(chunk.subarray(0, 12).toString('latin1'))) {
        deps.connInfo.set(t, { id: target.connId, scheme: 'https', host: target.certHost, port: target.port, clientAddress: target.clientAddress });
        deps.innerHttp.emit('connection', t);
        t.resume();
      } else {
        relayTls(deps, t, target);
      }
    });
  });
  // The proxy listener allows half-open sockets (HTTP needs that); a client's FIN or
  // close_notify still ends the whole intercepted connection.
  t.on('end', () => {
    tracker.closed();
    t.end();
  });
  t.on('error', (err) => tracker.error(err));
  socket.on('error', (err) => tracker.error(err));
  t.once('close', () => {
    tracker.closed();
    socket.destroy();
    bus.emit({ type: 'close', time: now(), id: target.connId, bytesFromClient: socket.bytesRead, bytesToClient: socket.bytesWritten });
  });
}

/** A non-HTTP protocol inside TLS (MQTT, raw sockets): relay it to the backend's TLS blind. */
function relayTls(deps: InterceptDeps, client: tls.TLSSocket, target: InterceptTarget): void {
  const route = deps.pool.route(target.certHost, target.port);
  const upstream = tls.connect({
    host: route.connectHost,
    port: route.connectPort,
    servername: net.isIP(route.servername) ? undefined : route.servername,
    ...deps.pool.tlsOptions(),
    ...(deps.pool.clientCertFor(target.certHost, target.port)?.tlsOptions ?? {}),
    checkServerIdentity: (_h, cert) => tls.checkServerIdentity(route.servername, cert),
  });
  upstream.once('secureConnect', () => {
    pipeline(client, upstream, () => upstream.destroy());
    pipeline(upstream, client, () => client.destroy());
    client.resume();
  });
  upstream.once('error', (err) => {
    deps.bus.emit({ type: 'error', time: now(), id: target.connId, message: `TLS relay to ${target.certHost}:${target.port} failed: ${err.message}` });
    client.destroy();
  });
}

function formatSubject(subject: tls.Certificate): string {
  return Object.entries(subject)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}
