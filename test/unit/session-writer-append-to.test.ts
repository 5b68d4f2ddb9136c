// Adding lines to an existing session file (resend, backend checks, check-auth on a saved
// session): a file cut mid-line by a killed recording gets its line ended first, so the first
// new line is not glued to it; a whole file gets nothing extra.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionWriter } from '../../proxy/session/writer.js';
import type { SessionLine } from '../../proxy/session/events.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-append-to-'));
const line = { type: 'error', time: '2026-12-02T00:00:00.000Z', message: 'added' } as unknown as SessionLine;

function appendOne(name: string, before: string): string {
  const file = join(dir, name);
  writeFileSync(file, before);
  const w = SessionWriter.appendTo(file);
  w.append(line);
  w.close();
  return readFileSync(file, 'utf8');
}

describe('SessionWriter.appendTo', () => {
  it('ends a cut last line before the new one', () => {
    expect(appendOne('cut.jsonl', '{"type":"session"}\n{"type":"requ')).toBe(`{"type":"session"}\n{"type":"requ\n${JSON.stringify(line)}\n`);
  });
  it('adds nothing to a file that ends with its line', () => {
    expect(appendOne('whole.jsonl', '{"type":"session"}\n')).toBe(`{"type":"session"}\n${JSON.stringify(line)}\n`);
  });
  it('appends to an empty file as is', () => {
    expect(appendOne('empty.jsonl', '')).toBe(`${JSON.stringify(line)}\n`);
  });
});
