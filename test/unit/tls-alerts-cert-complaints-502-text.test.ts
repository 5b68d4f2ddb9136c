// The words of an upstream failure, without sockets: TLS alert names and numbers, HTTP
// answers that complain about a client certificate (nginx's pages verbatim), and the 502
// text the phone reads. Classification from real errors: test/integration/mtls/.
import { describe, expect, it } from 'vitest';
import { upstreamFailureMessage } from '../../proxy/net/bad-gateway-text.js';
import { certComplaint, certComplaintKind, classifyUpstreamAnswer } from '../../proxy/observe/cert-complaint.js';
import { TLS_ALERTS, alertFromError, alertName } from '../../proxy/observe/tls-alerts.js';

describe('TLS alert table', () => {
  it('names every registered alert by its RFC name', () => {
    expect(alertName(40)).toBe('handshake_failure');
    expect(alertName(42)).toBe('bad_certificate');
    expect(alertName(46)).toBe('certificate_unknown');
    expect(alertName(48)).toBe('unknown_ca');
    expect(alertName(70)).toBe('protocol_version');
    expect(alertName(112)).toBe('unrecognized_name');
    expect(alertName(116)).toBe('certificate_required');
    expect(alertName(120)).toBe('no_application_protocol');
    expect(alertName(200)).toBe('alert_200');
    expect(Object.keys(TLS_ALERTS)).toHaveLength(35);
  });

  it('maps Node codes, OpenSSL reasons and alert numbers', () => {
    expect(alertFromError({ code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', message: '' })).toEqual({ name: 'bad_certificate', code: 42 });
    expect(alertFromError({ code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', message: '' })).toEqual({ name: 'unknown_ca', code: 48 });
    expect(alertFromError({ code: 'ERR_SSL_TLSV1_ALERT_USER_CANCELLED', message: '' })).toEqual({ name: 'user_canceled', code: 90 });
    expect(alertFromError({ code: 'ERR_SSL_TLSV1_UNRECOGNIZED_NAME', message: '' })).toEqual({ name: 'unrecognized_name', code: 112 });
    expect(alertFromError(new Error('routines::tlsv13 alert certificate required'))).toEqual({ name: 'certificate_required', code: 116 });
    expect(alertFromError(new Error('whatever:SSL alert number 116'))).toEqual({ name: 'certificate_required', code: 116 });
    // Not alerts: our own verdict on the server, local protocol errors, plain resets.
    expect(alertFromError({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' })).toBeNull();
    expect(alertFromError({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' })).toBeNull();
    expect(alertFromError({ code: 'ECONNRESET', message: 'socket hang up' })).toBeNull();
    expect(alertFromError(null)).toBeNull();
  });
});

describe('certComplaint', () => {
  // nginx 1.22's own pages, verbatim.
  const nginxNoCert = '<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>No required SSL certificate was sent</center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n';
  const nginxBadCert = '<html>\r\n<head><title>400 The SSL certificate error</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>The SSL certificate error</center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n';

  it('recognises nginx, 495/496 and gateway phrasing', () => {
    expect(certComplaintKind(400, 'Bad Request', nginxNoCert)).toBe('no-required-ssl-certificate');
    expect(certComplaintKind(400, 'Bad Request', nginxBadCert)).toBe('ssl-certificate-error');
    expect(certComplaintKind(496, 'SSL Certificate Required', '')).toBe('no-required-ssl-certificate');
    expect(certComplaintKind(495, '', '')).toBe('ssl-certificate-error');
    expect(certComplaintKind(403, 'Forbidden', '{"message":"client certificate required"}')).toBe('client-certificate-required');
    expect(certComplaintKind(403, 'Forbidden', '{"error":"CLIENT_CERTIFICATE_MISSING"}')).toBe('client-certificate-required');
    expect(certComplaintKind(401, 'Unauthorized', 'No client certificate presented')).toBe('client-certificate-required');
    expect(certComplaintKind(403, 'Forbidden', 'A valid client certificate is required')).toBe('client-certificate-required');
    expect(certComplaintKind(403, 'Forbidden', 'Invalid client certificate')).toBe('client-certificate-invalid');
    expect(certComplaintKind(403, 'Forbidden', 'mTLS authentication failed')).toBe('mtls-required');
  });

  it('stays quiet for ordinary pages and other statuses', () => {
    expect(certComplaint(403, 'Forbidden', '<html><title>Sign in</title><form>Password required</form></html>')).toBe(false);
    expect(certComplaint(403, 'Forbidden', '{"message":"Forbidden"}')).toBe(false);
    expect(certComplaint(403, 'Forbidden', 'Sign in with a smart card or client certificate. Password required.')).toBe(false);
    expect(certComplaint(200, 'OK', 'client certificate required')).toBe(false);
    expect(certComplaint(404, 'Not Found', 'No required SSL certificate was sent')).toBe(false);
    expect(certComplaint(400, 'Bad Request', '{"error":"missing field name"}')).toBe(false);
  });

  it('classifyUpstreamAnswer carries the status and complaint', () => {
    expect(classifyUpstreamAnswer(400, 'Bad Request', nginxNoCert)).toEqual({
      outcome: 'answered', stage: 'http', alert: null, alertCode: null, httpStatus: 400, certComplaint: true, complaint: 'no-required-ssl-certificate', error: null,
    });
    expect(classifyUpstreamAnswer(200, 'OK', 'ok')).toMatchObject({ certComplaint: false, complaint: null, httpStatus: 200 });
  });
});

describe('upstreamFailureMessage', () => {
  it('tells the phone the backend wants a client certificate', () => {
    const msg = upstreamFailureMessage('api.example.com:443', { outcome: 'tls-alert', stage: 'after-handshake', alert: 'certificate_required', alertCode: 116, error: null });
    expect(msg).toBe('Pinprobe: api.example.com:443 demanded a client certificate (TLS alert certificate_required) — add a client certificate for this host (Controls → Client certificates (mTLS) in the app, or --client-cert on the command line)');
  });
  it('says when our own certificate was refused', () => {
    const msg = upstreamFailureMessage('api.example.com:443', { outcome: 'tls-alert', stage: 'handshake', alert: 'unknown_ca', alertCode: 48, error: null }, { clientCert: true });
    expect(msg).toMatch(/rejected the client certificate Pinprobe presented \(TLS alert unknown_ca\)/);
  });
  it('a reset right after the handshake hints at mTLS', () => {
    const msg = upstreamFailureMessage('h:443', { outcome: 'reset', stage: 'after-handshake', alert: null, alertCode: null, error: 'ECONNRESET' });
    expect(msg).toMatch(/right after the TLS handshake.*client certificate/);
  });
});
