// Reads a TLS ClientHello off a socket before any TLS state exists, so the engine can
// choose a tunnel or a scenario certificate for the SNI name up front. The bytes read are
// returned so they can be handed on (unshifted) to whatever handles the connection.
import type { Socket } from 'node:net';
import { fingerprintOf, type HelloFields, type TlsFingerprint } from './tls-fingerprint.js';

export interface ClientHello {
  sni: string | null;
  alpn: string[];
  /** JA4 and JA3 of this hello (SPEC "TLS client"). */
  fingerprint: TlsFingerprint;
}

export type HelloParse =
  | { state: 'need-more' }
  | { state: 'not-tls' }
  | { state: 'malformed'; reason: string }
  | { state: 'ok'; hello: ClientHello };

const HANDSHAKE = 0x16;
const CLIENT_HELLO = 0x01;
/** A ClientHello larger than this is not one we will wait for (post-quantum ones are ~2 KiB). */
const MAX_HELLO_BYTES = 64 * 1024;

export function looksLikeTls(first: Buffer): boolean {
  return first.length > 0 && first[0] === HANDSHAKE;
}

/** Joins the handshake fragments of consecutive TLS records (a hello may span records). */
function handshakeBytes(buf: Buffer): { data: Buffer; complete: boolean } | { error: string } {
  const parts: Buffer[] = [];
  let offset = 0;
  let total = 0;
  while (offset + 5 <= buf.length) {
    if (buf[offset] !== HANDSHAKE) return { error: `record type ${buf[offset]} before the ClientHello ended` };
    const len = buf.readUInt16BE(offset + 3);
    if (len === 0 || len > 16384 + 2048) return { error: `bad record length ${len}` };
    if (offset + 5 + len > buf.length) break;
    parts.push(buf.subarray(offset + 5, offset + 5 + len));
    total += len;
    offset += 5 + len;
    const data = Buffer.concat(parts, total);
    if (data.length >= 4) {
      const msgLen = data.readUIntBE(1, 3);
      if (data.length >= 4 + msgLen) return { data, complete: true };
    }
  }
  return { data: Buffer.concat(parts, total), complete: false };
}

export function parseClientHello(buf: Buffer): HelloParse {
  if (buf.length === 0) return { state: 'need-more' };
  if (!looksLikeTls(buf)) return { state: 'not-tls' };
  if (buf.length > MAX_HELLO_BYTES) return { state: 'malformed', reason: 'ClientHello larger than 64 KiB' };
  const hs = handshakeBytes(buf);
  if ('error' in hs) return { state: 'malformed', reason: hs.error };
  if (!hs.complete) return { state: 'need-more' };
  const d = hs.data;
  if (d[0] !== CLIENT_HELLO) return { state: 'malformed', reason: `handshake type ${d[0]} is not ClientHello` };
  try {
    return { state: 'ok', hello: readHelloBody(d.subarray(4, 4 + d.readUIntBE(1, 3))) };
  } catch (err) {
    return { state: 'malformed', reason: (err as Error).message };
  }
}

function readHelloBody(b: Buffer): ClientHello {
  const need = (n: number) => {
    if (p + n > b.length) throw new Error('ClientHello truncated');
  };
  let p = 0;
  need(2 + 32);
  const fields: HelloFields = {
    legacyVersion: b.readUInt16BE(0), ciphers: [], extensions: [], groups: [], pointFormats: [],
    signatureAlgorithms: [], supportedVersions: [], hasSni: false, alpn: [],
  };
  p = 2 + 32; // client_version, random
  need(1);
  p += 1 + b[p]; // session id
  need(2);
  const cipherEnd = p + 2 + b.readUInt16BE(p);
  if (cipherEnd > b.length) throw new Error('ClientHello truncated');
  for (let c = p + 2; c + 2 <= cipherEnd; c += 2) fields.ciphers.push(b.readUInt16BE(c));
  p = cipherEnd;
  need(1);
  p += 1 + b[p]; // compression methods
  let sni: string | null = null;
  if (p + 2 <= b.length) {
    const extEnd = p + 2 + b.readUInt16BE(p);
    p += 2;
    if (extEnd > b.length) throw new Error('extensions truncated');
    while (p + 4 <= extEnd) {
      const type = b.readUInt16BE(p);
      const len = b.readUInt16BE(p + 2);
      const body = b.subarray(p + 4, p + 4 + len);
      if (body.length !== len) throw new Error('extension truncated');
      fields.extensions.push(type);
      readExtension(type, body, fields);
      if (type === 0) sni = readServerName(body);
      p += 4 + len;
    }
  } // else: no extensions (SSLv3-era hello)
  return { sni, alpn: fields.alpn, fingerprint: fingerprintOf(fields) };
}

/** The extensions JA3/JA4 look inside; lists of 16-bit values behind a length prefix. */
function readExtension(type: number, body: Buffer, fields: HelloFields): void {
  const u16List = (start: number): number[] => {
    const out: number[] = [];
    for (let i = start; i + 2 <= body.length; i += 2) out.push(body.readUInt16BE(i));
    return out;
  };
  switch (type) {
    case 0: fields.hasSni = true; break;
    case 10: fields.groups = u16List(2); break; // supported_groups
    case 11: fields.pointFormats = [...body.subarray(1, 1 + (body[0] ?? 0))]; break; // ec_point_formats
    case 13: fields.signatureAlgorithms = u16List(2); break;
    case 16: fields.alpn = readAlpn(body); break;
    case 43: fields.supportedVersions = u16List(1); break; // one-byte length prefix
    default: break;
  }
}

function readServerName(body: Buffer): string | null {
  let p = 2;
  while (p + 3 <= body.length) {
    const kind = body[p];
    const len = body.readUInt16BE(p + 1);
    if (kind === 0) {
      const name = body.subarray(p + 3, p + 3 + len).toString('ascii').toLowerCase();
      return /^[a-z0-9._-]+$/.test(name) ? name.replace(/\.$/, '') : null;
    }
    p += 3 + len;
  }
  return null;
}

function readAlpn(body: Buffer): string[] {
  const out: string[] = [];
  let p = 2;
  while (p < body.length) {
    const len = body[p];
    out.push(body.subarray(p + 1, p + 1 + len).toString('latin1'));
    p += 1 + len;
  }
  return out;
}

export interface PeekResult {
  bytes: Buffer;
  parse: HelloParse;
}

/**
 * Reads from a paused socket until the ClientHello is complete, the bytes are clearly not
 * TLS, the socket ends, or the timeout passes. Leaves the socket paused.
 */
export function peekClientHello(socket: Socket, initial: Buffer, timeoutMs: number): Promise<PeekResult> {
  return new Promise((resolve) => {
    let bytes = initial;
    let done = false;
    const finish = (parse: HelloParse) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onEnd);
      socket.off('close', onEnd);
      socket.pause();
      resolve({ bytes, parse });
    };
    const check = () => {
      const parse = parseClientHello(bytes);
      if (parse.state !== 'need-more') finish(parse);
    };
    const onData = (chunk: Buffer) => {
      bytes = bytes.length ? Buffer.concat([bytes, chunk]) : chunk;
      check();
    };
    const onEnd = () => finish(bytes.length ? { state: 'malformed', reason: 'client closed before the ClientHello was complete' } : { state: 'need-more' });
    const timer = setTimeout(() => finish(bytes.length ? { state: 'malformed', reason: `ClientHello incomplete after ${timeoutMs} ms` } : { state: 'need-more' }), timeoutMs);
    if (bytes.length) check();
    if (done) return;
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onEnd);
    socket.once('close', onEnd);
    socket.resume();
  });
}
