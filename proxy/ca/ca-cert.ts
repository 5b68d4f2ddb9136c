// The self-signed CA certificates Pinprobe makes: the install's root and the per-run
// throwaway "untrusted" CA. Both carry exactly what iOS and Android check on a root.
import type { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { randomSerialHex, signCertificate, type RsaKeyPair } from './sign.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Subject attributes as UTF8String, so any host name survives (PrintableString has no '_'). */
export function nameAttributes(commonName: string, organization: string): forge.pki.CertificateField[] {
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  return [
    { name: 'commonName', value: commonName, valueTagClass: utf8 },
    { name: 'organizationName', value: organization, valueTagClass: utf8 },
  ];
}

export interface CaCertOptions {
  commonName: string;
  organization: string;
  keys: RsaKeyPair;
  validDays: number;
  now?: Date;
}

export async function buildCaCertificate(opts: CaCertOptions): Promise<X509Certificate> {
  const now = opts.now ?? new Date();
  const cert = forge.pki.createCertificate();
  cert.serialNumber = randomSerialHex();
  // A day of backdating absorbs a phone whose clock runs behind the laptop's.
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(now.getTime() + opts.validDays * DAY_MS);
  const attrs = nameAttributes(opts.commonName, opts.organization);
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.publicKey = opts.keys.forgePublicKey;
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  return signCertificate(cert, opts.keys.privateKey);
}
