// probe-mtls against every server behaviour in TLS-FACTS.md, started for real on loopback.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClientCert, parseClientCertSpec, type LoadedClientCert } from '../../../proxy/net/client-certs.js';
import { probeMtls, runProbeMtlsCommand, type ProbeAttempt, type ProbeResult } from '../../../proxy/probe-mtls/probe.js';
import type { TlsVersionName } from '../../../proxy/net/mtls-attempt.js';
import { nginxAvailable, startNginx } from '../../helpers/nginx.js';
import { testPki } from '../../helpers/pki.js';
import { freePort, gateway403Server, opensslServer, plainServer, requireCertServer, type RunningServer } from '../../helpers/tls-servers.js';

const pki = testPki();
let pem: LoadedClientCert;
let p12: LoadedClientCert;

beforeAll(async () => {
  pem = await loadClientCert(parseClientCertSpec(`127.0.0.1=${pki.clientCertPath},${pki.clientKeyPath}`));
  p12 = await loadClientCert(parseClientCertSpec(`127.0.0.1=${pki.clientP12Path}:${pki.clientP12Pass}`));
});

function pick(result: ProbeResult, version: TlsVersionName, cert: ProbeAttempt['cert']): ProbeAttempt {
  const found = result.attempts.find((a) => a.requestedVersion === version && a.cert === cert);
  if (!found) throw new Error(`no ${version} ${cert} attempt`);
  return found;
}

function evidence(result: ProbeResult): Record<string, string> {
  return Object.fromEntries(result.attempts.map((a) => [`${a.requestedVersion} ${a.cert}`, a.evidence]));
}

/** Starts the server for a describe block and stops it afterwards. */
function withServer(start: () => Promise<RunningServer>): () => RunningServer {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('server not started');
    return server;
  };
}

const probe = (server: RunningServer, clientCert?: LoadedClientCert) => probeMtls(server.url, { upstreamCa: [pki.caCert], clientCert, timeoutMs: 5000 });

describe('nginx ssl_verify_client on', () => {
  const server = withServer(() => startNginx({ verifyClient: 'on' }));
  it('enforced by HTTP 400 "No required SSL certificate was sent"; a bad certificate gets "The SSL certificate error"', async () => {
    const r = await probe(server());
    expect(r).toMatchObject({ verdict: 'enforced', evidence: 'http-400:no-required-ssl-certificate', withCert: 'untested', acceptsAnyCert: false });
    expect(evidence(r)).toEqual({
      'TLSv1.2 none': 'http-400:no-required-ssl-certificate',
      'TLSv1.2 self-signed': 'http-400:ssl-certificate-error',
      'TLSv1.3 none': 'http-400:no-required-ssl-certificate',
      'TLSv1.3 self-signed': 'http-400:ssl-certificate-error',
    });
  });
  it('with the configured certificate (PEM and P12): 200, withCert accepted', async () => {
    for (const cert of [pem, p12]) {
      const r = await probe(server(), cert);
      expect(r).toMatchObject({ verdict: 'enforced', withCert: 'accepted', acceptsAnyCert: false });
      expect(pick(r, 'TLSv1.3', 'configured')).toMatchObject({ outcome: 'answered', httpStatus: 200, certSubject: 'CN=test-device-001', tlsVersion: 'TLSv1.3' });
      expect(pick(r, 'TLSv1.2', 'configured')).toMatchObject({ httpStatus: 200, tlsVersion: 'TLSv1.2' });
    }
  });
});

describe('nginx ssl_verify_client optional', () => {
  const server = withServer(() => startNginx({ verifyClient: 'optional' }));
  it('asks for a certificate but serves without one: not-enforced', async () => {
    const r = await probe(server(), pem);
    expect(r).toMatchObject({ verdict: 'not-enforced', evidence: 'http-200', withCert: 'accepted', acceptsAnyCert: false });
    expect(pick(r, 'TLSv1.3', 'self-signed').evidence).toBe('http-400:ssl-certificate-error');
  });
});

describe('nginx without client verification', () => {
  const server = withServer(() => startNginx({ verifyClient: 'off' }));
  it('not-enforced', async () => {
    const r = await probe(server());
    expect(r).toMatchObject({ verdict: 'not-enforced', evidence: 'http-200', acceptsAnyCert: false });
    expect(r.attempts.every((a) => a.httpStatus === 200)).toBe(true);
  });
});

