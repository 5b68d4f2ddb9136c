// How an upstream (Pinprobe -> backend) attempt ended, as recorded in an UpstreamEvent:
// TLS alerts by RFC name and number, resets before/after the handshake, connection
// errors, and HTTP answers that complain about a missing client certificate. Pure
// functions of an error object or an HTTP answer, so the engine, the probe and the tests
// all classify the same way. See docs/mtls.md.
import { brotliDecompressSync, constants as zlibConstants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { UpstreamEvent } from '../session/events.js';

/** TLS alert descriptions (IANA "TLS Alerts" registry: RFC 5246, 8446, 7301, 8449, ECH). */
export const TLS_ALERTS: Readonly<Record<number, string>> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  30: 'decompression_failure',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  60: 'export_restriction',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  111: 'certificate_unobtainable',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  114: 'bad_certificate_hash_value',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol',
  121: 'ech_required',
};

const ALERT_CODES: ReadonlyMap<string, number> = new Map([
  ...Object.entries(TLS_ALERTS).map(([code, name]) => [name, Number(code)] as [string, number]),
  // OpenSSL spells this one with a double L (SSL_R_TLSV1_ALERT_USER_CANCELLED).
  ['user_cancelled', 90],
]);

/** RFC name of a TLS alert number, or `alert_<n>` for one outside the registry. */
export function alertName(code: number): string {
  return TLS_ALERTS[code] ?? `alert_${code}`;
}

/**
 * Alerts a server sends when it did not get (or did not like) a client certificate. Others
 * (protocol_version, unrecognized_name, …) are about something else and prove nothing
 * about mTLS.
 */
export const CLIENT_CERT_ALERTS: ReadonlySet<string> = new Set([
  'handshake_failure',
  'no_certificate',
  'bad_certificate',
  'unsupported_certificate',
  'certificate_revoked',
  'certificate_expired',
  'certificate_unknown',
  'unknown_ca',
  'access_denied',
  'certificate_required',
]);

interface ErrorLike {
  code?: unknown;
  message?: unknown;
}

function errorParts(err: unknown): { code: string; message: string } {
  if (typeof err === 'string') return { code: '', message: err };
  if (err === null || typeof err !== 'object') return { code: '', message: String(err) };
  const e = err as ErrorLike;
  return { code: typeof e.code === 'string' ? e.code : '', message: typeof e.message === 'string' ? e.message : '' };
}

/**
 * The TLS alert the *peer* sent, from a Node/OpenSSL error: OpenSSL appends "SSL alert
 * number N" to every received alert (the most reliable source), and Node turns the reason
 * into codes like ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED. Errors about our own checks
 * (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE) are not alerts: null.
 */
