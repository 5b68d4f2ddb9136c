// Per-host mTLS verdict from upstream attempts (SPEC "mTLS"); rules and their reasons are
// written up in docs/mtls.md. Pure: the same recorded attempts always give the same verdict.
import { CLIENT_CERT_ALERTS } from '../observe/tls-alerts.js';
import type { UpstreamEvent } from '../session/events.js';
import type { Finding, MtlsVerdict } from './report-types.js';

/** Which certificate an attempt carried. */
export type AttemptCert = 'none' | 'configured' | 'self-signed';

/**
 * UpstreamEvent plus two optional fields proposed for the contract (proxy/session/events.ts):
 * `clientCert.kind` marks Pinprobe's untrusted self-signed probe certificate, and
 * `complaint` names the recognised complaint (see certComplaintKind). Plain UpstreamEvents
 * are MtlsAttempts too; without the fields, certificates count as configured and the
 * complaint evidence is generic.
 */
export type MtlsAttempt = UpstreamEvent & {
  clientCert: { subject: string; kind?: 'configured' | 'self-signed' } | null;
  complaint?: string | null;
};

export function attemptCert(a: UpstreamEvent): AttemptCert {
  if (!a.clientCert) return 'none';
  return (a as MtlsAttempt).clientCert?.kind === 'self-signed' ? 'self-signed' : 'configured';
}

/** The evidence string for one attempt: tls-alert:NAME, reset:STAGE, http-STATUS[:complaint], error:CODE. */
export function attemptEvidence(a: UpstreamEvent): string {
  switch (a.outcome) {
    case 'tls-alert':
      return `tls-alert:${a.alert ?? `alert_${a.alertCode ?? 'unknown'}`}`;
    case 'reset':
      return `reset:${a.stage === 'handshake' ? 'in-handshake' : a.stage === 'http' ? 'during-answer' : a.stage}`;
    case 'answered': {
      const base = `http-${a.httpStatus ?? 'unknown'}`;
      if (!a.certComplaint) return base;
      return `${base}:${(a as MtlsAttempt).complaint ?? complaintFromStatus(a.httpStatus)}`;
    }
    default:
      return `error:${/^[A-Z0-9_]+/.exec(a.error ?? '')?.[0] ?? a.stage}`;
  }
}

function complaintFromStatus(status: number | null): string {
  if (status === 496) return 'no-required-ssl-certificate';
  if (status === 495) return 'ssl-certificate-error';
  return 'client-certificate';
}

/** An HTTP answer that neither complains about the certificate nor is a bare 403. */
export function isOrdinaryAnswer(a: UpstreamEvent): boolean {
  return a.outcome === 'answered' && !a.certComplaint && a.httpStatus !== 403;
}

function isBare403(a: UpstreamEvent): boolean {
  return a.outcome === 'answered' && !a.certComplaint && a.httpStatus === 403;
}

/** A refusal that is about the certificate by itself, whatever else the host did. */
function isDirectRefusal(a: UpstreamEvent): boolean {
  if (a.outcome === 'tls-alert') return a.alert !== null && CLIENT_CERT_ALERTS.has(a.alert);
  if (a.outcome === 'reset') return a.stage === 'after-handshake';
  return a.outcome === 'answered' && a.certComplaint;
}

/** Lower is stronger evidence; used to pick one evidence string among several refusals. */
function refusalRank(a: UpstreamEvent): number {
  if (a.outcome === 'tls-alert') return a.alert === 'certificate_required' ? 0 : 1;
  if (a.outcome === 'answered') return a.certComplaint ? 2 : 4;
  return a.stage === 'after-handshake' ? 3 : 5;
}

/**
 * Why a no-certificate attempt counts as a refusal, or null. Besides the direct refusals:
 * a bare 403 counts when a request that carried a certificate was answered ordinarily
 * (gateway style, SPEC); a reset inside the handshake counts when an attempt with a
 * certificate got through. A handshake_failure that our configured certificate also got at
 * the same TLS version is a cipher/protocol mismatch, not mTLS.
 */
function refusal(a: UpstreamEvent, withAnyCert: readonly UpstreamEvent[], withConfigured: readonly UpstreamEvent[]): boolean {
  if (a.outcome === 'tls-alert' && a.alert === 'handshake_failure') {
    const sameFailure = withConfigured.some((c) => c.outcome === 'tls-alert' && c.alert === 'handshake_failure' && c.tlsVersion === a.tlsVersion);
    if (sameFailure) return false;
  }
  if (isDirectRefusal(a)) return true;
  const certServed = withAnyCert.some(isOrdinaryAnswer);
  if (isBare403(a)) return certServed;
  if (a.outcome === 'reset' && a.stage === 'handshake') return certServed;
  return false;
}

