// How a captured body is stored: valid UTF-8 as text (a character the cap cut in two is
// dropped, not turned into garbage), anything else — or text with NUL — as base64.
import { describe, expect, it } from 'vitest';
import { BodyCapture, DEFAULT_BODY_CAP, toBodyRecord } from '../../proxy/net/body-capture.js';
import { Prng } from '../helpers/prng.js';

describe('body records', () => {
  it('text stays text; a multi-byte character cut by the cap is dropped', () => {
    expect(toBodyRecord(Buffer.from('héllo'), 6)).toEqual({ size: 6, encoding: 'utf8', data: 'héllo', truncated: false });
    const euro = Buffer.from('ab€', 'utf8'); // € is 3 bytes
    for (const cut of [3, 4]) {
      expect(toBodyRecord(euro.subarray(0, cut), euro.length + 10)).toEqual({ size: euro.length + 10, encoding: 'utf8', data: 'ab', truncated: true });
    }
  });

  it('binary and NUL-bearing bodies are base64', () => {
    const bin = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    expect(toBodyRecord(bin, 4)).toEqual({ size: 4, encoding: 'base64', data: bin.toString('base64'), truncated: false });
    expect(toBodyRecord(Buffer.from('a\u0000b'), 3).encoding).toBe('base64');
    // Invalid bytes in the middle of a cut body are not "a cut character".
    const bad = Buffer.concat([Buffer.from([0xc3, 0x28]), Buffer.from('abcdef')]);
    expect(toBodyRecord(bad, 100).encoding).toBe('base64');
  });

  it('the capture keeps the first cap bytes and counts them all', () => {
    const c = new BodyCapture(5);
    c.add(Buffer.from('abc'));
    c.add(Buffer.from('defgh'));
    expect(c.size).toBe(8);
    expect(c.record()).toEqual({ size: 8, encoding: 'utf8', data: 'abcde', truncated: true });
    expect(c.head(2).toString()).toBe('ab');
  });

  // The capture keeps one growing buffer (no per-chunk copies joined at the end); what it
  // records must be what the first `cap` bytes of the whole body give, for any chunking.
  it('records exactly the first cap bytes for any chunking (seeded cases against a joined copy)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rnd = new Prng(seed);
      const cap = rnd.pick([1, 7, 4096, 65_536, 300_000]);
      const kind = rnd.pick(['text', 'binary', 'nul', 'euro'] as const);
      const total = rnd.int(0, cap * 3);
      const body = Buffer.alloc(total);
      for (let i = 0; i < total; i++) body[i] = kind === 'binary' ? rnd.int(0, 255) : kind === 'nul' && i === total >> 1 ? 0 : 0x61 + (i % 26);
      if (kind === 'euro') body.write('€'.repeat(Math.floor(total / 3)), 'utf8');
      const capture = new BodyCapture(cap);
      for (let at = 0; at < total; ) {
        const n = Math.min(total - at, rnd.pick([1, 3, 100, 16_384, 70_000]));
        // The socket's buffer may be reused after the chunk was seen: the capture keeps its own bytes.
        const chunk = Buffer.from(body.subarray(at, at + n));
        capture.add(chunk);
        chunk.fill(0x7e);
        at += n;
      }
      const kept = body.subarray(0, Math.min(cap, total));
      expect(capture.size, `seed ${seed}`).toBe(total);
      expect(capture.record(), `seed ${seed}`).toEqual(toBodyRecord(Buffer.from(kept), total));
      expect(capture.head(5).equals(kept.subarray(0, 5)), `seed ${seed}`).toBe(true);
    }
  });

  it('a 10 MiB answer in 16 KiB chunks: 1 MiB kept, its true size, base64 for binary, text for text', () => {
    const block = Buffer.alloc(16_384);
    for (let i = 0; i < block.length; i++) block[i] = (i * 7919) & 255;
    const binary = new BodyCapture();
    const text = new BodyCapture();
    const letters = Buffer.alloc(16_384, 'b');
    for (let i = 0; i < 640; i++) {
      binary.add(block);
      text.add(letters);
    }
    const bin = binary.record();
    expect(bin.size).toBe(10 * 1024 * 1024);
    expect(bin.truncated).toBe(true);
    expect(bin.encoding).toBe('base64');
    expect(Buffer.from(bin.data, 'base64').equals(Buffer.concat(Array.from({ length: 64 }, () => block)))).toBe(true);
    expect(text.record()).toEqual({ size: 10 * 1024 * 1024, encoding: 'utf8', data: 'b'.repeat(DEFAULT_BODY_CAP), truncated: true });
  });

  it('a stated length is not trusted in whole up front: 200 answers stating 1 MiB that sent 10 bytes hold well under 200 MiB; a true one is kept whole', () => {
    const before = process.memoryUsage().arrayBuffers;
    const held: BodyCapture[] = [];
    for (let i = 0; i < 200; i++) {
      const c = new BodyCapture();
      c.expect(DEFAULT_BODY_CAP);
      c.add(Buffer.from('0123456789'));
      held.push(c);
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(40 * 1024 * 1024);
    expect(held[199].record()).toEqual({ size: 10, encoding: 'utf8', data: '0123456789', truncated: false });
    const whole = new BodyCapture();
    whole.expect(DEFAULT_BODY_CAP);
    for (let i = 0; i < 64; i++) whole.add(Buffer.alloc(16_384, 'z'));
    expect(whole.record()).toEqual({ size: DEFAULT_BODY_CAP, encoding: 'utf8', data: 'z'.repeat(DEFAULT_BODY_CAP), truncated: false });
  });

  it('head() during the body: the first bytes, unchanged by later chunks; empty before any', () => {
    const c = new BodyCapture(100_000);
    expect(c.head(4096).length).toBe(0);
    expect(c.record()).toEqual({ size: 0, encoding: 'utf8', data: '', truncated: false });
    c.add(Buffer.from('No required SSL certificate'));
    const early = c.head(4096);
    for (let i = 0; i < 20; i++) c.add(Buffer.alloc(4096, 'x'));
    expect(early.toString()).toBe('No required SSL certificate');
    expect(c.head(4096).length).toBe(4096);
    expect(c.head(4096).toString().startsWith('No required SSL certificatexxx')).toBe(true);
  });

  it('a stated length sizes the buffer but changes nothing recorded (longer, shorter, no body at all)', () => {
    const block = Buffer.alloc(16_384, 'z');
    for (const stated of [10 * 1024 * 1024, 20_000, 1, Number.NaN, -5]) {
      const c = new BodyCapture(100_000);
      c.expect(stated);
      for (let i = 0; i < 10; i++) c.add(block);
      expect(c.record(), `stated ${stated}`).toEqual({ size: 163_840, encoding: 'utf8', data: 'z'.repeat(100_000), truncated: true });
    }
    // A HEAD answer states the length of a body it does not send.
    const head = new BodyCapture();
    head.expect(10 * 1024 * 1024);
    expect(head.record()).toEqual({ size: 0, encoding: 'utf8', data: '', truncated: false });
  });
});
