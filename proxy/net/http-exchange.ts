// One HTTP request/response as the proxy relays it: its id, both body captures, its timings
// and the lines it records (request, response, and the upstream line of the TLS connection
// opened for it). It knows no socket or stream: the HTTP/1.1 forwarder (http-forward.ts)
// drives it from Node's request/response objects, and HTTP/2 streams (h2-server.ts) drive
// the same calls (httpVersion "2", pseudo-headers apart and recorded first, trailers). Features see it through the
// bus's request/response hooks (`Exchange`), never the driving calls.
import type { EngineBus } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import type { HeaderList, UpstreamEvent } from '../session/events.js';
import { authority } from './authority.js';
import { BodyCapture } from './body-capture.js';

/** The client connection an exchange arrived on. */
export interface ConnInfo {
  id: string;
  scheme: 'http' | 'https';
  /** host the client asked for (SNI / CONNECT target / absolute URL / Host) */
  host: string;
  port: number;
  clientAddress: string;
}

export interface ExchangeRequest {
  readonly method: string;
  /** Origin-form path and query (HTTP/2: `:path`). */
  readonly path: string;
  /** The absolute URL recorded in the request line. */
  readonly url: string;
  /** "1.1", "1.0"; "2" for an HTTP/2 stream. */
  readonly httpVersion: string;
  /**
   * End-to-end headers, hop-by-hop ones removed: what is forwarded and what the request
   * line records. An onRequest hook may edit this list (add, remove, change) before the
   * request is forwarded.
   */
  headers: HeaderList;
  /** HTTP/2 pseudo-headers (`:method`, `:authority`…) as received; null for HTTP/1.x. */
  readonly pseudoHeaders: HeaderList | null;
  /** End-to-end trailers once the body has ended with some; null otherwise. */
  trailers: HeaderList | null;
}

export interface ExchangeResponse {
  readonly status: number;
  readonly statusText: string;
  readonly httpVersion: string;
  readonly headers: HeaderList;
  /** Pinprobe's own answer (a 502), not the backend's. */
  readonly synthetic: boolean;
  trailers: HeaderList | null;
}

/** What request/response hooks see of an exchange (features/feature.ts). */
export interface Exchange {
  readonly id: string;
  readonly conn: Readonly<ConnInfo>;
  readonly request: ExchangeRequest;
  /** null until the answer's head is known. */
  readonly response: ExchangeResponse | null;
  /** The first bytes of each body (up to the body cap) and its true size. */
  readonly requestBody: Pick<BodyCapture, 'size' | 'head' | 'record'>;
  readonly responseBody: Pick<BodyCapture, 'size' | 'head' | 'record'>;
  /** The client closed its connection before the answer reached it. */
  readonly clientClosedEarly: boolean;
}

export interface RequestHead {
  method: string;
  path: string;
  httpVersion: string;
  headers: HeaderList;
  pseudoHeaders?: HeaderList | null;
}

type UpstreamFields = Pick<UpstreamEvent, 'outcome' | 'stage' | 'alert' | 'alertCode' | 'httpStatus' | 'certComplaint' | 'complaint' | 'error'>;

export class HttpExchange implements Exchange {
  readonly id: string;
  readonly request: ExchangeRequest;
  response: ExchangeResponse | null = null;
  readonly requestBody: BodyCapture;
  readonly responseBody: BodyCapture;
  clientClosedEarly = false;
  /** Set by the forwarder when a --map-remote rule routes this exchange's backend connection (`ADDR:PORT`). */
  upstreamMappedTo: string | null = null;
  /** performance.now() when the request's head arrived; timings count from here. */
  private readonly started = performance.now();
  private waitMs = 0;
  private requestWritten = false;
  private responseWritten = false;
  private upstreamWritten = false;
  private markRequestRecorded!: () => void;
  /** Resolves once the request line is on the bus: the response line always follows it. */
  readonly requestRecorded = new Promise<void>((resolve) => (this.markRequestRecorded = resolve));

  constructor(private readonly bus: EngineBus, readonly conn: ConnInfo, head: RequestHead, bodyCap: number) {
    this.id = bus.nextId('r');
    this.request = {
      method: head.method, path: head.path, url: `${conn.scheme}://${authority(conn.host, conn.port, conn.scheme)}${head.path}`, httpVersion: head.httpVersion,
      headers: head.headers, pseudoHeaders: head.pseudoHeaders ?? null, trailers: null,
    };
    this.requestBody = new BodyCapture(bodyCap);
    this.responseBody = new BodyCapture(bodyCap);
  }

  /** ms since the request's head arrived. */
  elapsedMs(): number {
    return performance.now() - this.started;
  }

