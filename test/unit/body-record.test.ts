// How a captured body is stored: valid UTF-8 as text (a character the cap cut in two is
// dropped, not turned into garbage), anything else — or text with NUL — as base64.
import { describe, expect, it } from 'vitest';
import { BodyCapture, toBodyRecord } from '../../proxy/net/body-capture.js';

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
});
