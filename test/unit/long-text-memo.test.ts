// longTextMemo keeps what a scan found only for header-sized long texts, and only the newest few.
import { describe, expect, it } from 'vitest';
import { longTextMemo } from '../../proxy/judge/long-text-memo.js';

describe('longTextMemo', () => {
  it('scans a long text once, short and body-sized texts every time, and keeps at most `kept` texts', () => {
    const scanned: string[] = [];
    const memo = longTextMemo((text: string) => (scanned.push(text), text.length), 3);
    const long = 'L'.repeat(200);
    for (let i = 0; i < 3; i++) expect(memo(long)).toBe(200);
    expect(scanned.filter((t) => t === long)).toHaveLength(1);
    for (let i = 0; i < 3; i++) memo('short');
    expect(scanned.filter((t) => t === 'short')).toHaveLength(3);
    const body = 'B'.repeat(20 * 1024);
    for (let i = 0; i < 2; i++) memo(body);
    expect(scanned.filter((t) => t === body)).toHaveLength(2);
    // Three more long texts fill it: the first is dropped and scanned again.
    for (const c of ['a', 'b', 'c']) memo(c.repeat(100));
    memo(long);
    expect(scanned.filter((t) => t === long)).toHaveLength(2);
    // A scan that finds nothing (null) is kept like any other result.
    const nulls: string[] = [];
    const none = longTextMemo((text: string) => (nulls.push(text), null), 8);
    none(long);
    none(long);
    expect(nulls).toHaveLength(1);
  });
});