describe('Node requestCert + rejectUnauthorized, TLS 1.2 only', () => {
  const server = withServer(() => requireCertServer({ maxVersion: 'TLSv1.2' }));
  it('alert handshake_failure (40) inside the handshake; TLS 1.3 not spoken', async () => {
    const r = await probe(server(), p12);
    expect(r).toMatchObject({ verdict: 'enforced', evidence: 'tls-alert:handshake_failure', withCert: 'accepted', acceptsAnyCert: false });
    expect(pick(r, 'TLSv1.2', 'none')).toMatchObject({ outcome: 'tls-alert', stage: 'handshake', alert: 'handshake_failure', alertCode: 40 });
    expect(pick(r, 'TLSv1.2', 'self-signed')).toMatchObject({ outcome: 'reset', stage: 'handshake' });
    expect(pick(r, 'TLSv1.3', 'none')).toMatchObject({ alert: 'protocol_version', alertCode: 70 });
  });
});

describe('Node requestCert + rejectUnauthorized, TLS 1.3', () => {
  const server = withServer(() => requireCertServer({ maxVersion: 'TLSv1.3' }));
  it('alert certificate_required (116) on the first read after a completed handshake', async () => {
    const r = await probe(server(), pem);
    expect(r).toMatchObject({ verdict: 'enforced', evidence: 'tls-alert:certificate_required', withCert: 'accepted', acceptsAnyCert: false });
    expect(pick(r, 'TLSv1.3', 'none')).toMatchObject({ outcome: 'tls-alert', stage: 'after-handshake', alert: 'certificate_required', alertCode: 116, tlsVersion: 'TLSv1.3' });
    // Node closes on a certificate it does not trust without an alert.
    expect(pick(r, 'TLSv1.3', 'self-signed')).toMatchObject({ outcome: 'reset', stage: 'after-handshake' });
    expect(pick(r, 'TLSv1.2', 'none').alert).toBe('handshake_failure');
  });
});

describe('API-gateway style 403', () => {
  const server = withServer(() => gateway403Server());
  const bare = withServer(() => gateway403Server({ body: '{"message":"Forbidden"}' }));
  it('a 403 that names the certificate is enforcement by itself', async () => {
    const r = await probe(server());
    expect(r).toMatchObject({ verdict: 'enforced', evidence: 'http-403:client-certificate-required', withCert: 'untested', acceptsAnyCert: false });
    const withCert = await probe(server(), p12);
    expect(withCert).toMatchObject({ verdict: 'enforced', withCert: 'accepted' });
  });
  it('a bare 403 needs the contrast of a served request with our certificate', async () => {
    expect(await probe(bare())).toMatchObject({ verdict: 'unknown', evidence: 'http-403' });
    expect(await probe(bare(), pem)).toMatchObject({ verdict: 'enforced', evidence: 'http-403', withCert: 'accepted', acceptsAnyCert: false });
  });
});

describe('plain TLS server without client authentication', () => {
  const server = withServer(() => plainServer());
  it('not-enforced; serving the self-signed certificate is then no extra finding', async () => {
    const r = await probe(server(), pem);
    expect(r).toMatchObject({ verdict: 'not-enforced', evidence: 'http-200', withCert: 'accepted', acceptsAnyCert: false });
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([['mtls-not-enforced', 'info']]);
  });
});

describe('openssl s_server -Verify 1', () => {
  const lax = withServer(() => opensslServer({ verify: true }));
  const strict = withServer(() => opensslServer({ verify: true, verifyReturnError: true }));
  it('demands a certificate (40 on 1.2, 116 on 1.3) but accepts any one: critical', async () => {
    const r = await probe(lax(), pem);
    expect(r).toMatchObject({ verdict: 'enforced', evidence: 'tls-alert:certificate_required', withCert: 'accepted', acceptsAnyCert: true });
    expect(pick(r, 'TLSv1.2', 'none')).toMatchObject({ stage: 'handshake', alert: 'handshake_failure' });
    expect(pick(r, 'TLSv1.3', 'none')).toMatchObject({ stage: 'after-handshake', alert: 'certificate_required' });
    expect(pick(r, 'TLSv1.3', 'self-signed')).toMatchObject({ outcome: 'answered', httpStatus: 200 });
    expect(r.findings[0]).toMatchObject({ id: 'mtls-accepts-any-client-cert', severity: 'critical' });
  });
  it('with -verify_return_error the self-signed certificate gets unknown_ca', async () => {
    const r = await probe(strict(), p12);
    expect(r).toMatchObject({ verdict: 'enforced', withCert: 'accepted', acceptsAnyCert: false });
    expect(pick(r, 'TLSv1.2', 'self-signed')).toMatchObject({ outcome: 'tls-alert', stage: 'handshake', alert: 'unknown_ca', alertCode: 48 });
    expect(pick(r, 'TLSv1.3', 'self-signed')).toMatchObject({ outcome: 'tls-alert', stage: 'after-handshake', alert: 'unknown_ca' });
  });
  it('runProbeMtlsCommand exits 1 on the critical finding and prints it', async () => {
    const out = sink();
    const code = await runProbeMtlsCommand({ url: lax().url, clientCert: `${pki.clientCertPath},${pki.clientKeyPath}`, upstreamCa: [pki.caCertPath], format: 'text' }, out);
    expect(code).toBe(1);
    expect(out.text()).toMatch(/TLS 1\.3\s+no certificate\s+tls-alert:certificate_required \(after the handshake, on the first read\)/);
    expect(out.text()).toMatch(/configured \(CN=test-device-001\)\s+http-200/);
    expect(out.text()).toMatch(/^mTLS: enforced \(tls-alert:certificate_required\)$/m);
    expect(out.text()).toMatch(/CRITICAL: accepts any client certificate/);
  });
});

