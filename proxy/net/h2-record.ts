// The session lines of one HTTP/2 stream: request (pseudo-headers kept, trailers), response
// (`:status` first, trailers) and the upstream line of a backend connection opened for it.
// Same line types as HTTP/1.1 exchanges, with httpVersion "2".
import type { EngineBus } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import type { HeaderList, UpstreamEvent } from '../session/events.js';
import { BodyCapture } from './body-capture.js';
import type { ConnInfo } from './http-forward.js';

type UpstreamFields = Pick<UpstreamEvent, 'outcome' | 'stage' | 'alert' | 'alertCode' | 'httpStatus' | 'certComplaint' | 'complaint' | 'error'>;

export interface H2ResponseHead {
  status: number;
  statusText: string;
  /** "2" from an h2 backend, "1.1" when translated from an HTTP/1.1 one. */
  httpVersion: string;
  headers: HeaderList;
}

export class H2Record {
  readonly id: string;
  readonly requestBody: BodyCapture;
  readonly responseBody: BodyCapture;
  requestTrailers: HeaderList | null = null;
  responseTrailers: HeaderList | null = null;
  response: H2ResponseHead | null = null;
  clientClosedEarly = false;
  private readonly started = performance.now();
  private waitMs = 0;
  private requestWritten = false;
  private responseWritten = false;
  private upstreamWritten = false;
  private markRequestRecorded!: () => void;
  private readonly requestRecorded = new Promise<void>((ok) => (this.markRequestRecorded = ok));

  constructor(
    private readonly bus: EngineBus,
    readonly conn: ConnInfo,
    readonly method: string,
    readonly url: string,
    /** As received: pseudo-headers first, then the regular fields. */
    readonly headers: HeaderList,
    bodyCap: number,
  ) {
    this.id = bus.nextId('r');
    this.requestBody = new BodyCapture(bodyCap);
    this.responseBody = new BodyCapture(bodyCap);
  }

  elapsedMs(): number {
    return performance.now() - this.started;
  }

  requestEnded(): void {
    if (this.requestWritten) return;
    this.requestWritten = true;
    this.bus.emit({
      type: 'request', time: now(), id: this.id, conn: this.conn.id, scheme: this.conn.scheme, method: this.method, url: this.url,
      host: this.conn.host, port: this.conn.port, httpVersion: '2', headers: this.headers, body: this.requestBody.record(),
      ...(this.requestTrailers ? { trailers: this.requestTrailers } : {}),
      clientAddress: this.conn.clientAddress,
    });
    this.markRequestRecorded();
  }

  responseStarted(head: H2ResponseHead): void {
    this.waitMs = this.elapsedMs();
    this.response = head;
  }

  responseEnded(): void {
    const res = this.response;
    if (!res || this.responseWritten) return;
    this.responseWritten = true;
    const waitMs = this.waitMs;
    this.requestEnded();
    void this.requestRecorded.then(() =>
      this.bus.emit({
        type: 'response', time: now(), id: this.id, status: res.status, statusText: res.statusText, httpVersion: res.httpVersion,
        headers: res.headers, body: this.responseBody.record(), ...(this.responseTrailers ? { trailers: this.responseTrailers } : {}),
        ...(this.clientClosedEarly ? { clientClosedEarly: true as const } : {}),
        timings: { sendMs: 0, waitMs: Math.round(waitMs), receiveMs: Math.round(this.elapsedMs() - waitMs) },
      }),
    );
  }

  /** Pinprobe answered the stream itself (a 502 naming the backend's failure). */
  answeredBy(status: number, statusText: string, message: string): void {
    if (this.responseWritten) return;
    this.responseWritten = true;
    this.requestEnded();
    void this.requestRecorded.then(() =>
      this.bus.emit({
        type: 'response', time: now(), id: this.id, status, statusText, httpVersion: '2',
        headers: [[':status', String(status)], ['content-type', 'text/plain; charset=utf-8']],
        body: { size: Buffer.byteLength(message), encoding: 'utf8', data: message, truncated: false },
        synthetic: true, ...(this.clientClosedEarly ? { clientClosedEarly: true as const } : {}),
        timings: { sendMs: 0, waitMs: Math.round(this.elapsedMs()), receiveMs: 0 },
      }),
    );
  }

  /** The backend connection opened for this stream: how it went (once). */
  recordUpstream(fields: UpstreamFields, conn: { tlsVersion: string | null; clientCert: { subject: string } | null }): void {
    if (this.upstreamWritten) return;
    this.upstreamWritten = true;
    this.bus.emit({
      type: 'upstream', time: now(), id: this.bus.nextId('u'), request: this.id, host: this.conn.host, port: this.conn.port, probe: false,
      clientCert: conn.clientCert ? { subject: conn.clientCert.subject } : null, tlsVersion: conn.tlsVersion, ...fields,
    });
  }
}
