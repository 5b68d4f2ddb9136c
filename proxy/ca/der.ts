// Just enough DER to assemble a Certificate around a signed TBS and to slice exact byte
// ranges (subject, issuer) out of one. Exact bytes matter: OpenSSL's old subject hash and
// some clients' chain building compare the encoded Name, not a re-encoding of it.

export interface DerElement {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

export function readElement(buf: Buffer, offset: number): DerElement {
  if (offset + 2 > buf.length) throw new Error('DER: truncated element');
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: multi-byte tags are not supported');
  let pos = offset + 1;
  const first = buf[pos++];
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4 || pos + count > buf.length) throw new Error('DER: bad length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[pos++];
  }
  const end = pos + length;
  if (end > buf.length) throw new Error('DER: element runs past the end');
  return { tag, start: offset, contentStart: pos, end };
}

/** The direct children of a constructed element. */
export function children(buf: Buffer, parent: DerElement): DerElement[] {
  const out: DerElement[] = [];
  for (let pos = parent.contentStart; pos < parent.end; ) {
    const el = readElement(buf, pos);
    out.push(el);
    pos = el.end;
  }
  return out;
}

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function encode(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
}

/** One element whose content is `parts` back to back (a SEQUENCE or SET of encoded elements). */
export function encodeAll(tag: number, parts: Buffer[]): Buffer {
  return encode(tag, Buffer.concat(parts));
}

export const BOOLEAN = 0x01;
export const INTEGER = 0x02;
export const BIT_STRING = 0x03;
export const OCTET_STRING = 0x04;
export const NULL = 0x05;
export const OID = 0x06;
export const UTF8_STRING = 0x0c;
export const UTC_TIME = 0x17;
export const GENERALIZED_TIME = 0x18;
export const SEQUENCE = 0x30;
export const SET = 0x31;

/** A context-specific tag: [n] IMPLICIT primitive, or [n] EXPLICIT / constructed. */
export const contextTag = (n: number, constructed: boolean): number => (constructed ? 0xa0 : 0x80) | n;

/**
 * RFC 5280 Time: UTCTime (YYMMDDHHMMSSZ) for 1950–2049, GeneralizedTime (YYYYMMDDHHMMSSZ)
 * otherwise; whole seconds, UTC.
 */
export function encodeTime(date: Date): Buffer {
  const two = (n: number) => String(n).padStart(2, '0');
  const year = date.getUTCFullYear();
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  return year >= 1950 && year < 2050
    ? encode(UTC_TIME, Buffer.from(`${two(year % 100)}${rest}`, 'latin1'))
    : encode(GENERALIZED_TIME, Buffer.from(`${String(year).padStart(4, '0')}${rest}`, 'latin1'));
}

/** The encoded issuer and subject Names of a DER certificate, byte for byte. */
export function certificateNames(certDer: Buffer): { issuer: Buffer; subject: Buffer } {
  const cert = readElement(certDer, 0);
  const tbs = children(certDer, cert)[0];
  const fields = children(certDer, tbs);
  // version is an explicit [0] that v1 certificates omit
  const base = fields[0]?.tag === 0xa0 ? 1 : 0;
  const issuer = fields[base + 2];
  const subject = fields[base + 4];
  if (!issuer || !subject) throw new Error('DER: not an X.509 certificate');
  return {
    issuer: certDer.subarray(issuer.start, issuer.end),
    subject: certDer.subarray(subject.start, subject.end),
  };
}

/**
 * The keyIdentifier in a DER certificate's subjectKeyIdentifier extension (2.5.29.14), or
 * null when it has none. Read as written, whatever method the CA's maker used to derive it:
 * a leaf's authorityKeyIdentifier must repeat it exactly.
 */
export function subjectKeyIdentifier(certDer: Buffer): Buffer | null {
  const cert = readElement(certDer, 0);
  const tbs = children(certDer, cert)[0];
  if (!tbs) throw new Error('DER: not an X.509 certificate');
  // extensions are the explicit [3] at the end of the TBSCertificate (v3 only)
  const wrapper = children(certDer, tbs).find((el) => el.tag === 0xa3);
  if (!wrapper) return null;
  const list = children(certDer, wrapper)[0];
  if (!list || list.tag !== 0x30) throw new Error('DER: bad extensions');
  for (const ext of children(certDer, list)) {
    const [oid, ...rest] = children(certDer, ext);
    if (oid?.tag !== OID || !certDer.subarray(oid.contentStart, oid.end).equals(SKI_OID)) continue;
    const value = rest[rest.length - 1];
    if (value?.tag !== OCTET_STRING) throw new Error('DER: bad subjectKeyIdentifier');
    const keyId = readElement(certDer, value.contentStart);
    if (keyId.tag !== OCTET_STRING || keyId.end !== value.end) throw new Error('DER: bad subjectKeyIdentifier');
    return Buffer.from(certDer.subarray(keyId.contentStart, keyId.end));
  }
  return null;
}

const SKI_OID = Buffer.from('551d0e', 'hex');
