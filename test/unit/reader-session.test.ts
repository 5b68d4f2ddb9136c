import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSessionText, readSession } from '../../proxy/session/reader.js';
import { EventBuilder } from '../fixtures/events.js';

function sessionText(): { text: string; count: number } {
  const b = new EventBuilder();
  b.tls({ host: 'a.test', scenario: 'trusted', result: 'accepted' });
  b.end();
  return { text: b.lines.map((l) => JSON.stringify(l)).join('\n') + '\n', count: b.lines.length - 1 };
}

function writeTemp(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pinprobe-reader-'));
  const file = join(dir, 'session.pinprobe.jsonl');
  writeFileSync(file, content);
  return file;
}

describe('session reader', () => {
  it('reads the header and every event of a well-formed file without warnings', async () => {
    const { text, count } = sessionText();
    const read = await readSession(writeTemp(text));
    expect(read.header?.schema).toBe('pinprobe.session/1');
    expect(read.events).toHaveLength(count);
    expect(read.warnings).toEqual([]);
  });

  it('skips a truncated last line with a warning naming the file and line', async () => {
    const { text, count } = sessionText();
    const file = writeTemp(`${text}{"type":"request","time":"2025-01-0`);
    const read = await readSession(file);
    expect(read.events).toHaveLength(count);
    expect(read.warnings).toHaveLength(1);
    expect(read.warnings[0]).toContain(`${file}:${count + 2}`);
    expect(read.warnings[0]).toMatch(/truncated last line/);
  });

  it('skips a bad line in the middle with a warning and keeps the rest', () => {
    const { text, count } = sessionText();
    const lines = text.trimEnd().split('\n');
    lines.splice(2, 0, 'garbage{');
    const read = parseSessionText(lines.join('\n'), 'mem.jsonl');
    expect(read.events).toHaveLength(count);
    expect(read.warnings).toEqual([expect.stringMatching(/^mem\.jsonl:3: skipped an unreadable line/)]);
  });

  it('skips lines that are JSON but not events, and summarises unknown event types', () => {
    const { text, count } = sessionText();
    const extra = ['[1,2]', '{"no":"type"}', '{"type":"future-thing","time":"t"}', '{"type":"future-thing","time":"t"}'];
    const read = parseSessionText(text + extra.join('\n') + '\n' + '{"type":"session-end","time":"t"}\n', 'm');
    expect(read.events).toHaveLength(count + 1);
    expect(read.warnings.filter((w) => w.includes('future-thing'))).toHaveLength(1);
    expect(read.warnings.filter((w) => w.includes('unreadable line'))).toHaveLength(2);
  });

  it('warns when the header is missing but still returns the events', () => {
    const { text, count } = sessionText();
    const read = parseSessionText(text.split('\n').slice(1).join('\n'), 'nohead');
    expect(read.header).toBeNull();
    expect(read.events).toHaveLength(count);
    expect(read.warnings[0]).toMatch(/does not start with a session header/);
  });

  it('handles CRLF line ends and a byte-order mark', () => {
    const { text, count } = sessionText();
    const read = parseSessionText('\uFEFF' + text.replace(/\n/g, '\r\n'), 'crlf');
    expect(read.header).not.toBeNull();
    expect(read.events).toHaveLength(count);
    expect(read.warnings).toEqual([]);
  });

  it('throws an error naming a missing file', async () => {
    const file = join(tmpdir(), 'pinprobe-no-such-dir', 'missing.jsonl');
    await expect(readSession(file)).rejects.toThrow(file);
  });

  it('throws an error naming an unreadable path (a directory)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinprobe-reader-dir-'));
    await expect(readSession(dir)).rejects.toThrow(dir);
  });
});
