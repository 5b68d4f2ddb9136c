import { describe, expect, it } from 'vitest';
import { acceptsAnyClientCert, attemptEvidence, judgeMtls, mtlsFindings, type MtlsAttempt } from '../../proxy/judge/mtls.js';
import type { UpstreamEvent } from '../../proxy/session/events.js';

let seq = 0;
type Shape = Partial<Omit<MtlsAttempt, 'clientCert'>> & { cert?: 'none' | 'configured' | 'self-signed' };

function attempt(shape: Shape): MtlsAttempt {
  const { cert = 'none', ...rest } = shape;
  return {
    type: 'upstream',
    time: '2026-01-01T00:00:00.000Z',
    id: `u${++seq}`,
    request: null,
    host: 'api.example.com',
    port: 443,
    probe: false,
    clientCert: cert === 'none' ? null : cert === 'configured' ? { subject: 'CN=device' } : { subject: 'CN=Pinprobe', kind: 'self-signed' },
    tlsVersion: 'TLSv1.3',
    outcome: 'answered',
    stage: 'http',
    alert: null,
    alertCode: null,
    httpStatus: 200,
    certComplaint: false,
    error: null,
    ...rest,
  };
}

const alert = (name: string, code: number, stage: UpstreamEvent['stage'] = 'handshake', extra: Shape = {}) =>
  attempt({ outcome: 'tls-alert', stage, alert: name, alertCode: code, httpStatus: null, ...extra });
const http = (status: number, extra: Shape = {}) => attempt({ httpStatus: status, ...extra });
const reset = (stage: UpstreamEvent['stage'], extra: Shape = {}) => attempt({ outcome: 'reset', stage, httpStatus: null, error: 'ECONNRESET: socket hang up', ...extra });
const error = (code: string, extra: Shape = {}) => attempt({ outcome: 'error', stage: 'connect', httpStatus: null, error: `${code}: boom`, ...extra });

describe('judgeMtls', () => {
  it('unknown without any attempt without a certificate', () => {
    expect(judgeMtls([])).toEqual({ verdict: 'unknown', evidence: null, withCert: 'untested' });
    expect(judgeMtls([http(200, { cert: 'configured' })])).toEqual({ verdict: 'unknown', evidence: null, withCert: 'accepted' });
  });

  it('enforced by a TLS alert, in the handshake (1.2) or on the first read (1.3)', () => {
    expect(judgeMtls([alert('handshake_failure', 40, 'handshake', { tlsVersion: null })])).toEqual({ verdict: 'enforced', evidence: 'tls-alert:handshake_failure', withCert: 'untested' });
    expect(judgeMtls([alert('certificate_required', 116, 'after-handshake')]).evidence).toBe('tls-alert:certificate_required');
    expect(judgeMtls([alert('bad_certificate', 42)]).verdict).toBe('enforced');
  });

  it('alerts unrelated to certificates prove nothing', () => {
    expect(judgeMtls([alert('protocol_version', 70)])).toEqual({ verdict: 'unknown', evidence: 'tls-alert:protocol_version', withCert: 'untested' });
    expect(judgeMtls([alert('unrecognized_name', 112)]).verdict).toBe('unknown');
  });

  it('enforced by a reset right after the handshake, not by one inside it', () => {
    expect(judgeMtls([reset('after-handshake')])).toMatchObject({ verdict: 'enforced', evidence: 'reset:after-handshake' });
    expect(judgeMtls([reset('handshake')])).toMatchObject({ verdict: 'unknown', evidence: 'reset:in-handshake' });
    // …unless a certificate got through where no certificate did not.
    expect(judgeMtls([reset('handshake'), http(200, { cert: 'configured' })])).toMatchObject({ verdict: 'enforced', evidence: 'reset:in-handshake', withCert: 'accepted' });
  });

  it('enforced by an HTTP complaint, with the complaint in the evidence', () => {
    expect(judgeMtls([http(400, { certComplaint: true, complaint: 'no-required-ssl-certificate' })]).evidence).toBe('http-400:no-required-ssl-certificate');
    // Without the proposed `complaint` field: generic, or nginx's name for 495/496.
    expect(judgeMtls([http(403, { certComplaint: true })]).evidence).toBe('http-403:client-certificate');
    expect(judgeMtls([http(496, { certComplaint: true })]).evidence).toBe('http-496:no-required-ssl-certificate');
  });

  it('a bare 403 counts only against a certificate-carrying answer that was not a 403', () => {
    expect(judgeMtls([http(403)])).toEqual({ verdict: 'unknown', evidence: 'http-403', withCert: 'untested' });
    expect(judgeMtls([http(403), http(200, { cert: 'configured' })])).toEqual({ verdict: 'enforced', evidence: 'http-403', withCert: 'accepted' });
    expect(judgeMtls([http(403), http(403, { cert: 'configured' })])).toMatchObject({ verdict: 'unknown', withCert: 'accepted' });
    expect(judgeMtls([http(403), http(200, { cert: 'self-signed' })])).toMatchObject({ verdict: 'enforced', withCert: 'untested' });
  });

  it('not-enforced when an ordinary answer came back without a certificate — and that wins', () => {
    expect(judgeMtls([http(200)])).toEqual({ verdict: 'not-enforced', evidence: 'http-200', withCert: 'untested' });
    expect(judgeMtls([http(401)]).verdict).toBe('not-enforced');
    expect(judgeMtls([http(404)]).evidence).toBe('http-404');
    // Probe refused on one path or version, a real request served: it does not enforce.
    expect(judgeMtls([alert('certificate_required', 116, 'after-handshake', { probe: true }), http(200)])).toMatchObject({ verdict: 'not-enforced', evidence: 'http-200' });
  });

  it('picks the strongest evidence among refusals', () => {
    const v = judgeMtls([reset('after-handshake'), http(400, { certComplaint: true, complaint: 'no-required-ssl-certificate' }), alert('handshake_failure', 40), alert('certificate_required', 116, 'after-handshake')]);
    expect(v.evidence).toBe('tls-alert:certificate_required');
    expect(judgeMtls([reset('after-handshake'), http(400, { certComplaint: true, complaint: 'x' })]).evidence).toBe('http-400:x');
  });

  it('handshake_failure that our certificate also got at the same version is a mismatch, not mTLS', () => {
    const same = judgeMtls([alert('handshake_failure', 40, 'handshake', { tlsVersion: 'TLSv1.2' }), alert('handshake_failure', 40, 'handshake', { tlsVersion: 'TLSv1.2', cert: 'configured' })]);
    expect(same).toMatchObject({ verdict: 'unknown', withCert: 'rejected' });
    const other = judgeMtls([alert('handshake_failure', 40, 'handshake', { tlsVersion: 'TLSv1.2' }), alert('handshake_failure', 40, 'handshake', { tlsVersion: 'TLSv1.3', cert: 'configured' })]);
    expect(other.verdict).toBe('enforced');
  });

  it('errors never decide', () => {
    expect(judgeMtls([error('ECONNREFUSED')])).toEqual({ verdict: 'unknown', evidence: 'error:ECONNREFUSED', withCert: 'untested' });
    expect(judgeMtls([error('ECONNREFUSED'), alert('protocol_version', 70)]).evidence).toBe('tls-alert:protocol_version');
  });

  it('withCert from the configured certificate only', () => {
    expect(judgeMtls([http(400, { cert: 'configured', certComplaint: true })]).withCert).toBe('rejected');
    expect(judgeMtls([alert('unknown_ca', 48, 'handshake', { cert: 'configured' })]).withCert).toBe('rejected');
    expect(judgeMtls([reset('after-handshake', { cert: 'configured' }), http(200, { cert: 'configured' })]).withCert).toBe('accepted');
    expect(judgeMtls([error('ETIMEDOUT', { cert: 'configured' })]).withCert).toBe('untested');
    expect(judgeMtls([http(200, { cert: 'self-signed' })]).withCert).toBe('untested');
  });
});

