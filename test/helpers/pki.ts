// A throwaway test PKI made with the openssl CLI: an upstream CA, a server leaf for
// localhost/127.0.0.1 (plus any extra names), a client CA and a client leaf (PEM + P12).
// Tests pass the upstream CA to the proxy with --upstream-ca, as a tester would.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caCert: string; caCertPath: string;
  serverCert: string; serverKey: string; serverCertPath: string; serverKeyPath: string;
  clientCaCert: string; clientCaCertPath: string;
  clientCert: string; clientKey: string; clientCertPath: string; clientKeyPath: string;
  clientP12Path: string; clientP12Pass: string;
  /** base64 sha256 of the server's public key, for curl --pinnedpubkey sha256//... */
  serverPubkeySha256: string;
}

function ossl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

let cached: TestPki | undefined;

/** One PKI per test process: generating keys costs ~100 ms each. */
export function testPki(extraNames: string[] = []): TestPki {
  if (cached && extraNames.length === 0) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'pinprobe-pki-'));
  const names = ['localhost', 'origin.test', '*.app.test', ...extraNames];
  const san = [...names.map((n) => `DNS:${n}`), 'IP:127.0.0.1', 'IP:::1'].join(',');
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ossl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Pinprobe Test Upstream CA']);
  ossl(dir, ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  ossl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '30', '-extfile', 'server.ext']);
  ossl(dir, ['req', '-x509', ...ec, '-keyout', 'client-ca.key', '-out', 'client-ca.pem', '-days', '30', '-subj', '/CN=Pinprobe Test Client CA']);
  ossl(dir, ['req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=test-device-001']);
  ossl(dir, ['x509', '-req', '-in', 'client.csr', '-CA', 'client-ca.pem', '-CAkey', 'client-ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '30', '-extfile', 'client.ext']);
  const pass = 'test-pass';
  ossl(dir, ['pkcs12', '-export', '-in', 'client.pem', '-inkey', 'client.key', '-out', 'client.p12', '-passout', `pass:${pass}`]);
  const der = execFileSync('openssl', ['pkey', '-in', 'server.key', '-pubout', '-outform', 'DER'], { cwd: dir });
  const sha = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der });
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const pki: TestPki = {
    dir,
    caCert: read('ca.pem'), caCertPath: join(dir, 'ca.pem'),
    serverCert: read('server.pem'), serverKey: read('server.key'),
    serverCertPath: join(dir, 'server.pem'), serverKeyPath: join(dir, 'server.key'),
    clientCaCert: read('client-ca.pem'), clientCaCertPath: join(dir, 'client-ca.pem'),
    clientCert: read('client.pem'), clientKey: read('client.key'),
    clientCertPath: join(dir, 'client.pem'), clientKeyPath: join(dir, 'client.key'),
    clientP12Path: join(dir, 'client.p12'), clientP12Pass: pass,
    serverPubkeySha256: sha.toString('base64'),
  };
  if (extraNames.length === 0) cached = pki;
  return pki;
}
