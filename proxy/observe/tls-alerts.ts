// TLS alerts by RFC name and number, and the alert a peer sent read out of a Node/OpenSSL
// error. Used for both sides: the client's alerts (client-outcome.ts) and the backend's
// (upstream-failure.ts). See docs/mtls.md.

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

/** `code` and `message` of anything thrown (Node errors, strings, odd values). */
export function errorParts(err: unknown): { code: string; message: string } {
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
