// gRPC bodies as the Traffic view shows them: length-prefixed messages (1 byte compressed
// flag, 4 bytes big-endian length, the message), each decoded as protobuf wire format
// without a schema when it parses as such (field numbers and wire types, strings shown as
// text, nested messages as fields). Pure and browser-safe: the UI and the tests use it.
import type { HeaderList } from './events.js';

export interface ProtoField {
  field: number;
  wire: 'varint' | 'i64' | 'len' | 'i32';
  /** varint, i64 and i32 values as unsigned decimal text. */
  value?: string;
  /** A length-delimited field that is readable UTF-8 text. */
  text?: string;
  /** A length-delimited field that parses as a message of its own. */
  fields?: ProtoField[];
  /** Other length-delimited bytes, as hex. */
  hex?: string;
}

export interface GrpcMessage {
  compressed: boolean;
  length: number;
  /** null when compressed, or not protobuf wire format. */
  fields: ProtoField[] | null;
}

export interface GrpcFrames {
  messages: GrpcMessage[];
  /** Bytes after the last whole message (a body cut by the recorder's cap). */
  trailing: number;
}

export function isGrpcContentType(headers: HeaderList): boolean {
  const type = headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
  return /^application\/grpc(?:[+;]|$)/i.test(type.trim());
}

export function decodeGrpcFrames(data: Uint8Array): GrpcFrames {
  const messages: GrpcMessage[] = [];
  let at = 0;
  while (at + 5 <= data.length) {
    const length = ((data[at + 1]! << 24) >>> 0) + (data[at + 2]! << 16) + (data[at + 3]! << 8) + data[at + 4]!;
    if (at + 5 + length > data.length) break;
    const compressed = data[at] === 1;
    const bytes = data.subarray(at + 5, at + 5 + length);
    messages.push({ compressed, length, fields: compressed ? null : decodeProtobuf(bytes) });
    at += 5 + length;
  }
  return { messages, trailing: data.length - at };
}

const MAX_DEPTH = 8;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Schema-less protobuf wire format; null when the bytes are not a well-formed message. */
export function decodeProtobuf(bytes: Uint8Array, depth = 0): ProtoField[] | null {
  const fields: ProtoField[] = [];
  let at = 0;
  const varint = (): bigint | null => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= bytes.length) return null;
      const b = bytes[at++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
    return null;
  };
  while (at < bytes.length) {
    const key = varint();
    if (key === null) return null;
    const field = Number(key >> 3n);
    const type = Number(key & 7n);
    if (field < 1 || field > 536_870_911) return null;
    if (type === 0) {
      const v = varint();
      if (v === null) return null;
      fields.push({ field, wire: 'varint', value: v.toString() });
    } else if (type === 1 || type === 5) {
      const size = type === 1 ? 8 : 4;
      if (at + size > bytes.length) return null;
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]!);
      at += size;
      fields.push({ field, wire: type === 1 ? 'i64' : 'i32', value: v.toString() });
    } else if (type === 2) {
      const len = varint();
      if (len === null || at + Number(len) > bytes.length) return null;
      const part = bytes.subarray(at, at + Number(len));
      at += Number(len);
      fields.push({ field, wire: 'len', ...lengthDelimited(part, depth) });
    } else {
      // Groups (3, 4) are long deprecated; anything else is not protobuf.
      return null;
    }
  }
  return fields;
}

function lengthDelimited(part: Uint8Array, depth: number): Pick<ProtoField, 'text' | 'fields' | 'hex'> {
  const text = readableText(part);
  if (text !== null) return { text };
  const nested = depth < MAX_DEPTH && part.length > 0 ? decodeProtobuf(part, depth + 1) : null;
  if (nested) return { fields: nested };
  return { hex: Array.from(part.subarray(0, 256), (b) => b.toString(16).padStart(2, '0')).join('') };
}

function readableText(part: Uint8Array): string | null {
  try {
    const text = utf8.decode(part);
    // Printable text (tabs and newlines allowed); control bytes mean a nested message or binary.
    return /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/.test(text) ? text : null;
  } catch {
    return null;
  }
}
