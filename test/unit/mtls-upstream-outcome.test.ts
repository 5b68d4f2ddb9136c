// Upstream outcome classification, fed with errors captured from real Node TLS connections
// to real loopback servers wherever the error can be produced that way.
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamFailureMessage } from '../../proxy/net/bad-gateway-text.js';
import { certComplaint, certComplaintKind, classifyUpstreamAnswer } from '../../proxy/observe/cert-complaint.js';
import { TLS_ALERTS, alertFromError, alertName } from '../../proxy/observe/tls-alerts.js';
import { classifyUpstreamFailure } from '../../proxy/observe/upstream-failure.js';
import { testPki } from '../helpers/pki.js';
import { freePort, plainServer, requireCertServer, type RunningServer } from '../helpers/tls-servers.js';

interface Captured {
  err: Error;
  handshakeDone: boolean;
}

/** Connects, sends a request after the handshake, and returns the error that ended it. */
function capture(port: number, opts: tls.ConnectionOptions): Promise<Captured> {
  return new Promise((resolve, reject) => {
    let handshakeDone = false;
    const socket = tls.connect({ host: '127.0.0.1', port, ...opts });
    socket.on('secureConnect', () => {
      handshakeDone = true;
      socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
    socket.on('data', () => undefined);
    socket.on('error', (err) => resolve({ err, handshakeDone }));
    socket.on('close', () => setTimeout(() => reject(new Error('closed without an error')), 50));
  });
}

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

describe('classifyUpstreamFailure with real errors', () => {
  const pki = testPki();
  let tls12: RunningServer;
  let tls13: RunningServer;
  let plain: RunningServer;
  beforeAll(async () => {
    [tls12, tls13, plain] = await Promise.all([requireCertServer({ maxVersion: 'TLSv1.2' }), requireCertServer({ maxVersion: 'TLSv1.3' }), plainServer()]);
  });
  afterAll(async () => {
    await Promise.all([tls12?.close(), tls13?.close(), plain?.close()]);
  });

  it('TLS 1.2 without a certificate: handshake_failure (40) in the handshake', async () => {
    const { err, handshakeDone } = await capture(tls12.port, { ca: [pki.caCert], maxVersion: 'TLSv1.2' });
    expect((err as NodeJS.ErrnoException).code).toBe('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE');
    expect(handshakeDone).toBe(false);
    expect(alertFromError(err)).toEqual({ name: 'handshake_failure', code: 40 });
    expect(classifyUpstreamFailure(err, { handshakeDone })).toMatchObject({ outcome: 'tls-alert', stage: 'handshake', alert: 'handshake_failure', alertCode: 40 });
  });

  it('TLS 1.3 without a certificate: certificate_required (116) after a completed handshake', async () => {
    const { err, handshakeDone } = await capture(tls13.port, { ca: [pki.caCert], minVersion: 'TLSv1.3' });
    expect((err as NodeJS.ErrnoException).code).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    expect(handshakeDone).toBe(true);
    const c = classifyUpstreamFailure(err, { handshakeDone });
    expect(c).toMatchObject({ outcome: 'tls-alert', stage: 'after-handshake', alert: 'certificate_required', alertCode: 116 });
    expect(c.error).toMatch(/ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED/);
    expect(c.error).not.toMatch(/rec_layer/);
  });

  it('a TLS version the server does not speak: protocol_version (70), not a client-certificate alert', async () => {
    const { err, handshakeDone } = await capture(tls12.port, { ca: [pki.caCert], minVersion: 'TLSv1.3' });
    expect(classifyUpstreamFailure(err, { handshakeDone })).toMatchObject({ outcome: 'tls-alert', stage: 'handshake', alert: 'protocol_version', alertCode: 70 });
    expect(upstreamFailureMessage('h:443', classifyUpstreamFailure(err, { handshakeDone }))).not.toMatch(/client certificate/);
  });

  it('an untrusted self-signed client certificate on TLS 1.2: Node servers drop it mid-handshake (reset)', async () => {
    const { err, handshakeDone } = await capture(tls12.port, { ca: [pki.caCert], maxVersion: 'TLSv1.2', cert: pki.serverCert, key: pki.serverKey });
    expect(classifyUpstreamFailure(err, { handshakeDone })).toMatchObject({ outcome: 'reset', stage: 'handshake', alert: null });
  });

  it('an upstream certificate we do not trust is an error, not an alert', async () => {
    const { err, handshakeDone } = await capture(plain.port, {});
    const c = classifyUpstreamFailure(err, { handshakeDone });
    expect(c).toMatchObject({ outcome: 'error', stage: 'handshake', alert: null });
    expect(upstreamFailureMessage('127.0.0.1:1', c)).toMatch(/--upstream-ca/);
  });

  it('connection refused is an error at connect', async () => {
    const port = await freePort();
    const err = await new Promise<Error>((resolve) => net.connect(port, '127.0.0.1').on('error', resolve));
    const c = classifyUpstreamFailure(err, { handshakeDone: false });
    expect(c).toMatchObject({ outcome: 'error', stage: 'connect' });
    expect(c.error).toMatch(/^ECONNREFUSED/);
    expect(upstreamFailureMessage('127.0.0.1:1', c)).toMatch(/could not connect/);
  });

  it('resets, hang-ups and timeouts by stage', () => {
    const hangUp = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyUpstreamFailure(hangUp, { handshakeDone: true })).toMatchObject({ outcome: 'reset', stage: 'after-handshake' });
    expect(classifyUpstreamFailure(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), { handshakeDone: false })).toMatchObject({ outcome: 'reset', stage: 'handshake' });
    // A kept-alive connection closed by the server is not a refusal.
    expect(classifyUpstreamFailure(hangUp, { handshakeDone: true, reused: true })).toMatchObject({ outcome: 'reset', stage: 'http' });
    const timeout = Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
    expect(classifyUpstreamFailure(timeout, { handshakeDone: true })).toMatchObject({ outcome: 'error', stage: 'http' });
    expect(classifyUpstreamFailure(timeout, { handshakeDone: false, connected: false })).toMatchObject({ outcome: 'error', stage: 'connect' });
    expect(classifyUpstreamFailure(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }), { handshakeDone: false })).toMatchObject({ outcome: 'error', stage: 'connect' });
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
