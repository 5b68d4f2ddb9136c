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

export const SEQUENCE = 0x30;
export const BIT_STRING = 0x03;

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