function sink(): Writable & { text(): string } {
  let text = '';
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return Object.assign(w, { text: () => text });
}

describe('runProbeMtlsCommand', () => {
  const server = withServer(() => requireCertServer({ maxVersion: 'TLSv1.3' }));
  it('JSON form, exit 0', async () => {
    const out = sink();
    const code = await runProbeMtlsCommand({ url: server().url, clientCert: `127.0.0.1=${pki.clientP12Path}:${pki.clientP12Pass}`, upstreamCa: [pki.caCertPath], format: 'json' }, out);
    expect(code).toBe(0);
    const json = JSON.parse(out.text()) as ProbeResult;
    expect(json).toMatchObject({ schema: 'pinprobe.probe-mtls/1', host: '127.0.0.1', verdict: 'enforced', evidence: 'tls-alert:certificate_required', withCert: 'accepted', acceptsAnyCert: false, reachable: true });
    expect(json.attempts).toHaveLength(6);
  });
  it('an untrusted backend certificate: exit 3 and a hint to --upstream-ca', async () => {
    const out = sink();
    expect(await runProbeMtlsCommand({ url: server().url, format: 'text' }, out)).toBe(3);
    // On TLS 1.2 the server's refusal comes before Node checks the server's certificate.
    expect(out.text()).toMatch(/TLS 1\.2\s+no certificate\s+tls-alert:handshake_failure/);
    expect(out.text()).toMatch(/TLS 1\.3\s+no certificate\s+error:UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    expect(out.text()).toMatch(/incomplete: the certificate of 127\.0\.0\.1:\d+ is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*\) — pass its CA with --upstream-ca FILE/);
  });
  it('nothing listening: exit 3', async () => {
    const port = await freePort();
    const out = sink();
    expect(await runProbeMtlsCommand({ url: `https://127.0.0.1:${port}/`, format: 'text' }, out)).toBe(3);
    expect(out.text()).toMatch(/could not reach 127\.0\.0\.1:(\d+) \(ECONNREFUSED\): the connection to 127\.0\.0\.1:\1 \(or to where a --map-remote rule sends it\) was refused: nothing listens there/);
  });
  it('--upstream-insecure-style probing trusts any backend certificate', async () => {
    const r = await probeMtls(server().url, { insecure: true });
    expect(r).toMatchObject({ verdict: 'enforced', evidence: 'tls-alert:certificate_required', untrustedUpstream: null, reachable: true });
  });
  it('bad input throws a one-line error', async () => {
    const run = (args: Partial<Parameters<typeof runProbeMtlsCommand>[0]>) => runProbeMtlsCommand({ url: server().url, format: 'text', ...args }, sink());
    await expect(run({ url: 'not a url' })).rejects.toThrow('probe-mtls: "not a url" is not a URL (expected https://HOST[:PORT]/PATH)');
    await expect(run({ url: 'http://127.0.0.1/' })).rejects.toThrow(/not an https:\/\/ URL/);
    await expect(run({ upstreamCa: ['/nonexistent/ca.pem'] })).rejects.toThrow('--upstream-ca /nonexistent/ca.pem: cannot read the file (ENOENT)');
    await expect(run({ clientCert: `api.example.com=${pki.clientP12Path}:${pki.clientP12Pass}` })).rejects.toThrow(/"api.example.com" does not match 127.0.0.1/);
    await expect(run({ clientCert: `${pki.clientP12Path}:wrong` })).rejects.toThrow(/wrong password/);
    await expect(run({ format: 'xml' as 'text' })).rejects.toThrow(/--format xml: expected text or json/);
  });
});