  /** The client's body has ended (or its stream closed): the request line is recorded, once. */
  requestEnded(): void {
    if (this.requestWritten) return;
    this.requestWritten = true;
    const r = this.request;
    // HTTP/2: the pseudo-headers are recorded first, as the client sent them (SPEC "HTTP/2").
    const time = now();
    const headers = r.pseudoHeaders ? [...r.pseudoHeaders, ...r.headers] : r.headers;
    const body = this.requestBody.record();
    const c = this.conn;
    // Two literals rather than a spread of an optional part: one object per line, one shape.
    this.bus.emit(r.trailers?.length
      ? {
        type: 'request', time, id: this.id, conn: c.id, scheme: c.scheme, method: r.method, url: r.url, host: c.host, port: c.port,
        httpVersion: r.httpVersion, headers, body, trailers: r.trailers, clientAddress: c.clientAddress,
      }
      : {
        type: 'request', time, id: this.id, conn: c.id, scheme: c.scheme, method: r.method, url: r.url, host: c.host, port: c.port,
        httpVersion: r.httpVersion, headers, body, clientAddress: c.clientAddress,
      });
    this.markRequestRecorded();
  }

  /** The backend's answer head arrived (and will be relayed): the wait ends here. */
  responseStarted(head: { status: number; statusText: string; httpVersion: string; headers: HeaderList }): void {
    this.waitMs = this.elapsedMs();
    // Fields named, not spread: the spread showed in the per-request profile (~1%).
    this.response = { status: head.status, statusText: head.statusText, httpVersion: head.httpVersion, headers: head.headers, synthetic: false, trailers: null };
  }

  /**
   * The answer reached the client (or the client's stream closed): the response line is
   * recorded after the request line, then the response hooks run. Once per exchange.
   */
  responseEnded(): void {
    const res = this.response;
    if (!res || this.responseWritten) return;
    this.responseWritten = true;
    const waitMs = this.waitMs;
    void this.requestRecorded.then(() => {
      const time = now();
      const body = this.responseBody.record();
      const timings = { sendMs: 0, waitMs: Math.round(waitMs), receiveMs: Math.round(this.elapsedMs() - waitMs) };
      // The usual answer as one literal; trailers or an early close as optional parts.
      this.bus.emit(!res.trailers?.length && !this.clientClosedEarly
        ? {
          type: 'response', time, id: this.id, status: res.status, statusText: res.statusText, httpVersion: res.httpVersion,
          headers: res.headers, body, timings,
        }
        : {
          type: 'response', time, id: this.id, status: res.status, statusText: res.statusText, httpVersion: res.httpVersion,
          headers: res.headers, body, ...(res.trailers?.length ? { trailers: res.trailers } : {}), ...this.clientGone(),
          timings,
        });
      this.bus.runResponseHooks(this);
    });
  }

  /**
   * Pinprobe answered the client itself (`message` is the text body it wrote, e.g. a 502
   * naming the backend's failure): recorded as a synthetic response, then the response hooks run.
   */
  answeredBy(status: number, statusText: string, message: string): void {
    if (this.responseWritten) return;
    this.responseWritten = true;
    const headers: HeaderList = [['content-type', 'text/plain; charset=utf-8']];
    // Pinprobe answers in the client's own HTTP version (an h2 stream gets an h2 response).
    const httpVersion = this.request.httpVersion === '2' ? '2' : '1.1';
    this.response = { status, statusText, httpVersion, headers, synthetic: true, trailers: null };
    void this.requestRecorded.then(() => {
      this.bus.emit({
        type: 'response', time: now(), id: this.id, status, statusText, httpVersion,
        headers, body: { size: Buffer.byteLength(message), encoding: 'utf8', data: message, truncated: false },
        synthetic: true, ...this.clientGone(), timings: { sendMs: 0, waitMs: Math.round(this.elapsedMs()), receiveMs: 0 },
      });
      this.bus.runResponseHooks(this);
    });
  }

  /**
   * How the TLS connection opened for this exchange went (SPEC: one upstream line per fresh
   * connection). The first call counts; a retry on a new connection records nothing more.
   */
  recordUpstream(fields: UpstreamFields, conn: { tlsVersion: string | null; clientCert: { subject: string } | null }): void {
    if (this.upstreamWritten) return;
    this.upstreamWritten = true;
    const line: UpstreamEvent = {
      type: 'upstream', time: now(), id: this.bus.nextId('u'), request: this.id, host: this.conn.host, port: this.conn.port, probe: false,
      clientCert: conn.clientCert ? { subject: conn.clientCert.subject } : null, tlsVersion: conn.tlsVersion, ...fields,
    };
    if (this.upstreamMappedTo !== null) line.mappedTo = this.upstreamMappedTo;
    this.bus.emit(line);
  }

  private clientGone(): { clientClosedEarly?: true } {
    return this.clientClosedEarly ? { clientClosedEarly: true } : {};
  }
}
