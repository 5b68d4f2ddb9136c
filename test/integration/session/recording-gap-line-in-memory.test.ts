// When the disk takes writes again, the writer records the gap with an `error` line in the
// session file. The in-memory session (what the UI lists and the live verdicts judge) must
// hold that line too, in the file's order: before, the file had a line memory did not, so
// memory's line numbers fell behind the file's from the gap on. A 256 KiB tmpfs plays the
// full disk (root, as in CI).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionRecording } from '../../../proxy/session/recording.js';
import type { SessionHeader, SessionLine } from '../../../proxy/session/events.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const header = {
  type: 'session', schema: 'pinprobe.session/1', time: '2026-12-02T00:00:00.000Z', version: '0.1.0', proxy: { listen: '127.0.0.1', port: 8080 }, caSubject: 'x',
  options: { scenario: null, passthrough: [], clientCertHosts: [], autoPassthrough: true, expectMtls: [], requestClientCert: false },
} as SessionHeader;

const key = (l: SessionLine): string => JSON.stringify([l.type, 'id' in l ? l.id : null, 'time' in l ? l.time : null, 'message' in l ? l.message : null]);

describe.runIf(isRoot)('the recording gap line, kept in memory too (a 256 KiB tmpfs; runs as root, as CI does)', () => {
  let mnt: string;
  beforeAll(() => {
    mnt = mkdtempSync(join(tmpdir(), 'pinprobe-gap-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
  });
  afterAll(() => {
    execFileSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  it('is in memory where the file has it, and every file line is in memory in the same order', async () => {
    const file = join(mnt, 'session.jsonl');
    const messages: string[] = [];
    const rec = new SessionRecording(file, { onTrouble: (m) => messages.push(m) });
    rec.open(header);
    // Leave only a little room, then record until the writer stops.
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(200 * 1024, 0x61));
    let n = 0;
    const errorLine = (): SessionLine => ({ type: 'error', time: new Date(1_796_000_000_000 + n).toISOString(), id: `c${n}`, message: `line ${n++} ${'x'.repeat(500)}` });
    while (rec.stopped === null && n < 5000) {
      rec.record(errorLine());
      rec.flush();
    }
    expect(rec.stopped).toMatch(/recording stopped: disk full/);
    for (let i = 0; i < 5; i++) rec.record(errorLine()); // lost from the file, kept in memory
    rmSync(join(mnt, 'filler'));
    // The writer retries once a second; the resume writes the gap line.
    const until = Date.now() + 5000;
    while (rec.stopped !== null && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(rec.stopped).toBeNull();
    rec.record(errorLine());
    rec.flush();

    const onDisk = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as SessionLine);
    const inMemory = rec.linesFrom(0);
    const gap = inMemory.findIndex((l) => l.type === 'error' && l.message.startsWith('recording gap: '));
    expect(gap, 'the gap line is in memory').toBeGreaterThan(0);
    expect(messages.some((m) => m.startsWith('recording resumed'))).toBe(true);
    // The file is memory with the lost lines taken out, in order.
    let at = 0;
    for (const line of onDisk) {
      while (at < inMemory.length && key(inMemory[at]!) !== key(line)) at++;
      expect(at, `file line ${key(line)} in memory, in order`).toBeLessThan(inMemory.length);
      at++;
    }
    // And it reads back as the file has it.
    expect(await rec.fullLine(gap)).toEqual(onDisk.find((l) => l.type === 'error' && l.message.startsWith('recording gap: ')));
    rec.end({ type: 'session-end', time: '2026-12-02T01:00:00.000Z' });
  });
});
