// Certificates are laid out with node-forge but signed by Node's crypto: forge's own RSA
// signing is pure JavaScript (~40 ms a leaf) and would block the event loop on the
// connection path, while crypto.sign runs natively (~1 ms) on the libuv thread pool.
import { generateKeyPair, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { BIT_STRING, SEQUENCE, encode } from './der.js';

const SHA256_WITH_RSA = forge.pki.oids.sha256WithRSAEncryption;
// AlgorithmIdentifier { sha256WithRSAEncryption, NULL } — must match the TBS's own copy.
const SIGNATURE_ALGORITHM = Buffer.from('300d06092a864886f70d01010b0500', 'hex');

// @types/node-forge does not declare getTBSCertificate, though forge exports it.
const pkiWithTbs = forge.pki as unknown as {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
};

/**
 * At most MAX_SIGNING signatures on the thread pool at once, the rest in arrival order. A
 * burst of 50 new hosts would otherwise fill all four pool threads (delaying DNS lookups and
 * file I/O behind them), and on a busy core the first host's signature would share the CPU
 * with the 49 after it.
 */
class Lane {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly width: number) {}

  run<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.active++;
        job().then(resolve, reject).finally(() => {
          this.active--;
          this.waiting.shift()?.();
        });
      };
      if (this.active < this.width) start();
      else this.waiting.push(start);
    });
  }
}

const MAX_SIGNING = 2;
const signing = new Lane(MAX_SIGNING);

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The same public key in forge's form, for laying out certificates. */
  forgePublicKey: forge.pki.rsa.PublicKey;
}

/**
 * RSA 2048 rather than EC P-256: forge only lays out RSA keys, and RSA works with every
 * client a tester may point at us — old Android/iOS builds and TLS 1.0/1.1 stacks that
 * offer no ECDSA suites at all.
 */
export async function generateRsaKeyPair(): Promise<RsaKeyPair> {
  const { privateKey, publicKey } = await new Promise<{ privateKey: KeyObject; publicKey: KeyObject }>(
    (resolve, reject) =>
      generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001 }, (err, pub, priv) =>
        err ? reject(err) : resolve({ privateKey: priv, publicKey: pub }),
      ),
  );
  return { privateKey, publicKey, forgePublicKey: toForgePublicKey(publicKey) };
}

export function toForgePublicKey(key: KeyObject): forge.pki.rsa.PublicKey {
  return forge.pki.publicKeyFromPem(key.export({ type: 'spki', format: 'pem' }).toString());
}

/**
 * 16 random bytes, first byte in 0x01..0x7f: positive (high bit clear) and minimally
 * encoded (no leading zero byte), as RFC 5280 and strict parsers require.
 */
export function randomSerialHex(): string {
  return randomSerial().toString('hex');
}

export function randomSerial(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0] & 0x7f || 0x01;
  return bytes;
}

/** Signs a fully laid-out forge certificate with `signer` and returns it parsed by Node. */
export async function signCertificate(cert: forge.pki.Certificate, signer: KeyObject): Promise<X509Certificate> {
  cert.siginfo.algorithmOid = SHA256_WITH_RSA;
  cert.signatureOid = SHA256_WITH_RSA;
  const tbs = Buffer.from(forge.asn1.toDer(pkiWithTbs.getTBSCertificate(cert)).getBytes(), 'binary');
  // Parsing here turns any layout mistake into an error at issue time, not a TLS failure.
  return new X509Certificate(await signTbs(tbs, signer));
}

/**
 * Signs a DER TBSCertificate (whose signature field is sha256WithRSAEncryption) on the
 * thread pool; resolves to the DER Certificate.
 */
export async function signTbs(tbs: Buffer, signer: KeyObject): Promise<Buffer> {
  const signature = await signing.run(() => new Promise<Buffer>((resolve, reject) =>
    sign('sha256', tbs, signer, (err, sig) => (err ? reject(err) : resolve(sig))),
  ));
  const bitString = encode(BIT_STRING, Buffer.concat([Buffer.from([0]), signature]));
  return encode(SEQUENCE, Buffer.concat([tbs, SIGNATURE_ALGORITHM, bitString]));
}

/** A DER certificate as PEM, laid out as Node's X509Certificate#toString does (64-column base64). */
export function certificatePem(der: Buffer): string {
  const b64 = der.toString('base64');
  let body = '';
  for (let i = 0; i < b64.length; i += 64) body += `${b64.slice(i, i + 64)}\n`;
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
}
