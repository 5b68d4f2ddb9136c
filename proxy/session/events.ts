// The recorded event vocabulary. Every line of a session file after the header is one of
// these; the judge derives every verdict from them alone, so a reopened session gives the
// same verdicts as the live one. Fields are only ever added (optional) — never renamed.

export const SCENARIOS = ['trusted', 'self-signed', 'wrong-host', 'expired', 'untrusted-root'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export function isScenario(value: string): value is Scenario {
  return (SCENARIOS as readonly string[]).includes(value);
}

export const SESSION_SCHEMA = 'pinprobe.session/1';

export interface SessionHeader {
  type: 'session';
  schema: typeof SESSION_SCHEMA;
  time: string;
  /** Pinprobe version that wrote the file. */
  version: string;
  proxy: { listen: string; port: number };
  caSubject: string;
  /** The options that shape verdicts, so the judge stays a pure function of the file. */
  options: {
    scenario: Scenario | null;
    autoPassthrough: boolean;
    passthrough: string[];
    expectMtls: string[];
    clientCertHosts: string[];
    requestClientCert: boolean;
    /** --map-remote rules (absent in sessions recorded before they were recorded): where a host's backend verdicts come from */
    mapRemote?: Array<{ from: string; to: string }>;
  };
}

export interface Peer {
  address: string;
  port: number;
}

/** A client connection reached the proxy: a CONNECT tunnel, or a plain HTTP proxy request's socket. */
export interface ConnectionEvent {
  type: 'connection';
  time: string;
  id: string;
  client: Peer;
  /** CONNECT target (authority), or the Host of the first plain request. */
  target: { host: string; port: number };
  /**
   * intercept: TLS is terminated with a scenario certificate;
   * tunnel: bytes relayed untouched (passthrough rule, auto passthrough, or not TLS);
   * plain: cleartext HTTP proxy requests on this socket.
   */
  mode: 'intercept' | 'tunnel' | 'plain';
  scenario: Scenario | null;
  /** Why a tunnel: 'rule' (--passthrough), 'auto' (trusted was rejected earlier), 'not-tls'. */
  tunnelReason?: 'rule' | 'auto' | 'not-tls' | null;
}

export type ClientResult = 'accepted' | 'rejected' | 'inconclusive';
export type RejectStage = 'handshake' | 'after-handshake';

/** Exactly one per intercepted connection: how the client (the phone) took our certificate. */
export interface ClientTlsEvent {
  type: 'client-tls';
  time: string;
  id: string;
  /** The name the leaf was issued for: SNI, else the CONNECT target host. */
  host: string;
  port: number;
  sni: string | null;
  clientAddress: string;
  scenario: Scenario;
  result: ClientResult;
  stage: RejectStage | null;
  /** TLS alert name the client sent (e.g. unknown_ca), when it sent one. */
  alert: string | null;
  alertCode: number | null;
  tlsVersion: string | null;
  alpn: string | null;
  /** Why inconclusive or how it closed, in words. */
  detail: string | null;
  /** Milliseconds since the CONNECT was received. */
  timings: { handshakeMs: number | null; firstByteMs: number | null; closeMs: number | null; windowMs: number | null };
  /** With --request-client-cert: did the app present a certificate of its own. */
  clientCert?: { offered: boolean; subject: string | null } | null;
  /**
   * The ClientHello's fingerprints (SPEC "TLS client"): a TLS client is clientAddress + ja4.
   * Absent in files written before fingerprints were recorded.
   */
  fingerprint?: { ja4: string; ja3: string } | null;
}

export interface BodyRecord {
  /** True size in bytes, whatever was kept. */
  size: number;
  encoding: 'utf8' | 'base64';
  data: string;
  truncated: boolean;
}

export type HeaderList = Array<[string, string]>;

export interface RequestEvent {
  type: 'request';
  time: string;
  id: string;
  conn: string;
  scheme: 'http' | 'https';
  method: string;
  url: string;
  host: string;
  port: number;
  httpVersion: string;
  headers: HeaderList;
  body: BodyRecord;
  /** Trailer fields that followed the body (chunked HTTP/1.1 or HTTP/2), when there were any. */
  trailers?: HeaderList;
  clientAddress: string;
  /** Sent by Pinprobe's backend checks (check-auth), not by the app. */
  check?: CheckMark;
  /** Sent by the tester from Traffic ("Resend", "Edit and resend"), not by the app; never judged. */
  resend?: ResendMark;
  /**
   * In-memory copy only; never written to a file. The engine dropped this line's headers
   * and body from memory (a long session); the full line is read back from the session file.
   */
  evicted?: true;
}

/** Marks a request line that check-auth sent (proxy/check-auth/). */
export interface CheckMark {
  /** auth: a recorded request replayed without credentials; burst: one of N copies. */
  kind: 'auth' | 'burst';
  /** The recorded request it copies. */
  of: string | null;
  /** Credentials taken away, e.g. ["authorization", "?api_key"]. */
  removed: string[];
}

/** Marks a request line the tester resent through Pinprobe (POST /api/resend). */
export interface ResendMark {
  /** The recorded request it was made from. */
  of: string;
  /** What was changed from it: any of "method", "url", "headers", "body". */
  edited: Array<'method' | 'url' | 'headers' | 'body'>;
  /** Credentials taken away by the "without credentials" variant, e.g. ["authorization", "?api_key"]. */
  removed: string[];
  /** The client certificate presented upstream (null: none), and whether a configured one was left out on purpose. */
  clientCert: { subject: string } | null;
  withoutClientCert: boolean;
}

export interface ResponseEvent {
  type: 'response';
  time: string;
  /** Same id as its request. */
  id: string;
  status: number;
  statusText: string;
  httpVersion: string;
  headers: HeaderList;
  body: BodyRecord;
  /** Trailer fields after the body (gRPC's grpc-status, grpc-message), when there were any. */
  trailers?: HeaderList;
  /** Produced by Pinprobe itself (e.g. a 502), not by the backend. */
  synthetic?: boolean;
  /** The client closed its connection before this answer reached it. */
  clientClosedEarly?: true;
  timings: { sendMs: number; waitMs: number; receiveMs: number };
  /** In-memory copy only; never written to a file (see RequestEvent.evicted). */
  evicted?: true;
}

export interface WebSocketEvent {
  type: 'websocket';
  time: string;
  id: string;
  conn: string;
  url: string;
  status: number;
  /** Bytes relayed after the upgrade, each way (all frames, headers included). */
  bytesFromClient: number;
  bytesToClient: number;
  phase: 'open' | 'refused' | 'closed';
  /** The upgrade request's line (absent in files written before upgrades were recorded as requests). */
  request?: string;
  /** On `closed`: messages recorded each way, and those left out past the per-connection limit. */
  messages?: { send: number; receive: number; notRecorded: number };
}

/**
 * One WebSocket message (or control frame) after the upgrade: what the app sent (`send`)
 * or received (`receive`), as Chrome DevTools names them. Fragments are joined; the
 * payload is capped like bodies (`body.size` is the true size, `body.truncated` says it
 * was cut). permessage-deflate messages are recorded inflated (`inflated: true`); one
 * that could not be inflated keeps its compressed bytes (`compressed: true`).
 */
export interface WebSocketMessageEvent {
  type: 'ws-message';
  time: string;
  /** The WebSocket's id (its `websocket` lines). */
  ws: string;
  /** The upgrade request's id. */
  request: string;
  direction: 'send' | 'receive';
  /** 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  opcode: number;
  /** Text messages as utf8, binary ones (and invalid text) as base64. */
  body: BodyRecord;
  inflated?: true;
  compressed?: true;
  /** Close frames: the status code and reason they carry. */
  close?: { code: number | null; reason: string };
}

/**
 * One upstream (Pinprobe -> backend) attempt and how it ended; the mTLS verdict is judged
 * from these. `probe` marks Pinprobe's own extra attempt without a client certificate.
 */
export interface UpstreamEvent {
  type: 'upstream';
  time: string;
  id: string;
  /** The request that caused it, when there was one. */
  request: string | null;
  host: string;
  port: number;
  probe: boolean;
  /** `kind: 'self-signed'` marks an untrusted throwaway certificate (probe-mtls). */
  clientCert: { subject: string; kind?: 'configured' | 'self-signed' } | null;
  tlsVersion: string | null;
  /**
   * answered: an HTTP answer came back (see httpStatus / certComplaint);
   * tls-alert: the server sent an alert (see stage: in the handshake or on the first read);
   * reset: the connection was reset or closed (see stage);
   * error: could not connect, DNS, upstream certificate not trusted, timeout...
   */
  outcome: 'answered' | 'tls-alert' | 'reset' | 'error';
  stage: 'connect' | 'handshake' | 'after-handshake' | 'http';
  alert: string | null;
  alertCode: number | null;
  httpStatus: number | null;
  /** The status line or body names a missing or invalid client certificate. */
  certComplaint: boolean;
  /** Which complaint (e.g. no-required-ssl-certificate), for the evidence string. */
  complaint?: string | null;
  error: string | null;
  /**
   * `ADDR:PORT` when a --map-remote rule sent this connection there instead of to `host`
   * (absent when it went to `host`, and in sessions recorded before it was recorded).
   */
  mappedTo?: string;
}

/** Host put on the tunnel list for the rest of the session. */
export interface PassthroughEvent {
  type: 'passthrough';
  time: string;
  host: string;
  port: number;
  reason: 'auto';
  detail: string;
}

export interface CloseEvent {
  type: 'close';
  time: string;
  id: string;
  bytesFromClient: number;
  bytesToClient: number;
}

export interface ErrorEvent {
  type: 'error';
  time: string;
  id: string | null;
  message: string;
}

/**
 * The tester declared (or withdrew) that devices at ADDR or in CIDR have Pinprobe's CA in
 * their *system* trust store (`--device-trusts-ca`, the UI's Setup devices list). Its own
 * line, so the judge stays a pure function of the file; the last line per `device` wins.
 */
export interface DeviceTrustEvent {
  type: 'device-trust';
  time: string;
  /** An address (192.168.1.50, ::1) or a CIDR (192.168.1.0/24). */
  device: string;
  trustsCa: boolean;
  source: 'option' | 'ui';
}

/**
 * Verdict-shaping options changed during the session (in the UI): the same keys as the
 * header's `options`, only those that changed. The judge reads the last value of each
 * judgement option (expectMtls) from these lines, so a change applies to the live
 * session and to the file reopened later alike; the others (scenario, passthrough, …)
 * act on connections made after the line.
 */
export interface SettingsEvent {
  type: 'settings';
  time: string;
  source: 'ui';
  options: Partial<SessionHeader['options']>;
}

export interface SessionEndEvent {
  type: 'session-end';
  time: string;
}

export type SessionEvent =
  | ConnectionEvent
  | ClientTlsEvent
  | RequestEvent
  | ResponseEvent
  | WebSocketEvent
  | WebSocketMessageEvent
  | UpstreamEvent
  | PassthroughEvent
  | CloseEvent
  | ErrorEvent
  | DeviceTrustEvent
  | SettingsEvent
  | SessionEndEvent;

export type SessionLine = SessionHeader | SessionEvent;
