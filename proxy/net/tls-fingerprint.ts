// JA4 and JA3 fingerprints of a ClientHello (SPEC "TLS client"). A TLS client is a client
// address plus its JA4: the judge uses it to tell Chrome on a phone from an app on the same
// phone, which have different trust stores. JA4 follows FoxIO's published definition
// (technical_details/JA4.md); JA3 is the classic MD5 of the decimal field list.
import { createHash } from 'node:crypto';

export interface TlsFingerprint {
  ja4: string;
  ja3: string;
}

/** The ClientHello fields both fingerprints are built from, in wire order. */
export interface HelloFields {
  legacyVersion: number;
  ciphers: number[];
  extensions: number[];
  groups: number[];
  pointFormats: number[];
  signatureAlgorithms: number[];
  supportedVersions: number[];
  hasSni: boolean;
  alpn: string[];
}

/** GREASE values (RFC 8701) are 0x?A?A with both bytes equal; every fingerprint ignores them. */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && (value >> 8) === (value & 0xff);
}

const VERSION_CODES: Record<number, string> = { 0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3', 0x0002: 's2' };

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
const two = (n: number): string => String(Math.min(n, 99)).padStart(2, '0');
const sha12 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12);

function ja4Version(fields: HelloFields): string {
  const offered = fields.supportedVersions.filter((v) => !isGrease(v));
  const version = offered.length > 0 ? Math.max(...offered) : fields.legacyVersion;
  return VERSION_CODES[version] ?? '00';
}

/** First and last character of the first ALPN value; their hex digits when not alphanumeric. */
function ja4Alpn(alpn: readonly string[]): string {
  const first = alpn[0];
  if (!first) return '00';
  const a = first[0] ?? '0';
  const z = first[first.length - 1] ?? '0';
  if (/^[A-Za-z0-9]$/.test(a) && /^[A-Za-z0-9]$/.test(z)) return a + z;
  const bytes = Buffer.from(first, 'latin1').toString('hex');
  return (bytes[0] ?? '0') + (bytes[bytes.length - 1] ?? '0');
}

export function ja4(fields: HelloFields): string {
  const ciphers = fields.ciphers.filter((c) => !isGrease(c));
  const extensions = fields.extensions.filter((e) => !isGrease(e));
  const a = `t${ja4Version(fields)}${fields.hasSni ? 'd' : 'i'}${two(ciphers.length)}${two(extensions.length)}${ja4Alpn(fields.alpn)}`;
  const b = ciphers.length === 0 ? '000000000000' : sha12(ciphers.map(hex4).sort().join(','));
  // SNI (0) and ALPN (16) are already in part a; signature algorithms keep their order.
  const sortedExt = extensions.filter((e) => e !== 0 && e !== 16).map(hex4).sort().join(',');
  const sigs = fields.signatureAlgorithms.filter((s) => !isGrease(s)).map(hex4).join(',');
  const c = extensions.length === 0 ? '000000000000' : sha12(sigs ? `${sortedExt}_${sigs}` : sortedExt);
  return `${a}_${b}_${c}`;
}

/** SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats (decimal, GREASE dropped). */
export function ja3String(fields: HelloFields): string {
  const list = (values: readonly number[]) => values.filter((v) => !isGrease(v)).join('-');
  return [String(fields.legacyVersion), list(fields.ciphers), list(fields.extensions), list(fields.groups), fields.pointFormats.join('-')].join(',');
}

export function ja3(fields: HelloFields): string {
  return createHash('md5').update(ja3String(fields)).digest('hex');
}

export function fingerprintOf(fields: HelloFields): TlsFingerprint {
  return { ja4: ja4(fields), ja3: ja3(fields) };
}
