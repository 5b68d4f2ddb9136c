// Why a host's mTLS verdict is `unknown`, in words, and what would settle it. The verdict's
// evidence is a code (`error:ECONNREFUSED`, `http-403`…) that a tester has to look up; the
// text and HTML reports, JUnit, the UI's host view and `probe-mtls` print this sentence
// beside it. Pure: it reads only the verdict (and what the caller knows of the host's
// requests), so every output says the same thing.
//
// Whose attempt the evidence is matters: with a configured client certificate the app's
// requests carry it, so the attempt without one is Pinprobe's own probe (features/
// mtls-prober.ts) and the app's requests were not hurt by its failure; `withCert` other
// than `untested` says the configured certificate was used and answered or refused.
import { isTimeoutCode, isUntrustedCertCode } from '../observe/upstream-failure.js';
import { SCENARIOS } from '../session/events.js';
import type { HostVerdict, MtlsVerdict } from './report-types.js';

/** What an `error:CODE` evidence means for reaching the backend; null for codes that are not about reaching it. */
export function unreachableWords(code: string, hostPort: string, host: string): string | null {
  switch (code) {
    case 'ECONNREFUSED':
      // A --map-remote rule is not in the session file: the refused address may be its target.
      return `the connection to ${hostPort} (or to where a --map-remote rule sends it) was refused: nothing listens there, or a firewall refuses it`;
    case 'ENOTFOUND':
      return `the name ${host} does not resolve on this computer`;
    case 'EAI_AGAIN':
      return `no DNS answer for ${host} on this computer`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return `this computer has no route to ${host}`;
    case 'EADDRNOTAVAIL':
      return `this computer could not open a connection to ${hostPort} (address not available)`;
    default:
      return null;
  }
}

const NAME_CODES = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
/** The port answered something that is not HTTP at all (another protocol): as opposed to HTTP Node's parser refuses. */
const NOT_HTTP_CODES = new Set(['http', 'HPE_INVALID_CONSTANT', 'HPE_INVALID_VERSION', 'HPE_INVALID_STATUS']);
/** No TLS on that port (plain HTTP or another protocol answered the ClientHello). */
const NOT_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);
const DATE_CODES: Record<string, string> = { CERT_HAS_EXPIRED: 'has expired', CERT_NOT_YET_VALID: 'is not valid yet', CERT_REVOKED: 'is revoked' };

/** Only cleartext HTTP on this host:port, as far as the verdict tells: plain requests and no TLS connection with any result. */
export function looksCleartextOnly(h: Pick<HostVerdict, 'cleartext' | 'client'>): boolean {
  return h.cleartext && SCENARIOS.every((s) => h.client[s].result === 'untested');
}

export interface UnknownContext {
  /** Only cleartext HTTP was seen on this host:port. */
  cleartextOnly?: boolean;
  /** How many of the app's requests to this host:port were recorded, when the caller knows. */
  requests?: number;
}

/**
 * The sentence for an `unknown` verdict (null for `enforced` / `not-enforced`): what the
 * attempt without a client certificate showed and what would settle the question.
 */
