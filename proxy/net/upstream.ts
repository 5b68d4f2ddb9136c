// Where and how Pinprobe connects to backends: map-remote, trust (system CAs + --upstream-ca,
// or none with --upstream-insecure) and client certificates. One keep-alive agent per
// client identity, so pooled connections never mix identities. Trust and client certificate
// live in one cached SecureContext per identity: passing `ca: [...145 PEMs]` instead made
// Node join them into every request's agent key (~24% of the CPU) and parse them again
// for every new upstream socket (~27 ms each).
import http from 'node:http';
import net from 'node:net';
import https from 'node:https';
import tls, { rootCertificates } from 'node:tls';
import type { LoadedClientCert } from './client-certs.js';
import { matchClientCert } from './client-certs.js';
import { hostPort } from './authority.js';
import { PooledHttpsAgent } from './pooled-agent.js';

export interface MapRemoteEntry {
  /** lower-case host, with an optional port (null = any port) */
  host: string;
  port: number | null;
  toHost: string;
  toPort: number;
}

export interface UpstreamConfig {
  /** PEM texts of extra CAs to trust upstream */
  extraCa: string[];
  insecure: boolean;
  mapRemote: MapRemoteEntry[];
  clientCerts: LoadedClientCert[];
}

export interface UpstreamRoute {
  /** where the TCP connection goes */
  connectHost: string;
  connectPort: number;
  /** the name the backend is asked for (SNI) and verified against */
  servername: string;
  /** sent elsewhere by a --map-remote rule (an explicit choice of the tester) */
  mapped: boolean;
  /** where the rule sent it, `ADDR:PORT` as recorded on upstream lines; null when not mapped */
  mappedTo: string | null;
}

