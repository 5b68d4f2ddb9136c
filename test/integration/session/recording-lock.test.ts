// The marker that keeps one writer per session file (session/recording-lock.ts), with a real
// second process standing in for another Pinprobe: a live holder refuses a claim, a dead one
// is taken over, and a release removes only this process's own marker.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimRecording, lockPath, recordedElsewhereMessage, recordedHere, recordingOwner, releaseRecording } from '../../../proxy/session/recording-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-lock-'));
const marker = (file: string, pid: number) => writeFileSync(lockPath(file), `${JSON.stringify({ pid, since: new Date().toISOString() })}\n`);

async function otherProcess(): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  await new Promise((ok) => child.once('spawn', ok));
  return { pid: child.pid!, stop: () => new Promise<void>((ok) => { child.once('exit', () => ok()); child.kill('SIGKILL'); }) };
}

describe('recording lock', () => {
  it('a running holder refuses the claim, naming its pid; once it is gone the claim takes the marker over', async () => {
    const file = join(dir, 'a.pinprobe.jsonl');
    const other = await otherProcess();
    marker(file, other.pid);
    expect(recordingOwner(file)).toBe(other.pid);
    expect(() => claimRecording(file, 'do something else')).toThrow(new RegExp(`being recorded by a running Pinprobe \\(pid ${other.pid}\\).*do something else`));
    await other.stop();
    expect(recordingOwner(file)).toBeNull();
    claimRecording(file, 'x');
    expect(JSON.parse(readFileSync(lockPath(file), 'utf8')).pid).toBe(process.pid);
    expect(recordedHere(file)).toBe(true);
    expect(recordedElsewhereMessage(file, 'x')).toBeNull();
    releaseRecording(file);
    expect(existsSync(lockPath(file))).toBe(false);
  });

  it('an append run and the live recording of one file in this process exclude each other', () => {
    const file = join(dir, 'b.pinprobe.jsonl');
    claimRecording(file, 'x', 'append');
    expect(recordedHere(file)).toBe(false);
    expect(() => claimRecording(file, 'x', 'record')).toThrow(/being written by this Pinprobe already \(a check or resend in progress\)/);
    releaseRecording(file);
    claimRecording(file, 'x', 'record');
    expect(() => claimRecording(file, 'x', 'append')).toThrow(/\(its live recording\)/);
    releaseRecording(file);
  });

  it("a release leaves another process's newer marker alone", async () => {
    const file = join(dir, 'c.pinprobe.jsonl');
    claimRecording(file, 'x');
    const other = await otherProcess();
    // Someone deleted ours and another recorder took the file meanwhile.
    marker(file, other.pid);
    releaseRecording(file);
    expect(JSON.parse(readFileSync(lockPath(file), 'utf8')).pid).toBe(other.pid);
    await other.stop();
  });

  it('a symlink to the file, or to its folder, names the same marker: no second writer through another path', async () => {
    const real = join(dir, 'real');
    mkdirSync(real);
    const file = join(real, 'd.pinprobe.jsonl');
    writeFileSync(file, '');
    symlinkSync(file, join(dir, 'link-to-file.jsonl'));
    symlinkSync(real, join(dir, 'link-to-folder'));
    const other = await otherProcess();
    marker(file, other.pid);
    for (const alias of [join(dir, 'link-to-file.jsonl'), join(dir, 'link-to-folder', 'd.pinprobe.jsonl'), join(dir, 'link-to-folder', '..', 'real', 'd.pinprobe.jsonl')]) {
      expect(lockPath(alias)).toBe(lockPath(file));
      expect(() => claimRecording(alias, 'x')).toThrow(new RegExp(`pid ${other.pid}`));
    }
    // A file not made yet, in a linked folder: the real folder's marker too.
    expect(lockPath(join(dir, 'link-to-folder', 'new.jsonl'))).toBe(lockPath(join(real, 'new.jsonl')));
    expect(lockPath(join(dir, 'link-to-folder', 'new.jsonl'))).not.toContain('link-to-folder');
    await other.stop();
  });
});
