// How an upstream attempt failed (classifyUpstreamFailure), fed with errors captured from
// real Node TLS connections to real loopback servers wherever the error can be produced
// that way. The alert table, the certificate-complaint words and the 502 text are pure:
// test/unit/tls-alerts-cert-complaints-502-text.test.ts.
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamFailureMessage } from '../../../proxy/net/bad-gateway-text.js';
import { alertFromError } from '../../../proxy/observe/tls-alerts.js';
import { classifyUpstreamFailure } from '../../../proxy/observe/upstream-failure.js';
import { testPki } from '../../helpers/pki.js';
import { freePort, plainServer, requireCertServer, type RunningServer } from '../../helpers/tls-servers.js';

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

