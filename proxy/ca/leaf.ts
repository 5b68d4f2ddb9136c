// What each certificate scenario puts in front of the client, and the leaf layout they
// share. Everything but the scenario's deliberate flaw follows what Apple and Chrome
// require of a server certificate, so a correct client rejects for that flaw only.
import type { KeyObject } from 'node:crypto';
import type { Scenario } from '../session/events.js';
import { BIT_STRING, contextTag, encode, encodeAll, encodeTime, INTEGER, OCTET_STRING, OID, SEQUENCE } from './der.js';
import { leafName, type LeafName } from './host-name.js';
import { randomSerial, signTbs } from './sign.js';
import { attribute, COMMON_NAME, extension, ORGANIZATION, SHA256_WITH_RSA, VERSION_3 } from './x509-parts.js';

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
  /** The issuer's encoded subject Name, byte for byte as in its certificate. */
  name: Buffer;
  /** The issuer's subjectKeyIdentifier, for authorityKeyIdentifier. */
  keyId: Buffer;
  privateKey: KeyObject;
}

export interface LeafKey {
  privateKey: KeyObject;
  /** The public key as a DER SubjectPublicKeyInfo. */
  spki: Buffer;
  /** SHA-1 of the DER RSAPublicKey (RFC 5280 method 1), the leaf's subjectKeyIdentifier. */
  keyId: Buffer;
}

/**
 * `issuer` null means self-signed by the leaf key itself. Resolves to the DER certificate.
 * `onLoop`: signed on the event loop rather than the thread pool (signTbs).
 */
export function buildLeaf(plan: LeafPlan, key: LeafKey, issuer: LeafSigner | null, onLoop = false): Promise<Buffer> {
  return signTbs(leafTbs(plan, key, issuer, randomSerial()), issuer ? issuer.privateKey : key.privateKey, onLoop);
}

// The leaf's TBSCertificate is laid out here directly in DER rather than through forge's
// object model: a new host costs ~20 µs of main-thread work instead of 0.3–4 ms (forge
// builds it from binary strings, and its code is still cold for the first hosts of a
// burst). The layout is exactly what forge produced (test/unit/ca-leaf-der.test.ts
// compares the bytes): v3, SHA-256 with RSA, CN + O as UTF8String, and the extensions in
// this order.
// basicConstraints cA:false (an empty SEQUENCE), critical
const BASIC_CONSTRAINTS = extension('551d13', true, encodeAll(SEQUENCE, []));
// keyUsage digitalSignature + keyEncipherment (bits 0 and 2; 5 unused bits), critical
const KEY_USAGE = extension('551d0f', true, encode(BIT_STRING, Buffer.from([5, 0xa0])));
// extKeyUsage serverAuth
const EXT_KEY_USAGE = extension('551d25', false, encodeAll(SEQUENCE, [encode(OID, Buffer.from('2b06010505070301', 'hex'))]));
const ORG_PINPROBE = attribute(ORGANIZATION, 'Pinprobe');

/** The TBSCertificate to sign; `serial` is the INTEGER's content (positive, minimal). */
export function leafTbs(plan: LeafPlan, key: LeafKey, issuer: LeafSigner | null, serial: Buffer): Buffer {
  const { host, ip } = plan.name;
  // A CN is capped at 64 characters; longer names live in the SAN alone.
  const subject = encodeAll(SEQUENCE, host.length <= 64 ? [attribute(COMMON_NAME, host), ORG_PINPROBE] : [ORG_PINPROBE]);
  // SAN: iPAddress [7] or dNSName [2], both IMPLICIT primitive
  const altName = ip ? encode(contextTag(7, false), ip) : encode(contextTag(2, false), Buffer.from(host, 'latin1'));
  const extensions = encode(contextTag(3, true), encodeAll(SEQUENCE, [
    BASIC_CONSTRAINTS,
    KEY_USAGE,
    EXT_KEY_USAGE,
    extension('551d11', false, encodeAll(SEQUENCE, [altName])),
    extension('551d0e', false, encode(OCTET_STRING, key.keyId)),
    // authorityKeyIdentifier { keyIdentifier [0] IMPLICIT }
    extension('551d23', false, encodeAll(SEQUENCE, [encode(contextTag(0, false), issuer ? issuer.keyId : key.keyId)])),
  ]));
  return encodeAll(SEQUENCE, [
    VERSION_3,
    encode(INTEGER, serial),
    SHA256_WITH_RSA,
    issuer ? issuer.name : subject,
    encodeAll(SEQUENCE, [encodeTime(plan.notBefore), encodeTime(plan.notAfter)]),
    subject,
    key.spki,
    extensions,
  ]);
}
