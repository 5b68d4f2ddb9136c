// Terminates the client's TLS on one CONNECT tunnel with the certificate of the scenario
// assigned to it, records exactly one client outcome, then hands the decrypted stream to
// the HTTP forwarder (or relays it raw over TLS when it is not HTTP).
import type http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { CertificateIssuer } from '../ca/issuer.js';
import type { EngineBus } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import { ClientOutcomeTracker, type IdleWindowRule } from '../observe/client-outcome.js';
import type { Scenario } from '../session/events.js';
import type { ConnLimits } from './conn-limits.js';
import type { ConnInfo } from './http-exchange.js';
import { relay } from './relay.js';
import { STREAM_HIGH_WATER_MARK } from './stream-buffers.js';
import type { UpstreamPool } from './upstream.js';
import type { H2Front } from './h2-server.js';
import type { TlsFingerprint } from './tls-fingerprint.js';

export interface InterceptDeps {
  bus: EngineBus;
  pool: UpstreamPool;
  issuer: CertificateIssuer;
  /** never listens: intercepted sockets are emitted into it */
  innerHttp: http.Server;
  /** takes intercepted sockets whose client chose HTTP/2 */
  h2: H2Front;
  connInfo: WeakMap<net.Socket, ConnInfo>;
  idleWindow: IdleWindowRule;
  requestClientCert: boolean;
  /** the client's TLS handshake, then its first bytes after it, are timed from these */
  limits: () => Pick<ConnLimits, 'handshakeTimeoutMs' | 'idleTimeoutMs'>;
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
  /** JA4/JA3 of the ClientHello (proxy/net/tls-fingerprint.ts). */
  fingerprint: TlsFingerprint;
}

const HTTP_METHOD = /^[A-Z]{3,10} /;
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n');

