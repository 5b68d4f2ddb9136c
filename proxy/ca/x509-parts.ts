// DER pieces every certificate Pinprobe lays out shares (leaves and CA certificates):
// v3, SHA-256 with RSA, CN/O as UTF8String (any host name survives; PrintableString has no
// '_'), and the Extension wrapper. Byte for byte what node-forge produced for them.
import { BOOLEAN, contextTag, encode, encodeAll, INTEGER, NULL, OCTET_STRING, OID, SEQUENCE, SET, UTF8_STRING } from './der.js';

export const VERSION_3 = encode(contextTag(0, true), encode(INTEGER, Buffer.from([2])));
export const SHA256_WITH_RSA = encodeAll(SEQUENCE, [encode(OID, Buffer.from('2a864886f70d01010b', 'hex')), encode(NULL, Buffer.alloc(0))]);
export const COMMON_NAME = Buffer.from('550403', 'hex');
export const ORGANIZATION = Buffer.from('55040a', 'hex');
/** The subjectKeyIdentifier extension's OID content (2.5.29.14). */
export const SUBJECT_KEY_IDENTIFIER = Buffer.from('551d0e', 'hex');
const CRITICAL = encode(BOOLEAN, Buffer.from([0xff]));

export function extension(oidHex: string, critical: boolean, value: Buffer): Buffer {
  return encodeAll(SEQUENCE, [encode(OID, Buffer.from(oidHex, 'hex')), ...(critical ? [CRITICAL] : []), encode(OCTET_STRING, value)]);
}

/** One RelativeDistinguishedName: SET { SEQUENCE { oid, UTF8String } }. */
export function attribute(oid: Buffer, value: string): Buffer {
  return encodeAll(SET, [encodeAll(SEQUENCE, [encode(OID, oid), encode(UTF8_STRING, Buffer.from(value, 'utf8'))])]);
}