export class UpstreamPool {
  private agents = new Map<string, https.Agent>();
  private contexts = new Map<string, tls.SecureContext>();
  private readonly plainAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 15_000 });
  private readonly ca: string[] | undefined;

  /** Set by the engine: is this address:port Pinprobe's own listener or control API? */
  ownEndpoint: ((host: string, port: number) => boolean) | null = null;

  constructor(readonly config: UpstreamConfig) {
    this.ca = config.extraCa.length ? [...rootCertificates, ...config.extraCa] : undefined;
  }

  route(host: string, port: number): UpstreamRoute {
    const h = host.toLowerCase();
    const hit =
      this.config.mapRemote.find((m) => m.host === h && m.port === port) ??
      this.config.mapRemote.find((m) => m.host === h && m.port === null);
    return hit
      ? { connectHost: hit.toHost, connectPort: hit.toPort, servername: host, mapped: true, mappedTo: hostPort(hit.toHost, hit.toPort) }
      : { connectHost: host, connectPort: port, servername: host, mapped: false, mappedTo: null };
  }

  /** `port`: a glob ending in `:PORT` only matches that port (without it, any port matches). */
  clientCertFor(host: string, port: number): LoadedClientCert | null {
    return matchClientCert(host, this.config.clientCerts, port);
  }

  /** The agent for an https request to host:port; `withoutCert` forces the anonymous identity. */
  httpsAgent(host: string, port: number, withoutCert = false): { agent: https.Agent; clientCert: LoadedClientCert | null } {
    const clientCert = withoutCert ? null : this.clientCertFor(host, port);
    const key = identityKey(clientCert);
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new PooledHttpsAgent({
        keepAlive: true,
        keepAliveMsecs: 15_000,
        secureContext: this.secureContext(clientCert),
        rejectUnauthorized: !this.config.insecure,
        // Said out loud, so an h2-only backend refuses at once (alert no_application_protocol)
        // instead of holding a connection that never answers; HTTP/2 uses h2-upstream.ts.
        ALPNProtocols: ['http/1.1'],
      });
      this.agents.set(key, agent);
    }
    return { agent, clientCert };
  }

  /** The trust store plus the client certificate (if any) of one identity, built once. */
  secureContext(clientCert: LoadedClientCert | null): tls.SecureContext {
    const key = identityKey(clientCert);
    let context = this.contexts.get(key);
    if (!context) {
      context = tls.createSecureContext({ ca: this.ca, ...(clientCert ? clientCert.tlsOptions : {}) });
      this.contexts.set(key, context);
    }
    return context;
  }

  /**
   * Builds the anonymous identity's context ahead of need: it parses the whole trust store
   * (~18 ms with --upstream-ca, measured), which would otherwise land inside the first
   * backend request (a first 10 MiB download took ~20% longer for it).
   */
  prepare(): void {
    this.secureContext(null);
  }

  /** Options for a one-off TLS socket to host:port (relays, WebSocket upgrades): trust and client certificate. */
  connectOptions(host: string, port: number): { secureContext: tls.SecureContext; rejectUnauthorized: boolean } {
    return { secureContext: this.secureContext(this.clientCertFor(host, port)), rejectUnauthorized: !this.config.insecure };
  }

  /** Trust options for probes that set their own client certificate (mTLS attempts). */
  tlsOptions(): { ca: string[] | undefined; rejectUnauthorized: boolean } {
    return { ca: this.ca, rejectUnauthorized: !this.config.insecure };
  }

  /**
   * Names are checked before connecting, but a name may resolve to this machine (its own
   * hostname, a map-remote rule): check the address actually reached. Refuse the loop to
   * Pinprobe itself, and a device on the network reaching this computer's loopback-only
   * services (databases, dev servers) unless a --map-remote rule sends it there on purpose.
   */
  guard(socket: net.Socket, from: { clientAddress: string; mapped: boolean }, target?: string): void {
    const refuse = (refusal: { code: string; message: string } | null): void => {
      if (refusal) socket.destroy(Object.assign(new Error(refusal.message), { code: refusal.code }));
    };
    // A kept-alive socket another client opened is connected already: check it for this one
    // now (pooled connections are shared by every client of one certificate identity). Its
    // own-listener check was made when it connected; only the client's side can differ.
    if (!socket.connecting && socket.remoteAddress) return refuse(loopbackRefusal(from.clientAddress, socket.remoteAddress, from.mapped));
    if (!from.mapped && !isLoopbackAddress(from.clientAddress)) {
      // Before the TCP connect, so a refused local service does not even see a connection
      // (nor can a device time open against closed ports): an address literal now — Node
      // connects to one on the next tick, and a socket destroyed before that never does (the
      // HTTP/1.1 paths, whose agents hand the socket over after that tick, check
      // refusalBeforeConnect instead) — and a name once it resolves, as 'lookup' is emitted
      // before each connect (every address of a name, with autoSelectFamily).
      const early = target !== undefined && net.isIP(target) ? loopbackRefusal(from.clientAddress, target, false) : null;
      if (early) return refuse(early);
      socket.prependListener('lookup', (err: Error | null, address: unknown) => {
        if (!err && typeof address === 'string') refuse(loopbackRefusal(from.clientAddress, address, false));
      });
    }
    // A closed loopback port must fail as an open one is refused: a device told ECONNREFUSED
    // for one port and "not opened to you" for another could map this computer's local
    // services through the proxy. First among the 'error' listeners, so every path's 502 and
    // upstream line get the refusal instead.
    if (!from.mapped && !isLoopbackAddress(from.clientAddress)) {
      socket.prependOnceListener('error', (err: Error & { code?: string; address?: string; errors?: Array<{ address?: string }> }) => {
        const address = err.address ?? err.errors?.find((e) => typeof e.address === 'string')?.address;
        const reached = err.errors?.every((e) => e.address === undefined || isLoopbackAddress(e.address)) ?? true;
        if (typeof address !== 'string' || !reached || err.code === 'EPINPROBELOCAL') return;
        const refusal = loopbackRefusal(from.clientAddress, address, false);
        if (refusal) Object.assign(err, { code: refusal.code, message: refusal.message });
      });
    }
    // First among the 'connect' listeners: a TLS socket's own one sends the ClientHello, and a
    // refused service must receive nothing (it did get those ~380 bytes while this ran after).
    socket.prependOnceListener('connect', () => {
      const address = socket.remoteAddress ?? '';
      const port = socket.remotePort ?? 0;
      refuse(this.ownEndpoint?.(address, port)
        ? { code: 'EPINPROBELOOP', message: `${address}:${port} is Pinprobe's own listener; refusing to forward to itself` }
        : loopbackRefusal(from.clientAddress, address, from.mapped));
    });
  }

  /**
   * For a request made through an agent (the HTTP/1.1 paths): a device on the network asking
   * for this computer's loopback by address is refused before the request is made. The agent
   * starts the TCP connect before it hands the socket to guard(); names are refused by guard
   * on their lookup, which comes later.
   */
  refusalBeforeConnect(route: UpstreamRoute, clientAddress: string): (Error & { code: string }) | null {
    if (route.mapped || isLoopbackAddress(clientAddress) || !net.isIP(route.connectHost)) return null;
    const refusal = loopbackRefusal(clientAddress, route.connectHost, false);
    return refusal ? Object.assign(new Error(refusal.message), { code: refusal.code }) : null;
  }

  get httpAgent(): http.Agent {
    return this.plainAgent;
  }

  private readonly destroyers: Array<() => void> = [];

  /** Runs `fn` when this pool is destroyed (a settings change rebuilt it): what was opened under
   * its trust and routes (e.g. shared h2 sessions) must not outlive it. */
  onDestroy(fn: () => void): void {
    this.destroyers.push(fn);
  }

  /**
   * A new session starts from fresh backend connections: only a fresh connection records its
   * upstream line (what the mTLS verdict and the prober read), so kept-alive ones from the
   * session before would leave the new one without. Idle sockets close now, busy ones after
   * their answer; shared h2 sessions close (their streams finish).
   */
  dropConnections(): void {
    for (const fn of this.destroyers) fn();
    for (const agent of [...this.agents.values(), this.plainAgent]) {
      for (const list of Object.values(agent.freeSockets)) for (const socket of list ?? []) socket.destroy();
    }
    for (const agent of this.agents.values()) agent.keepSocketAlive = () => false;
    this.retired.push(...this.agents.values());
    this.agents.clear();
  }

  /** Agents a new session left behind: their busy sockets finish, then close; destroyed with the pool. */
  private readonly retired: https.Agent[] = [];

  destroy(): void {
    for (const agent of this.retired.splice(0)) agent.destroy();
    for (const fn of this.destroyers.splice(0)) fn();
    this.plainAgent.destroy();
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
    this.contexts.clear();
  }
}

