// What each certificate scenario puts in front of the client, and the leaf layout they
// share. Everything but the scenario's deliberate flaw follows what Apple and Chrome
// require of a server certificate, so a correct client rejects for that flaw only.
import type { KeyObject, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import type { Scenario } from '../session/events.js';
import { nameAttributes } from './ca-cert.js';
import { leafName, type LeafName } from './host-name.js';
import { randomSerialHex, signCertificate } from './sign.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The name a `wrong-host` leaf is issued for: reserved (.invalid), so it can never be right. */
export const WRONG_HOST_NAME = 'wrong-host.pinprobe.invalid';

export type SignerRole = 'root' | 'self' | 'untrusted';

export interface LeafPlan {
  name: LeafName;
  signer: SignerRole;
  notBefore: Date;
  notAfter: Date;
}

export function planLeaf(target: LeafName, scenario: Scenario, now: Date): LeafPlan {
  const at = (days: number) => new Date(now.getTime() + days * DAY_MS);
  // Two days back covers phones whose clock lags; 365 days stays under Apple's 398-day cap.
  const normal = { notBefore: at(-2), notAfter: at(365) };
  switch (scenario) {
    case 'trusted':
      return { name: target, signer: 'root', ...normal };
    case 'self-signed':
      return { name: target, signer: 'self', ...normal };
    case 'wrong-host':
      return { name: leafName(WRONG_HOST_NAME), signer: 'root', ...normal };
    case 'expired':
      return { name: target, signer: 'root', notBefore: at(-400), notAfter: at(-30) };
    case 'untrusted-root':
      return { name: target, signer: 'untrusted', ...normal };
  }
}

export interface LeafSigner {
  /** Issuer Name attributes, exactly as parsed from the issuing certificate. */
  subject: forge.pki.CertificateField[];
  /** The issuer's subjectKeyIdentifier (binary string), for authorityKeyIdentifier. */
  keyId: string;
  privateKey: KeyObject;
}

export interface LeafKey {
  privateKey: KeyObject;
  forgePublicKey: forge.pki.rsa.PublicKey;
  /** SHA-1 of the RSAPublicKey, as forge puts in subjectKeyIdentifier (binary string). */
  keyId: string;
}

/** `issuer` null means self-signed by the leaf key itself. */
export async function buildLeaf(plan: LeafPlan, key: LeafKey, issuer: LeafSigner | null): Promise<X509Certificate> {
  const { host, ip } = plan.name;
  const cert = forge.pki.createCertificate();
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = plan.notBefore;
  cert.validity.notAfter = plan.notAfter;
  // A CN is capped at 64 characters; longer names live in the SAN alone.
  const subject = host.length <= 64 ? nameAttributes(host, 'Pinprobe') : nameAttributes('', 'Pinprobe').slice(1);
  cert.setSubject(subject);
  cert.setIssuer(issuer ? issuer.subject : subject);
  cert.publicKey = key.forgePublicKey;
  const altName = ip ? { type: 7, value: ip.toString('binary') } : { type: 2, value: host };
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [altName] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: issuer ? issuer.keyId : key.keyId },
  ]);
  return signCertificate(cert, issuer ? issuer.privateKey : key.privateKey);
}
