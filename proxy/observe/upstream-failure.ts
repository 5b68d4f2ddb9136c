// How a failed upstream (Pinprobe -> backend) attempt ended, as recorded in an
// UpstreamEvent: a TLS alert, a reset before/after the handshake, a connection error or a
// timeout. A pure function of the error object, so the engine, the probe and the tests all
// classify the same way. See docs/mtls.md.
import type { UpstreamEvent } from '../session/events.js';
import { alertFromError, errorParts } from './tls-alerts.js';

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
const CONNECT_CODES = new Set(['EPINPROBELOOP', 'EPINPROBELOCAL', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EHOSTDOWN']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ERR_PINPROBE_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
/** Our own verdict on the backend's certificate (Node's X509 verify codes and hostname check). */
const UPSTREAM_CERT_CODES = /^(?:UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|CERT_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH|INVALID_CA|PATH_LENGTH_EXCEEDED|INVALID_PURPOSE|CERT_REJECTED|CERT_UNTRUSTED)/;

/** Whether an error code is a timeout (of connecting, the handshake or the answer). */
export function isTimeoutCode(code: string): boolean {
  return TIMEOUT_CODES.has(code);
}

/** Whether an error code says Pinprobe did not trust the backend's certificate. */
export function isUntrustedCertCode(code: string): boolean {
  return UPSTREAM_CERT_CODES.test(code);
}

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
