// HTTP answers from a backend that complain about a missing or invalid client certificate
// (nginx's 495/496, or a 400/401/403 whose status line or body start says so), with the
// Content-Encoding undone to read a compressed body's start. See docs/mtls.md.
import { brotliDecompressSync, constants as zlibConstants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { UpstreamEvent } from '../session/events.js';

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
