// Certificates are laid out in DER by our own code (leaf.ts, ca-cert.ts) and signed by
// Node's crypto: natively, on the libuv thread pool during a burst of new hosts, or on the
// event loop for a host that has nothing queued ahead of it (see signTbs).
import { generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { BIT_STRING, SEQUENCE, encode } from './der.js';
import { SHA256_WITH_RSA as SIGNATURE_ALGORITHM } from './x509-parts.js';

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
}

/**
 * RSA 2048 rather than EC P-256: our DER code lays out RSA keys' identifiers only, and RSA works with every
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
  return { privateKey, publicKey };
}

/**
 * 16 random bytes, first byte in 0x01..0x7f: positive (high bit clear) and minimally
 * encoded (no leading zero byte), as RFC 5280 and strict parsers require.
 */
export function randomSerial(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0] & 0x7f || 0x01;
  return bytes;
}

/**
 * Signs a DER TBSCertificate (whose signature field is sha256WithRSAEncryption); resolves
 * to the DER Certificate. On the thread pool by default. `onLoop`: sign right here instead
 * (~0.5 ms of the event loop) — for a host that waits on nothing else, the hop to a pool
 * thread and back cost more than the signature (0.8 ms after an idle spell, 1.2–4 ms with
 * a burst's other work beside it, against 0.45 ms for the signature itself on the 12-03 VM).
 */
export async function signTbs(tbs: Buffer, signer: KeyObject, onLoop = false): Promise<Buffer> {
  const signature = onLoop
    ? sign('sha256', tbs, signer)
    : await signing.run(() => new Promise<Buffer>((resolve, reject) =>
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
