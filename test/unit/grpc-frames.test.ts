// The gRPC body decoder the Traffic view uses: length-prefixed messages, schema-less
// protobuf wire format (varints, fixed, strings, nested messages), bodies cut by the cap.
import { describe, expect, it } from 'vitest';
import { decodeGrpcFrames, decodeProtobuf, isGrpcContentType } from '../../proxy/session/grpc-frames.js';

const frame = (msg: number[], compressed = 0) => [compressed, 0, 0, 0, msg.length, ...msg];

describe('gRPC frames', () => {
  it('splits a body into its messages and decodes each as protobuf', () => {
    // field 1 varint 150; field 2 string "hi"; field 3 nested { field 1 varint 1 }
    const m1 = [0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69, 0x1a, 0x02, 0x08, 0x01];
    const m2 = [0x25, 1, 0, 0, 0]; // field 4, fixed32 = 1
    const out = decodeGrpcFrames(Uint8Array.from([...frame(m1), ...frame(m2)]));
    expect(out.trailing).toBe(0);
    expect(out.messages.map((m) => m.length)).toEqual([11, 5]);
    expect(out.messages[0]!.fields).toEqual([
      { field: 1, wire: 'varint', value: '150' },
      { field: 2, wire: 'len', text: 'hi' },
      { field: 3, wire: 'len', fields: [{ field: 1, wire: 'varint', value: '1' }] },
    ]);
    expect(out.messages[1]!.fields).toEqual([{ field: 4, wire: 'i32', value: '1' }]);
  });

  it('leaves compressed messages undecoded and counts the bytes of a message cut by the cap', () => {
    const out = decodeGrpcFrames(Uint8Array.from([...frame([1, 2, 3], 1), 0, 0, 0, 0, 9, 1, 2]));
    expect(out.messages).toEqual([{ compressed: true, length: 3, fields: null }]);
    expect(out.trailing).toBe(7);
  });

  it('says null for bytes that are not protobuf, and shows binary length-delimited fields as hex', () => {
    expect(decodeProtobuf(Uint8Array.from([0x0f]))).toBeNull();
    expect(decodeProtobuf(Uint8Array.from([0x0a, 0x05, 1]))).toBeNull();
    expect(decodeProtobuf(Uint8Array.from([0x0a, 0x02, 0xff, 0x00]))).toEqual([{ field: 1, wire: 'len', hex: 'ff00' }]);
  });

  it('knows gRPC by its content type', () => {
    expect(isGrpcContentType([['content-type', 'application/grpc']])).toBe(true);
    expect(isGrpcContentType([['Content-Type', 'application/grpc+proto']])).toBe(true);
    expect(isGrpcContentType([['content-type', 'application/grpc-web']])).toBe(false);
    expect(isGrpcContentType([['content-type', 'application/json']])).toBe(false);
  });
});
