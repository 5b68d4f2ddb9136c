// The untrusted, self-signed client certificate the mTLS probe presents to find backends
// that only check that *a* certificate came. Made once per process: RSA key from Node's
// crypto (native and async), certificate built and signed with node-forge (one ~40 ms
// signature, cached).
import { generateKeyPair, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { LoadedClientCert } from './client-certs.js';

export const SELF_SIGNED_SUBJECT = 'CN=Pinprobe untrusted probe client, O=Pinprobe';

let cached: Promise<LoadedClientCert> | null = null;

async function make(): Promise<LoadedClientCert> {
  const { privateKey } = await new Promise<{ privateKey: string }>((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }, (err, _pub, priv) =>
      err ? reject(err) : resolve({ privateKey: priv }),
    ),
  );
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  // Positive serial: clear the top bit.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600_000);
  cert.validity.notAfter = new Date(now + 7 * 24 * 3600_000);
  const name = [
    { shortName: 'CN', value: 'Pinprobe untrusted probe client' },
    { shortName: 'O', value: 'Pinprobe' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  cert.sign(key, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
  const digest = forge.md.sha256.create().update(der).digest().toHex().toUpperCase();
  return {
    hostGlob: '*',
    subject: SELF_SIGNED_SUBJECT,
    issuer: SELF_SIGNED_SUBJECT,
    fingerprint: digest.match(/../g)?.join(':') ?? digest,
    validTo: cert.validity.notAfter.toUTCString(),
    tlsOptions: { cert: certPem, key: privateKey },
    source: 'generated',
  };
}

/** The cached probe certificate (generated on first use). */
export function selfSignedClientCert(): Promise<LoadedClientCert> {
  if (!cached) {
    cached = make();
    cached.catch(() => (cached = null));
  }
  return cached;
}
