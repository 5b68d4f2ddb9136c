// One upstream attempt as the mTLS probe makes it: TLS connect (one version, one client
// certificate or none), `GET path` over the completed connection, then the HTTP answer's
// status line and body start — or the alert/reset that ended it. The engine can use it for
// its once-per-host probe without a certificate, too.
import http2 from 'node:http2';
import tls from 'node:tls';
import { isIP } from 'node:net';
import { classifyUpstreamAnswer, type CertComplaint } from '../observe/cert-complaint.js';
import { classifyUpstreamFailure } from '../observe/upstream-failure.js';
import type { UpstreamEvent } from '../session/events.js';
import { authority as hostHeader } from './authority.js';
import type { ClientTlsOptions } from './client-certs.js';

export type TlsVersionName = 'TLSv1.2' | 'TLSv1.3';

export interface AttemptTarget {
  /** Host name (SNI unless an IP) and the Host header's name. */
  host: string;
  port: number;
  path: string;
  /** Where to connect instead (--map-remote); SNI and Host stay `host`. */
  connectTo?: { host: string; port: number };
}

export interface AttemptOptions {
  tlsVersion?: TlsVersionName;
  cert?: ClientTlsOptions;
  /** Trusted CAs for the backend's certificate (replaces Node's defaults when given). */
  ca?: string[];
  insecure?: boolean;
  timeoutMs?: number;
  /**
   * TLS 1.3 only: how long to listen after the handshake before sending the request. A
   * TLS 1.3 server judges the client certificate after the handshake; if our request is
   * still unread when it closes, its kernel answers with a RST that can overtake the
   * alert. Waiting lets the alert (certificate_required) arrive cleanly. Default 150 ms.
   */
  tls13GraceMs?: number;
  /** Given the socket before it connects (the proxy's probe guards where it lands, as its upstream does). */
  onSocket?: (socket: tls.TLSSocket) => void;
}

export type AttemptResult = Pick<UpstreamEvent, 'tlsVersion' | 'outcome' | 'stage' | 'alert' | 'alertCode' | 'httpStatus' | 'certComplaint' | 'error'> & {
  complaint: CertComplaint | null;
  statusText: string | null;
  /** First bytes of the answer's body (up to BODY_PEEK), de-chunked. */
  bodyStart: string | null;
};

export const BODY_PEEK = 4096;
const HEADER_CAP = 32 * 1024;

interface ParsedAnswer {
  status: number;
  statusText: string;
  body: Buffer;
  complete: boolean;
}

