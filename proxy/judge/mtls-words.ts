// Why a host's mTLS verdict is `unknown`, in words, and what would settle it. The verdict's
// evidence is a code (`error:ECONNREFUSED`, `http-403`…) that a tester has to look up; the
// text and HTML reports, the UI's host view and `probe-mtls` print this sentence beside it.
// Pure: it reads only the verdict, so every output says the same thing.
import { isUntrustedCertCode } from '../observe/upstream-failure.js';
import { SCENARIOS } from '../session/events.js';
import type { HostVerdict, MtlsVerdict } from './report-types.js';

/** What an `error:CODE` evidence means for reaching the backend; null for codes that are not about reaching it. */
export function unreachableWords(code: string, hostPort: string, host: string): string | null {
  switch (code) {
    case 'ECONNREFUSED':
      return `the connection to ${hostPort} was refused (nothing listens on that port, or a firewall refuses it)`;
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
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
    case 'ERR_PINPROBE_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `${hostPort} did not answer in time`;
    default:
      return null;
  }
}

/** Only cleartext HTTP on this host:port, as far as the verdict tells: plain requests and no TLS connection with any result. */
export function looksCleartextOnly(h: Pick<HostVerdict, 'cleartext' | 'client'>): boolean {
  return h.cleartext && SCENARIOS.every((s) => h.client[s].result === 'untested');
}

/**
 * The sentence for an `unknown` verdict (null for `enforced` / `not-enforced`): what the
 * attempt without a client certificate showed and what would settle the question.
 */
export function mtlsUnknownWords(mtls: Pick<MtlsVerdict, 'verdict' | 'evidence'>, host: string, hostPort: string, cleartextOnly = false): string | null {
  if (mtls.verdict !== 'unknown') return null;
  if (cleartextOnly && mtls.evidence === null) return `does not apply: only cleartext HTTP was seen on ${hostPort}, so there was no TLS connection to the backend`;
  // The URL probe-mtls takes: the default port left out, as a user would type it.
  const probe = `pinprobe probe-mtls https://${hostPort.endsWith(':443') ? hostPort.slice(0, -4) : hostPort}/`;
  const evidence = mtls.evidence;
  if (evidence === null) {
    return `Pinprobe has not asked ${hostPort} anything without a client certificate: no request of the app has reached it through Pinprobe yet (the app refused Pinprobe's certificate, sent nothing, or the host is tunnelled untouched). Let the app send a request through Pinprobe, or test the backend from this computer: ${probe}`;
  }
  const code = /^error:(.+)$/.exec(evidence)?.[1];
  if (code !== undefined) {
    if (code === 'EPINPROBELOCAL') return `Pinprobe did not forward to ${hostPort}: it is this computer's loopback and the request came from a device on the network (send a host there on purpose with --map-remote)`;
    if (code === 'EPINPROBELOOP') return `Pinprobe did not forward to ${hostPort}: it is Pinprobe's own listener`;
    if (isUntrustedCertCode(code)) return `Pinprobe did not trust the certificate of ${hostPort} (${code}), so it asked nothing: pass the backend's CA with --upstream-ca FILE`;
    const why = unreachableWords(code, hostPort, host);
    if (why !== null) {
      return `Pinprobe could not reach the backend: ${why}, so the app got a 502 from Pinprobe and mTLS is untested. Check the host and port and that this computer reaches it (DNS, VPN, firewall; the phone's network may reach hosts this computer cannot), then use the app again or run ${probe}`;
    }
    return `the attempt without a client certificate failed (${code}) before the backend could refuse or serve it; run ${probe} to try again over TLS 1.2 and 1.3`;
  }
  if (evidence === 'tls-alert:protocol_version') return `${hostPort} refused the TLS version of the attempt without a certificate (protocol_version); ${probe} tries TLS 1.2 and 1.3`;
  if (evidence === 'http-403') {
    return `${hostPort} answered 403 without a client certificate, but no request with one was answered to compare (a 403 may be the application's own): give Pinprobe the app's certificate with --client-cert HOST=FILE (it then also asks without one), or run ${probe} --client-cert FILE`;
  }
  return `the attempt without a client certificate ended with ${evidence}, which a backend without mTLS can cause too; compare with a certificate: --client-cert HOST=FILE, or ${probe} --client-cert FILE`;
}
