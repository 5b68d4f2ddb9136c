// Exports of the root CA for devices. Every format is rebuilt from the parsed certificate,
// so nothing else that might sit in the PEM file (a key pasted in by hand) can leak out.
import { createHash, X509Certificate } from 'node:crypto';
import { certificateNames } from './der.js';
import { rootCaMobileconfig } from './mobileconfig.js';
import type { RootCa } from './root-ca.js';

export type CaFormat = 'pem' | 'der' | 'android' | 'ios';
export const CA_FORMATS: readonly CaFormat[] = ['pem', 'der', 'android', 'ios'];

export interface CaExport {
  data: Buffer;
  fileName: string;
  contentType: string;
}

export function exportCa(root: RootCa, format: CaFormat): CaExport {
  const cert = new X509Certificate(root.certPem);
  const pem = Buffer.from(cert.toString());
  switch (format) {
    case 'pem':
      return { data: pem, fileName: 'pinprobe-ca.pem', contentType: 'application/x-pem-file' };
    case 'der':
      // .cer with this type is what Android's certificate installer and iOS Safari accept.
      return { data: cert.raw, fileName: 'pinprobe-ca.cer', contentType: 'application/x-x509-ca-cert' };
    case 'android':
      // Android's system store names each CA <subject_hash_old>.0.
      return { data: pem, fileName: `${subjectHashOld(root.certPem)}.0`, contentType: 'application/x-pem-file' };
    case 'ios':
      return {
        data: Buffer.from(rootCaMobileconfig(cert.raw, root.subject)),
        fileName: 'pinprobe-ca.mobileconfig',
        contentType: 'application/x-apple-aspen-config',
      };
  }
}

/** OpenSSL's pre-1.0 subject hash: MD5 of the encoded subject Name, first 4 bytes read little-endian. */
export function subjectHashOld(certPem: string): string {
  const { subject } = certificateNames(new X509Certificate(certPem).raw);
  return createHash('md5').update(subject).digest().readUInt32LE(0).toString(16).padStart(8, '0');
}
