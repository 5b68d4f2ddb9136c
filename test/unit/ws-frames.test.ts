// The passive WebSocket frame parser fed bytes directly, in every chunking: masking,
// the three length forms, fragmentation with control frames between fragments, the cap,
// and bytes that are not frames.
import { describe, expect, it } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import { closeInfo, WsFrameParser, type WsMessage } from '../../proxy/net/ws-frames.js';
import { WsInflater } from '../../proxy/net/ws-inflate.js';

function frame(opcode: number, payload: Buffer | string, o: { fin?: boolean; mask?: boolean; rsv1?: boolean } = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const fin = o.fin ?? true;
  const head: number[] = [(fin ? 0x80 : 0) | (o.rsv1 ? 0x40 : 0) | opcode];
  const maskBit = o.mask ? 0x80 : 0;
  if (data.length < 126) head.push(maskBit | data.length);
  else if (data.length < 65536) head.push(maskBit | 126, data.length >> 8, data.length & 0xff);
  else {
    const len = Buffer.alloc(8);
    len.writeUInt32BE(Math.floor(data.length / 2 ** 32), 0);
    len.writeUInt32BE(data.length >>> 0, 4);
    head.push(maskBit | 127, ...len);
  }
  if (!o.mask) return Buffer.concat([Buffer.from(head), data]);
  const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const masked = Buffer.from(data.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

function parse(bytes: Buffer, cap = 1024, chunk = bytes.length): { messages: WsMessage[]; problems: string[] } {
  const messages: WsMessage[] = [];
  const problems: string[] = [];
  const p = new WsFrameParser(cap, (m) => messages.push(m), (why) => problems.push(why));
  for (let i = 0; i < bytes.length; i += chunk) p.push(bytes.subarray(i, i + chunk));
  return { messages, problems };
}

describe('WsFrameParser', () => {
  const stream = Buffer.concat([
    frame(1, 'hello', { mask: true }),
    frame(2, Buffer.from([0, 1, 2, 255]), { mask: true }),
    frame(1, 'x'.repeat(300), { mask: true }),
    frame(9, 'are you there', { mask: true }),
    frame(8, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye')]), { mask: true }),
  ]);

  it.each([1, 2, 3, 7, 64, stream.length])('reads masked text, binary, 16-bit length, ping and close in chunks of %i bytes', (chunk) => {
    const { messages, problems } = parse(stream, 1024, chunk);
    expect(problems).toEqual([]);
    expect(messages.map((m) => [m.opcode, m.size, m.truncated])).toEqual([[1, 5, false], [2, 4, false], [1, 300, false], [9, 13, false], [8, 5, false]]);
    expect(messages[0]!.data.toString()).toBe('hello');
    expect([...messages[1]!.data]).toEqual([0, 1, 2, 255]);
    expect(messages[2]!.data.toString()).toBe('x'.repeat(300));
    expect(closeInfo(messages[4]!.data)).toEqual({ code: 1000, reason: 'bye' });
  });

  it('joins fragments, with a ping between them delivered on its own first', () => {
    const bytes = Buffer.concat([
      frame(1, 'frag-', { fin: false }),
      frame(9, 'p'),
      frame(0, 'ment', { fin: false }),
      frame(0, 'ed'),
      frame(1, 'next'),
    ]);
    for (const chunk of [1, 5, bytes.length]) {
      const { messages, problems } = parse(bytes, 1024, chunk);
      expect(problems).toEqual([]);
      expect(messages.map((m) => [m.opcode, m.data.toString(), m.frames])).toEqual([[9, 'p', 1], [1, 'frag-mented', 3], [1, 'next', 1]]);
    }
  });

  it('keeps only the cap of a large message (64-bit length), with its true size, and reads on after it', () => {
    const big = Buffer.alloc(70_000, 0x61);
    const { messages } = parse(Buffer.concat([frame(2, big, { mask: true }), frame(1, 'after', { mask: true })]), 1000, 4096);
    expect(messages[0]).toMatchObject({ opcode: 2, size: 70_000, truncated: true });
    expect(messages[0]!.data.length).toBe(1000);
    expect(messages[0]!.data.every((b) => b === 0x61)).toBe(true);
    expect(messages[1]!.data.toString()).toBe('after');
  });

  it('caps a fragmented message across its fragments', () => {
    const { messages } = parse(Buffer.concat([frame(1, 'aaaa', { fin: false }), frame(0, 'bbbb', { fin: false }), frame(0, 'cccc')]), 6, 1);
    expect(messages[0]!.data.toString()).toBe('aaaabb');
    expect(messages[0]).toMatchObject({ size: 12, truncated: true, frames: 3 });
  });

  it('reads empty messages and marks RSV1 as compressed', () => {
    const { messages } = parse(Buffer.concat([frame(1, ''), frame(2, 'zz', { rsv1: true }), frame(10, '')]));
    expect(messages.map((m) => [m.opcode, m.size, m.compressed])).toEqual([[1, 0, false], [2, 2, true], [10, 0, false]]);
  });

  it.each([
    ['a continuation with nothing to continue', frame(0, 'x'), /continuation/],
    ['a reserved opcode', frame(3, 'x'), /reserved data opcode 3/],
    ['a fragmented control frame', frame(9, 'x', { fin: false }), /control frame/],
    ['a control frame over 125 bytes', frame(8, 'x'.repeat(200)), /control frame/],
    ['a new message inside a fragmented one', Buffer.concat([frame(1, 'a', { fin: false }), frame(1, 'b')]), /before the fragmented message ended/],
  ])('stops on %s, once, and reads nothing more', (_name, bytes, why) => {
    const { messages, problems } = parse(Buffer.concat([bytes, frame(1, 'later')]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(why);
    expect(messages.map((m) => m.data.toString())).not.toContain('later');
  });
});

describe('WsInflater (permessage-deflate)', () => {
  it('inflates messages in order, including one that refers back to an earlier one', async () => {
    const inflater = new WsInflater(1024);
    const first = deflateRawSync(Buffer.from('the quick brown fox'), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
    // The tail 00 00 ff ff is removed by the sender (RFC 7692 §7.2.1).
    const a = await inflater.inflate(first.subarray(0, first.length - 4), true, first.length - 4);
    expect(a).toMatchObject({ inflated: true, truncated: false });
    expect(a.data.toString()).toBe('the quick brown fox');
    const b = await inflater.inflate(deflateRawSync(Buffer.from('jumps'), { finishFlush: 2 }).subarray(0, -4), true, 0);
    expect(b.data.toString()).toBe('jumps');
  });

  it('caps the inflated copy and reports the inflated size', async () => {
    const inflater = new WsInflater(100);
    const z = deflateRawSync(Buffer.alloc(10_000, 0x41), { finishFlush: 2 }).subarray(0, -4);
    const r = await inflater.inflate(z, true, z.length);
    expect(r).toMatchObject({ inflated: true, size: 10_000, truncated: true });
    expect(r.data.length).toBe(100);
  });

  it('keeps the compressed bytes when a message was cut by the cap, and for every message after it', async () => {
    const inflater = new WsInflater(1024);
    const z = deflateRawSync(Buffer.from('hello'), { finishFlush: 2 }).subarray(0, -4);
    const cut = await inflater.inflate(z.subarray(0, 2), false, z.length);
    expect(cut).toMatchObject({ inflated: false, truncated: true, size: z.length });
    const later = await inflater.inflate(z, true, z.length);
    expect(later.inflated).toBe(false);
    expect(later.data.equals(z)).toBe(true);
  });

  it('gives up on bytes that are not deflate data', async () => {
    const inflater = new WsInflater(1024);
    const r = await inflater.inflate(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), true, 5);
    expect(r.inflated).toBe(false);
  });
});

describe('WsFrameParser with compressed messages', () => {
  it('keeps a compressed message whole past the cap (up to the compressed cap), so it can be inflated', () => {
    const z = Buffer.alloc(5000, 7);
    const { messages } = parse(Buffer.concat([frame(2, z, { rsv1: true, mask: true }), frame(2, z, { mask: true })]), 1000, 999);
    expect(messages[0]).toMatchObject({ compressed: true, size: 5000, truncated: false });
    expect(messages[0]!.data.equals(z)).toBe(true);
    expect(messages[1]).toMatchObject({ compressed: false, size: 5000, truncated: true });
  });
});