describe('accepts any client certificate', () => {
  it('only when refused without a certificate and served with the self-signed one', () => {
    expect(acceptsAnyClientCert([alert('certificate_required', 116, 'after-handshake'), http(200, { cert: 'self-signed' })])).toBe(true);
    expect(acceptsAnyClientCert([http(200), http(200, { cert: 'self-signed' })])).toBe(false);
    expect(acceptsAnyClientCert([alert('certificate_required', 116), alert('unknown_ca', 48, 'handshake', { cert: 'self-signed' })])).toBe(false);
    expect(acceptsAnyClientCert([alert('certificate_required', 116), http(400, { cert: 'self-signed', certComplaint: true })])).toBe(false);
    // Unmarked certificates are taken as configured ones: never this finding.
    expect(acceptsAnyClientCert([alert('certificate_required', 116), http(200, { cert: 'configured' })])).toBe(false);
  });

  it('findings: critical, and not-enforced at info or high', () => {
    const enforced = { verdict: 'enforced', evidence: 'tls-alert:certificate_required', withCert: 'accepted' } as const;
    expect(mtlsFindings('h:443', enforced, { expectMtls: true, acceptsAnyCert: true }).map((f) => [f.id, f.severity])).toEqual([['mtls-accepts-any-client-cert', 'critical']]);
    const open = { verdict: 'not-enforced', evidence: 'http-200', withCert: 'untested' } as const;
    expect(mtlsFindings('h:443', open, { expectMtls: false, acceptsAnyCert: false })[0]).toMatchObject({ id: 'mtls-not-enforced', severity: 'info' });
    expect(mtlsFindings('h:443', open, { expectMtls: true, acceptsAnyCert: false })[0]).toMatchObject({ severity: 'high', masvs: 'MASVS-NETWORK-1' });
    expect(mtlsFindings('h:443', { verdict: 'unknown', evidence: null, withCert: 'rejected' }, { expectMtls: false, acceptsAnyCert: false })[0].id).toBe('mtls-client-cert-rejected');
  });
});

describe('attemptEvidence', () => {
  it('formats every outcome', () => {
    expect(attemptEvidence(alert('certificate_required', 116))).toBe('tls-alert:certificate_required');
    expect(attemptEvidence(attempt({ outcome: 'tls-alert', alert: null, alertCode: 200 }))).toBe('tls-alert:alert_200');
    expect(attemptEvidence(reset('http'))).toBe('reset:during-answer');
    expect(attemptEvidence(http(200))).toBe('http-200');
    expect(attemptEvidence(error('ENOTFOUND'))).toBe('error:ENOTFOUND');
    expect(attemptEvidence(attempt({ outcome: 'error', stage: 'http', error: 'the server did not answer with HTTP/1.x' }))).toBe('error:http');
  });
});