/** Undoes chunked framing as far as the bytes go (a phrase may straddle two chunks). */
function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < raw.length) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, Math.min(raw.length, lineEnd + 2 + size)));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** null until the header block is in; `complete` once enough of the body is too. */
function parseAnswer(data: Buffer, ended: boolean): ParsedAnswer | 'not-http' | null {
  const headerEnd = data.indexOf('\r\n\r\n');
  if (headerEnd < 0) {
    if (data.length >= 5 && !data.subarray(0, 5).equals(Buffer.from('HTTP/'))) return 'not-http';
    return data.length > HEADER_CAP ? 'not-http' : null;
  }
  const head = data.subarray(0, headerEnd).toString('latin1').split('\r\n');
  const statusLine = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(head[0] ?? '');
  if (!statusLine) return 'not-http';
  const header = (name: string) => head.slice(1).find((h) => h.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
  const rawBody = data.subarray(headerEnd + 4);
  const chunked = /chunked/i.test(header('transfer-encoding') ?? '');
  const body = chunked ? dechunk(rawBody) : rawBody;
  const length = Number(header('content-length') ?? NaN);
  const complete = ended || body.length >= BODY_PEEK || (!chunked && Number.isFinite(length) && rawBody.length >= length) || (chunked && rawBody.includes('\r\n0\r\n'));
  return { status: Number(statusLine[1]), statusText: statusLine[2] ?? '', body: body.subarray(0, BODY_PEEK), complete };
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no answer within ${ms} ms (timed out)`), { code: 'ERR_PINPROBE_TIMEOUT' });
}

/** Never rejects: every way the attempt can end is a result. */
export function runMtlsAttempt(target: AttemptTarget, opts: AttemptOptions = {}): Promise<AttemptResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise((resolve) => {
    let handshakeDone = false;
    let connected = false;
    let tlsVersion: string | null = null;
    let received = Buffer.alloc(0);
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    const connectHost = target.connectTo?.host ?? target.host;
    const socket = tls.connect({
      host: connectHost,
      port: target.connectTo?.port ?? target.port,
      // Node refuses an IP as SNI (RFC 6066), so IPs go without one, like browsers.
      servername: isIP(target.host) ? '' : target.host,
      minVersion: opts.tlsVersion ?? 'TLSv1.2',
      maxVersion: opts.tlsVersion ?? 'TLSv1.3',
      // An h2-only backend (gRPC) refuses http/1.1 alone with an alert that is not about
      // certificates at all; offering both gets its real answer.
      ALPNProtocols: ['http/1.1', 'h2'],
      rejectUnauthorized: !opts.insecure,
      ...(opts.ca ? { ca: opts.ca } : {}),
      ...(opts.cert ?? {}),
    });
    opts.onSocket?.(socket);
    const finish = (result: Omit<AttemptResult, 'tlsVersion'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      socket.destroy();
      resolve({ tlsVersion: tlsVersion ?? opts.tlsVersion ?? null, ...result });
    };
    const fail = (err: unknown): void => {
      const answer = parseAnswer(received, true);
      // The server answered and then reset: the answer is what counts.
      if (answer && answer !== 'not-http') return answered(answer);
      finish({ ...classifyUpstreamFailure(err, { handshakeDone, connected }), httpStatus: null, certComplaint: false, complaint: null, statusText: null, bodyStart: null });
    };
    const answered = (answer: ParsedAnswer): void => {
      const bodyStart = answer.body.toString('utf8');
      finish({ ...classifyUpstreamAnswer(answer.status, answer.statusText, bodyStart), statusText: answer.statusText, bodyStart });
    };
    const timer = setTimeout(() => fail(timeoutError(timeoutMs)), timeoutMs);
    socket.once('connect', () => (connected = true));
    const authority = hostHeader(target.host, target.port, 'https');
    const sendRequest = (): void => {
      if (settled) return;
      socket.write(`GET ${target.path} HTTP/1.1\r\nHost: ${authority}\r\nUser-Agent: pinprobe-probe-mtls\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
    };
    socket.once('secureConnect', () => {
      handshakeDone = true;
      tlsVersion = socket.getProtocol();
      const send = socket.alpnProtocol === 'h2' ? sendH2Request() : (listenH1(), sendRequest);
      if (tlsVersion === 'TLSv1.3') grace = setTimeout(send, opts.tls13GraceMs ?? 150);
      else send();
    });
    /** The h2 session reads from the handshake on (an alert on the first read ends it); returns the request's sender. */
    const sendH2Request = (): (() => void) => {
      const session = http2.connect(`https://${authority}`, { createConnection: () => socket, settings: { enablePush: false } });
      session.on('error', fail);
      return () => {
        if (settled) return;
        const req = session.request({ ':path': target.path, ':method': 'GET', 'user-agent': 'pinprobe-probe-mtls', accept: '*/*' });
        let status = 0;
        let body = Buffer.alloc(0);
        const done = () => {
          session.destroy();
          answered({ status, statusText: '', body: body.subarray(0, BODY_PEEK), complete: true });
        };
        req.on('response', (headers) => (status = Number(headers[':status'] ?? 0)));
        req.on('data', (chunk: Buffer) => {
          body = Buffer.concat([body, chunk]);
          if (body.length >= BODY_PEEK) done();
        });
        req.once('end', done);
        req.once('error', fail);
      };
    };
    const check = (ended: boolean): void => {
      const answer = parseAnswer(received, ended);
      if (answer === 'not-http') {
        finish({ outcome: 'error', stage: 'http', alert: null, alertCode: null, httpStatus: null, certComplaint: false, complaint: null, error: 'the server did not answer with HTTP/1.x', statusText: null, bodyStart: null });
      } else if (answer?.complete) {
        answered(answer);
      } else if (ended) {
        // Closed with no (full) answer: how Node servers drop a refused TLS 1.3 client.
        fail(Object.assign(new Error('closed without answering'), { code: 'ECONNRESET' }));
      }
    };
    // HTTP/1.1: the answer is read off the socket (h2 reads through its session instead).
    const listenH1 = (): void => {
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        check(false);
      });
      socket.once('end', () => check(true));
    };
    socket.once('close', () => check(true));
    socket.once('error', fail);
  });
}