function withCertResult(configured: readonly UpstreamEvent[]): MtlsVerdict['withCert'] {
  // A bare 403 with our certificate still means the TLS layer took it: accepted.
  if (configured.some((a) => a.outcome === 'answered' && !a.certComplaint)) return 'accepted';
  const refused = configured.some((a) => isDirectRefusal(a) || (a.outcome === 'reset' && a.stage === 'handshake'));
  return refused ? 'rejected' : 'untested';
}

/**
 * `attempts`: the upstream attempts of one host:port, in recorded order.
 * Precedence: an ordinary answer without a certificate wins (the backend served someone
 * without one — nginx `optional`, a TLS version or path left open), then refusals (the
 * strongest evidence is reported), else unknown.
 */
export function judgeMtls(attempts: readonly UpstreamEvent[]): MtlsVerdict {
  const noCert = attempts.filter((a) => attemptCert(a) === 'none');
  const withAnyCert = attempts.filter((a) => attemptCert(a) !== 'none');
  const configured = attempts.filter((a) => attemptCert(a) === 'configured');
  const withCert = withCertResult(configured);
  if (noCert.length === 0) return { verdict: 'unknown', evidence: null, withCert };
  const served = noCert.find(isOrdinaryAnswer);
  if (served) return { verdict: 'not-enforced', evidence: attemptEvidence(served), withCert };
  const refusals = noCert.filter((a) => refusal(a, withAnyCert, configured));
  if (refusals.length > 0) {
    const best = refusals.reduce((b, a) => (refusalRank(a) < refusalRank(b) ? a : b));
    return { verdict: 'enforced', evidence: attemptEvidence(best), withCert };
  }
  // Attempted but nothing decisive (connect errors, protocol_version, a lone bare 403): say what happened.
  const informative = noCert.find((a) => a.outcome !== 'error') ?? noCert[0];
  return { verdict: 'unknown', evidence: attemptEvidence(informative), withCert };
}

/**
 * Critical finding: the host refuses a connection without a certificate but serves one
 * that carried Pinprobe's untrusted self-signed certificate (it checks that *a*
 * certificate came, not who issued it). Needs attempts marked `clientCert.kind: 'self-signed'`.
 */
export function acceptsAnyClientCert(attempts: readonly UpstreamEvent[]): boolean {
  const selfSignedServed = attempts.some((a) => attemptCert(a) === 'self-signed' && isOrdinaryAnswer(a));
  return selfSignedServed && judgeMtls(attempts).verdict === 'enforced';
}

export const MTLS_FINDING_IDS = { notEnforced: 'mtls-not-enforced', acceptsAnyCert: 'mtls-accepts-any-client-cert', certRejected: 'mtls-client-cert-rejected' } as const;

/**
 * The mTLS findings of one host. `expectMtls`: the host matches --expect-mtls (a missing
 * enforcement is then high, else info).
 */
export function mtlsFindings(host: string, verdict: MtlsVerdict, opts: { expectMtls: boolean; acceptsAnyCert: boolean }): Finding[] {
  const findings: Finding[] = [];
  if (opts.acceptsAnyCert) {
    findings.push({
      id: MTLS_FINDING_IDS.acceptsAnyCert,
      severity: 'critical',
      title: `${host} accepts any client certificate (an untrusted self-signed one was served)`,
      masvs: 'MASVS-NETWORK-1',
    });
  }
  if (verdict.verdict === 'not-enforced') {
    findings.push({
      id: MTLS_FINDING_IDS.notEnforced,
      severity: opts.expectMtls ? 'high' : 'info',
      title: `${host} does not enforce mTLS: it answered without a client certificate (${verdict.evidence ?? 'no evidence'})`,
      masvs: 'MASVS-NETWORK-1',
    });
  }
  if (verdict.withCert === 'rejected') {
    findings.push({
      id: MTLS_FINDING_IDS.certRejected,
      severity: 'info',
      title: `${host} rejected the configured client certificate — check --client-cert`,
      masvs: 'MASVS-NETWORK-1',
    });
  }
  return findings;
}