export function mtlsUnknownWords(mtls: MtlsVerdict, host: string, hostPort: string, ctx: UnknownContext = {}): string | null {
  if (mtls.verdict !== 'unknown') return null;
  // The URL probe-mtls takes: the default port left out, as a user would type it.
  const probe = `pinprobe probe-mtls https://${hostPort.endsWith(':443') ? hostPort.slice(0, -4) : hostPort}/`;
  const byProbe = mtls.withCert !== 'untested';
  const evidence = mtls.evidence;
  if (evidence === null) {
    if (ctx.cleartextOnly) return `does not apply: only cleartext HTTP was seen on ${hostPort}, so there was no TLS connection to the backend`;
    if (byProbe) {
      // withCert exists: the app's requests reached the backend with the configured certificate.
      return `the app's requests reached ${hostPort} with the configured client certificate (${mtls.withCert === 'accepted' ? 'served' : 'refused'}), but Pinprobe's own attempt without one is not recorded (still on its way, or cut off by the stop); test it from this computer: ${probe} --client-cert FILE`;
    }
    if (ctx.requests === 0) {
      return `no request of the app has reached ${hostPort} through Pinprobe yet (it refused Pinprobe's certificate, sent nothing, or the host is tunnelled untouched); let the app send a request through Pinprobe, or test the backend from this computer: ${probe}`;
    }
    return `Pinprobe has no attempt without a client certificate to ${hostPort} recorded in this session to judge from: no request of the app went through to the backend (it refused Pinprobe's certificate, sent nothing, the host is tunnelled untouched, or each request ended before Pinprobe reached the backend); test the backend from this computer: ${probe}`;
  }
  const who = byProbe
    ? `Pinprobe's own attempt without a client certificate (a probe beside the app's requests, which carried the configured one and were ${mtls.withCert === 'accepted' ? 'served' : 'refused'})`
    : `the attempt without a client certificate`;
  const code = /^error:(.+)$/.exec(evidence)?.[1];
  if (code !== undefined) return errorWords(code, host, hostPort, probe, byProbe, who);
  if (evidence === 'tls-alert:protocol_version') return `${hostPort} refused the TLS version of ${who} (protocol_version); ${probe} tries TLS 1.2 and 1.3`;
  if (evidence === 'tls-alert:handshake_failure' && byProbe) {
    return `${hostPort} ended the handshake with handshake_failure with and without the configured client certificate at the same TLS version: a cipher or TLS-version mismatch, or a backend that refuses the configured certificate too; ${probe} --client-cert FILE shows each version's answer`;
  }
  if (evidence === 'http-403') {
    if (mtls.withCert === 'accepted') return `${hostPort} answered 403 with and without the configured client certificate, so this 403 does not show mTLS (Pinprobe's own attempt sends none of the app's credentials); ${probe} --client-cert FILE compares the TLS layer alone`;
    return `${hostPort} answered 403 without a client certificate, but no request with one was answered to compare (a 403 may be the application's own): give Pinprobe the app's certificate with --client-cert HOST=FILE (it then also asks without one), or run ${probe} --client-cert FILE`;
  }
  if (byProbe) return `${who} ended with ${evidence}, which does not tell mTLS apart from other failures; ${probe} shows each TLS version's answer with and without a certificate`;
  return `${who} ended with ${evidence}, which a backend without mTLS can cause too; compare with a certificate: --client-cert HOST=FILE, or ${probe} --client-cert FILE`;
}

/** The sentence for `error:CODE` evidence. */
function errorWords(code: string, host: string, hostPort: string, probe: string, byProbe: boolean, who: string): string {
  if (code === 'EPINPROBELOCAL') return `Pinprobe did not forward to ${hostPort}: it is this computer's loopback and the request came from a device on the network (send a host there on purpose with --map-remote)`;
  if (code === 'EPINPROBELOOP') return `Pinprobe did not forward to ${hostPort}: it is Pinprobe's own listener`;
  if (NAME_CODES.has(code)) return `the certificate of ${hostPort} does not name ${host} (${code}), so Pinprobe asked nothing; if that is expected (a test server, a --map-remote target), --upstream-insecure lets it go on`;
  const dated = DATE_CODES[code];
  if (dated !== undefined) return `the certificate of ${hostPort} ${dated} (${code}), so Pinprobe asked nothing; --upstream-insecure lets it go on anyway`;
  if (isUntrustedCertCode(code)) return `Pinprobe does not trust the certificate of ${hostPort} (${code}), so it asked nothing: pass the backend's CA with --upstream-ca FILE (or --upstream-insecure)`;
  const after = byProbe ? `mTLS is untested; ${probe} tries again` : `so the app got a 502 from Pinprobe and mTLS is untested`;
  const why = unreachableWords(code, hostPort, host);
  if (why !== null) {
    const subject = byProbe ? `${who} could not connect` : `Pinprobe could not reach the backend`;
    return `${subject}: ${why}, ${after}. Check the host and port and that this computer reaches it (DNS, VPN, firewall; the phone's network may reach hosts this computer cannot)${byProbe ? '' : `, then use the app again or run ${probe}`}`;
  }
  if (isTimeoutCode(code)) {
    // The evidence keeps no stage: connecting, the handshake or the HTTP answer may have stalled.
    return `${who} did not get through to ${hostPort} in time (connecting, the TLS handshake or the HTTP answer), ${after}: a slow or unreachable backend looks like this, and so does one that holds a connection without a certificate open; ${probe} tries each TLS version`;
  }
  if (NOT_HTTP_CODES.has(code)) return `${hostPort} was reached, but its answer to ${who} was not HTTP (${code}): check that the port is the backend's HTTPS port`;
  if (code.startsWith('HPE_')) return `${hostPort} answered ${who} with HTTP that Pinprobe could not read (${code}), which says nothing about mTLS; ${probe} shows the answer`;
  if (NOT_TLS_CODES.has(code)) return `${hostPort} did not speak TLS to ${who} (${code}): check that the port is the backend's HTTPS port`;
  if (code.startsWith('ERR_SSL_')) return `${hostPort} and ${who} found no TLS parameters in common (${code}: an old TLS version, no shared cipher, a weak key); ${probe} tries TLS 1.2 and 1.3`;
  return `${who} failed (${code}) before the backend could refuse or serve it; ${probe} tries TLS 1.2 and 1.3`;
}