function identityKey(clientCert: LoadedClientCert | null): string {
  return clientCert ? clientCert.fingerprint : '-';
}

/** Parses `HOST[:PORT]=ADDR:PORT` (IPv6 in brackets). */
export function parseMapRemote(spec: string): MapRemoteEntry {
  const eq = spec.indexOf('=');
  if (eq < 1) throw new Error(`--map-remote ${spec}: expected HOST[:PORT]=ADDR:PORT`);
  const from = splitHostPort(spec.slice(0, eq), null);
  const to = splitHostPort(spec.slice(eq + 1), null);
  if (!from || !to || to.port === null) throw new Error(`--map-remote ${spec}: expected HOST[:PORT]=ADDR:PORT, e.g. api.example.com=127.0.0.1:8443`);
  return { host: from.host.toLowerCase(), port: from.port, toHost: to.host, toPort: to.port };
}

/** `host`, `host:port`, `[v6]:port` or `v6` -> parts; null when malformed. */
export function splitHostPort(text: string, defaultPort: number | null): { host: string; port: number | null } | null {
  const m = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(text) ?? /^([^:\[\]\s/]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m) {
    if (/^[0-9a-fA-F:]+$/.test(text) && text.includes(':')) return { host: text, port: defaultPort };
    return null;
  }
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { host: m[1], port };
}

export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase();
  return /^127\./.test(a) || a === '::1' || /^::ffff:127\./.test(a) || /^::ffff:7f[0-9a-f]{2}:/.test(a);
}

/** A connect to the unspecified address (0.0.0.0, ::; an ad blocker's hosts entries) reaches this computer's loopback. */
function reachesLoopback(address: string): boolean {
  const a = address.toLowerCase();
  return isLoopbackAddress(a) || a === '0.0.0.0' || a === '::' || a === '::ffff:0.0.0.0' || a === '::ffff:0:0';
}

/** Why a connection from clientAddress to address must not be made, or null. */
export function loopbackRefusal(clientAddress: string, address: string, mapped: boolean): { code: string; message: string } | null {
  if (mapped || !reachesLoopback(address) || isLoopbackAddress(clientAddress)) return null;
  return {
    code: 'EPINPROBELOCAL',
    message: `${address} ${isLoopbackAddress(address) ? 'is' : 'reaches'} this computer's loopback, and ${clientAddress || 'the client (address unknown)'} is a device on the network; Pinprobe does not open local-only services to it (use --map-remote to send a host there on purpose)`,
  };
}
