// The self-signed CA certificates Pinprobe makes: the install's root and the per-run
// throwaway "untrusted" CA. Both carry exactly what iOS and Android check on a root.
// Laid out directly in DER (as leaves are, leaf.ts), not through node-forge: the throwaway
// CA is made on every start, and importing forge alone cost ~10 MiB of RSS and tens of ms
// of start-up. The bytes are what forge laid out before (test/integration/ca/ca-cert-der.test.ts).
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { BIT_STRING, contextTag, encode, encodeAll, encodeTime, INTEGER, OCTET_STRING, SEQUENCE } from './der.js';
import { randomSerial, signTbs } from './sign.js';
import { attribute, COMMON_NAME, extension, ORGANIZATION, SHA256_WITH_RSA, VERSION_3 } from './x509-parts.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CaKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface CaCertOptions {
  commonName: string;
  organization: string;
  keys: CaKeys;
  validDays: number;
  now?: Date;
}

// basicConstraints cA:true, critical
const BASIC_CONSTRAINTS = extension('551d13', true, encodeAll(SEQUENCE, [encode(0x01, Buffer.from([0xff]))]));
// keyUsage keyCertSign + cRLSign (bits 5 and 6; 1 unused bit), critical
const KEY_USAGE = extension('551d0f', true, encode(BIT_STRING, Buffer.from([1, 0x06])));

/** SHA-1 of the DER RSAPublicKey (RFC 5280 method 1), what forge puts in subjectKeyIdentifier. */
export function rsaKeyId(publicKey: KeyObject): Buffer {
  return createHash('sha1').update(publicKey.export({ type: 'pkcs1', format: 'der' })).digest();
}

/** The CA's TBSCertificate; `serial` is the INTEGER's content (positive, minimal). */
export function caTbs(opts: CaCertOptions, serial: Buffer): Buffer {
  const now = opts.now ?? new Date();
  const name = encodeAll(SEQUENCE, [attribute(COMMON_NAME, opts.commonName), attribute(ORGANIZATION, opts.organization)]);
  const extensions = encode(contextTag(3, true), encodeAll(SEQUENCE, [
    BASIC_CONSTRAINTS,
    KEY_USAGE,
    extension('551d0e', false, encode(OCTET_STRING, rsaKeyId(opts.keys.publicKey))),
  ]));
  return encodeAll(SEQUENCE, [
    VERSION_3,
    encode(INTEGER, serial),
    SHA256_WITH_RSA,
    name,
    // A day of backdating absorbs a phone whose clock runs behind the laptop's.
    encodeAll(SEQUENCE, [encodeTime(new Date(now.getTime() - DAY_MS)), encodeTime(new Date(now.getTime() + opts.validDays * DAY_MS))]),
    name,
    opts.keys.publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  ]);
}

export async function buildCaCertificate(opts: CaCertOptions): Promise<X509Certificate> {
  // Parsing here turns any layout mistake into an error at issue time, not a TLS failure.
  return new X509Certificate(await signTbs(caTbs(opts, randomSerial()), opts.keys.privateKey));
}