export function alertFromError(err: unknown): { name: string; code: number } | null {
  const { code, message } = errorParts(err);
  const numbered = /alert number (\d+)/i.exec(message);
  if (numbered) {
    const n = Number(numbered[1]);
    return { name: alertName(n), code: n };
  }
  // ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE, ERR_SSL_TLSV1_ALERT_UNKNOWN_CA, ERR_SSL_TLSV1_UNRECOGNIZED_NAME …
  const coded = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_(?:ALERT_)?([A-Z_]+)$/.exec(code);
  if (coded) {
    const n = ALERT_CODES.get(coded[1].toLowerCase());
    if (n !== undefined) return { name: alertName(n), code: n };
  }
  // OpenSSL reason strings without a code: "sslv3 alert handshake failure", "tlsv13 alert certificate required".
  const reason = /(?:sslv3|tlsv1|tlsv13) alert ([a-z ]+)/i.exec(message);
  if (reason) {
    const n = ALERT_CODES.get(reason[1].trim().toLowerCase().replace(/ +/g, '_'));
    if (n !== undefined) return { name: alertName(n), code: n };
  }
  return null;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
const CONNECT_CODES = new Set(['EPINPROBELOOP', 'EPINPROBELOCAL', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EHOSTDOWN']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ERR_PINPROBE_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
/** Our own verdict on the backend's certificate (Node's X509 verify codes and hostname check). */
const UPSTREAM_CERT_CODES = /^(?:UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|CERT_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH|INVALID_CA|PATH_LENGTH_EXCEEDED|INVALID_PURPOSE|CERT_REJECTED|CERT_UNTRUSTED)/;

/** The attempt failed because Pinprobe did not trust the backend's certificate (not an mTLS matter). */
export function isUntrustedUpstream(c: Pick<UpstreamEvent, 'outcome' | 'stage' | 'error'>): boolean {
  return c.outcome === 'error' && c.stage === 'handshake' && c.error !== null && UPSTREAM_CERT_CODES.test(c.error);
}

export type UpstreamClassification = Pick<UpstreamEvent, 'outcome' | 'stage' | 'alert' | 'alertCode' | 'error'>;

function describe(code: string, message: string): string {
  // OpenSSL messages carry a hex pointer and a source path; keep the reason only.
  const reason = /:SSL routines:[^:]*:([^:]+):/.exec(message)?.[1];
  const text = (reason ?? message).trim();
  if (!code) return text || 'unknown error';
  return text && !text.includes(code) ? `${code}: ${text}` : code;
}

/**
 * Classifies a failed upstream attempt. `handshakeDone` is whether secureConnect fired;
 * `connected` (optional) whether the TCP connect succeeded, to place timeouts; `reused`
 * that the request went over a kept-alive connection that had already answered — a reset
 * there is the server closing an idle connection, not a refusal, so its stage is `http`.
 */
export function classifyUpstreamFailure(err: unknown, ctx: { handshakeDone: boolean; connected?: boolean; reused?: boolean }): UpstreamClassification {
  const { code, message } = errorParts(err);
  const error = describe(code, message);
  const tlsStage = ctx.handshakeDone ? 'after-handshake' : 'handshake';
  const alert = alertFromError(err);
  if (alert) return { outcome: 'tls-alert', stage: tlsStage, alert: alert.name, alertCode: alert.code, error };
  if (CONNECT_CODES.has(code)) return { outcome: 'error', stage: 'connect', alert: null, alertCode: null, error };
  if (TIMEOUT_CODES.has(code) || /timed? ?out/i.test(message)) {
    const stage = ctx.handshakeDone ? 'http' : ctx.connected === false ? 'connect' : 'handshake';
    return { outcome: 'error', stage, alert: null, alertCode: null, error };
  }
  if (UPSTREAM_CERT_CODES.test(code)) return { outcome: 'error', stage: 'handshake', alert: null, alertCode: null, error };
  if (RESET_CODES.has(code) || /socket hang up|socket disconnected|connection reset/i.test(message)) {
    // Node's "Client network socket disconnected before secure TLS connection was
    // established" is a reset in the handshake even when it says ECONNRESET after a connect.
    return { outcome: 'reset', stage: ctx.reused ? 'http' : tlsStage, alert: null, alertCode: null, error };
  }
  if (code.startsWith('ERR_SSL_')) return { outcome: 'error', stage: 'handshake', alert: null, alertCode: null, error };
  return { outcome: 'error', stage: ctx.handshakeDone ? 'http' : 'connect', alert: null, alertCode: null, error };
}

/** Short machine-friendly names for the complaints Pinprobe recognises; used in evidence. */
export type CertComplaint =
  | 'no-required-ssl-certificate'
  | 'ssl-certificate-error'
  | 'client-certificate-required'
  | 'client-certificate-invalid'
  | 'mtls-required';

// The gap between "client certificate" and the complaint word never crosses a sentence
// end or a tag, so "…or a client certificate to sign in. Password required." stays quiet.
const COMPLAINT_PATTERNS: ReadonlyArray<[CertComplaint, RegExp]> = [
  // nginx's texts for its internal 496 and 495 (sent to the client as 400 unless remapped).
  ['no-required-ssl-certificate', /no required ssl certificate/i],
  ['ssl-certificate-error', /the ssl certificate error/i],
  ['client-certificate-invalid', /client[\s_-]*cert(?:ificate)?s?[^.!?<>\n]{0,30}?(?:invalid|not (?:valid|trusted)|untrusted|rejected|verification failed|expired|revoked)/i],
  ['client-certificate-invalid', /(?:invalid|untrusted|unknown|bad|rejected)[\s_-]*client[\s_-]*cert/i],
  ['client-certificate-required', /client[\s_-]*cert(?:ificate)?s?[^.!?<>\n]{0,30}?(?:required|missing|needed|expected|absent|not (?:provided|presented|sent|found|supplied))/i],
  ['client-certificate-required', /(?:missing|no|requires?|required|provide|present)[\s_-]+(?:a[\s_-]+)?(?:valid[\s_-]+)?client[\s_-]*cert/i],
  ['mtls-required', /\b(?:mutual[\s_-]*tls|mtls)\b[^.!?<>\n]{0,30}?(?:required|failed|missing|needed)/i],
];

/** Statuses at which a body naming the certificate counts as a complaint. */
const COMPLAINT_STATUSES = new Set([400, 401, 403]);

/**
 * Which missing/invalid-client-certificate complaint an HTTP answer makes, or null.
 * 495/496 are nginx's own "certificate error"/"no certificate" codes: a complaint by
 * themselves. 400/401/403 need the status line or the start of the body to name the
 * client certificate — a bare "403 Forbidden" or a login page is not a complaint (the
 * judge may still count a bare 403 when the same host served a request that carried a
 * certificate; see proxy/judge/mtls.ts).
 */
export function certComplaintKind(status: number, statusText: string, bodyStart: string): CertComplaint | null {
  if (status === 496) return 'no-required-ssl-certificate';
  if (status === 495) return 'ssl-certificate-error';
  if (!COMPLAINT_STATUSES.has(status)) return null;
  const text = `${statusText}\n${bodyStart.slice(0, 8192)}`;
  for (const [kind, pattern] of COMPLAINT_PATTERNS) if (pattern.test(text)) return kind;
  return null;
}

export function certComplaint(status: number, statusText: string, bodyStart: string): boolean {
  return certComplaintKind(status, statusText, bodyStart) !== null;
}

/** Whether the engine needs the start of the body to judge a complaint (else skip peeking). */
export function complaintNeedsBody(status: number): boolean {
  return COMPLAINT_STATUSES.has(status);
}

function decodeOne(data: Buffer, encoding: string): Buffer | null {
  // The head may stop mid-stream: flush what decodes instead of demanding the end.
  const partial = { finishFlush: zlibConstants.Z_SYNC_FLUSH };
  try {
    switch (encoding) {
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(data, partial);
      case 'deflate':
        // Meant to be zlib-wrapped; some servers send raw deflate.
        try {
          return inflateSync(data, partial);
        } catch {
          return inflateRawSync(data, partial);
        }
      case 'br':
        return brotliDecompressSync(data, { finishFlush: zlibConstants.BROTLI_OPERATION_FLUSH });
      case 'identity':
      case '':
        return data;
      default:
        return null;
    }
  } catch {
    return null;
  }
}

/**
 * The start of an answer's body as text for complaint matching, undoing Content-Encoding
 * (gzip, deflate, br; the phone's Accept-Encoding makes gateways compress their 403s). An
 * encoding that cannot be undone gives '' — compressed bytes never match anyway.
 */
export function bodyHeadText(head: Buffer, contentEncoding: string | string[] | undefined, max = 4096): string {
  const codings = (Array.isArray(contentEncoding) ? contentEncoding.join(',') : contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean);
  let data: Buffer | null = head;
  for (const coding of codings.reverse()) {
    data = decodeOne(data, coding);
    if (data === null) return '';
  }
  return data.subarray(0, max).toString('utf8');
}

/** The recorded fields for an HTTP answer that came back from upstream. */
export function classifyUpstreamAnswer(
  status: number,
  statusText: string,
  bodyStart: string,
): Pick<UpstreamEvent, 'outcome' | 'stage' | 'alert' | 'alertCode' | 'httpStatus' | 'certComplaint' | 'error'> & { complaint: CertComplaint | null } {
  const complaint = certComplaintKind(status, statusText, bodyStart);
  return { outcome: 'answered', stage: 'http', alert: null, alertCode: null, httpStatus: status, certComplaint: complaint !== null, complaint, error: null };
}

/**
 * Body of the 502 the phone gets when the backend gave no HTTP answer. `clientCert`: whether
 * Pinprobe presented a certificate on that attempt (changes what to tell the tester).
 */
export function upstreamFailureMessage(host: string, c: UpstreamClassification, opts: { clientCert?: boolean } = {}): string {
  // Read on a phone, in curl or in the UI's Traffic view, by someone who set Pinprobe up
  // either in the UI or on the command line: name both places.
  const hint = opts.clientCert
    ? 'check the client certificate configured for this host (Controls → Client certificates (mTLS) in the app, or --client-cert)'
    : 'add a client certificate for this host (Controls → Client certificates (mTLS) in the app, or --client-cert on the command line)';
  if (c.outcome === 'tls-alert' && c.alert && CLIENT_CERT_ALERTS.has(c.alert)) {
    const what = opts.clientCert ? 'rejected the client certificate Pinprobe presented' : 'demanded a client certificate';
    return `Pinprobe: ${host} ${what} (TLS alert ${c.alert}) — ${hint}`;
  }
  if (c.outcome === 'tls-alert') return `Pinprobe: ${host} ended the TLS connection with alert ${c.alert ?? c.alertCode ?? 'unknown'} (${c.stage})`;
  if (c.outcome === 'reset' && c.stage === 'after-handshake') {
    const why = opts.clientCert ? 'it may have refused the client certificate Pinprobe presented' : 'it may demand a client certificate';
    return `Pinprobe: ${host} closed the connection right after the TLS handshake — ${why}; ${hint}`;
  }
  if (c.outcome === 'reset') return `Pinprobe: ${host} closed the connection ${c.stage === 'handshake' ? 'during the TLS handshake' : 'before answering'} (${c.error ?? 'reset'})`;
  if (isUntrustedUpstream(c)) {
    return `Pinprobe: the certificate of ${host} is not trusted (${c.error}) — add its CA under Controls → Upstream trust in the app, or pass --upstream-ca FILE (or --upstream-insecure)`;
  }
  if (c.stage === 'connect') return `Pinprobe: could not connect to ${host} (${c.error ?? 'error'})`;
  return `Pinprobe: ${host} failed (${c.error ?? c.outcome})`;
}