export async function intercept(deps: InterceptDeps, socket: net.Socket, hello: Buffer, target: InterceptTarget): Promise<void> {
  const { bus } = deps;
  let tlsSocket: tls.TLSSocket | null = null;
  // Native TLS state is read only while the socket is not destroyed, and kept: once a
  // TLSSocket is destroyed Node may already have freed its SSL (at once when the raw socket
  // went first, as on engine.stop()), and getProtocol()/getPeerCertificate() on a freed SSL
  // crash the whole process (SIGSEGV in SSL_get_version).
  let tlsVersion: string | null = null;
  let peer: tls.PeerCertificate | null = null;
  const snapshot = () => {
    if (tlsSocket && !tlsSocket.destroyed) tlsVersion = tlsSocket.getProtocol() ?? tlsVersion;
  };
  const tracker = new ClientOutcomeTracker(target.connectAt, deps.idleWindow, (outcome) => {
    snapshot();
    bus.emit({
      type: 'client-tls', time: now(), id: target.connId, host: target.certHost, port: target.port, sni: target.sni,
      clientAddress: target.clientAddress, scenario: target.scenario, ...outcome,
      tlsVersion,
      alpn: tlsSocket && typeof tlsSocket.alpnProtocol === 'string' ? tlsSocket.alpnProtocol : null,
      ...(deps.requestClientCert
        ? { clientCert: { offered: Boolean(peer && peer.subject), subject: peer && peer.subject ? formatSubject(peer.subject) : null } }
        : {}),
      fingerprint: target.fingerprint,
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
    // While the certificate was being built: a reset from the client is its doing; a
    // destroy without an error is ours (the proxy stopped).
    if (socket.errored) tracker.error(socket.errored);
    else tracker.proxyFailed('Pinprobe closed the connection (the proxy stopped) before the handshake began');
    return;
  }

  socket.unshift(hello);
  const t = new tls.TLSSocket(socket, {
    isServer: true,
    secureContext,
    // HTTP/2 or HTTP/1.1, in the client's order of preference (a client that lists
    // http/1.1 first keeps it); a client offering neither is refused no_application_protocol.
    ALPNCallback: ({ protocols }) => protocols.find((p) => p === 'h2' || p === 'http/1.1'),
    requestCert: deps.requestClientCert,
    rejectUnauthorized: false,
    // Large bodies relay in batches, not one 16 KiB record per loop turn (stream-buffers.ts).
    highWaterMark: STREAM_HIGH_WATER_MARK,
  } as tls.TLSSocketOptions);
  tlsSocket = t;
  // A client that stops after its ClientHello or mid-handshake, or sends nothing once the
  // handshake is done, is closed (recorded inconclusive: silence is no evidence of pinning).
  let stall: NodeJS.Timeout | null = null;
  const stallAfter = (ms: number, what: string) => {
    if (stall) clearTimeout(stall);
    stall = setTimeout(() => {
      tracker.proxyFailed(`Pinprobe closed the connection: the client ${what} within ${ms} ms`);
      t.destroy();
    }, ms);
    stall.unref();
  };
  const stallOff = () => {
    if (stall) clearTimeout(stall);
    stall = null;
  };
  stallAfter(deps.limits().handshakeTimeoutMs, 'did not finish the TLS handshake');
  t.once('close', stallOff);
  // The version is known once our ServerHello is out (the hello is already buffered).
  setImmediate(snapshot);
  // TLS 1.3: our whole flight (certificate … Finished) is out once the server's application
  // traffic secret exists. A client that closes after that without an alert had finished its
  // side of the handshake (e.g. Node destroys the socket from checkServerIdentity before
  // its own Finished is flushed), so the tracker can tell that from a refusal in the handshake.
  t.on('keylog', (line: Buffer) => {
    snapshot();
    if (line.toString('latin1', 0, 24) === 'SERVER_TRAFFIC_SECRET_0 ') tracker.serverFinished();
  });
  t.on('secure', () => {
    snapshot();
    if (deps.requestClientCert) peer = t.getPeerCertificate();
    tracker.handshake();
    stallAfter(deps.limits().idleTimeoutMs, 'sent nothing after the TLS handshake');
    t.once('data', (chunk: Buffer) => {
      stallOff();
      tracker.firstData();
      t.pause();
      t.unshift(chunk);
      const conn = { id: target.connId, scheme: 'https' as const, host: target.certHost, port: target.port, clientAddress: target.clientAddress };
      if (t.alpnProtocol === 'h2' || chunk.subarray(0, H2_PREFACE.length).equals(H2_PREFACE)) {
        // HTTP/2 (chosen in ALPN, or spoken with prior knowledge): the session reads the buffered preface.
        deps.h2.accept(t, conn);
      } else if (HTTP_METHOD.test(chunk.subarray(0, 12).toString('latin1'))) {
        deps.connInfo.set(t, conn);
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
    snapshot();
    tracker.closed();
    t.end();
  });
  t.on('error', (err) => tracker.error(err));
  // A TLSSocket made with `new TLSSocket(socket, { isServer: true })` outside a tls.Server
  // never "releases control", and Node then reports TLS errors after the handshake only as
  // the internal `_tlsError` event, not as 'error': a client's alert after the handshake
  // (Firefox on TLS 1.2 refusing the certificate with an encrypted bad_certificate) would be
  // lost and read as a quiet close. Listening keeps that refusal and its alert (SPEC "No
  // refusal lost"); the tracker ignores it once an outcome is recorded.
  t.on('_tlsError', (err: Error) => tracker.error(err));
  socket.on('error', (err) => tracker.error(err));
  t.once('close', () => {
    // Without an end (FIN) or error before it, the close was ours (the proxy stopped and
    // destroyed the socket): the client never got to decide.
    tracker.proxyFailed('Pinprobe closed the connection (the proxy stopped) before the client accepted or rejected the certificate');
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
    ...deps.pool.connectOptions(target.certHost, target.port),
    checkServerIdentity: (_h, cert) => tls.checkServerIdentity(route.servername, cert),
  });
  deps.pool.guard(upstream, { clientAddress: target.clientAddress, mapped: route.mapped }, route.connectHost);
  upstream.once('secureConnect', () => {
    relay(client, upstream);
    // The client's FIN ends the whole intercepted connection (see intercept's 'end').
    client.once('close', () => upstream.destroy());
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
