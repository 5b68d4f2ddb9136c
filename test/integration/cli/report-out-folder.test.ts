// `report --out` and `diff --out` make the folder they write into (a CI job's
// `reports/build-42/` need not exist) and take a folder as `ca --out` does; a path that cannot
// be written is one line naming the option and why, never a raw errno message.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { header } from '../../fixtures/events.js';
import { pinprobe } from '../../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-report-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const session = join(dir, 'a.pinprobe.jsonl');
writeFileSync(session, JSON.stringify(header()) + '\n');

describe('--out of report and diff', () => {
  it('report --out into folders that do not exist yet writes the report there', async () => {
    const out = join(dir, 'reports', 'build-42', 'report.json');
    const r = await pinprobe(['report', session, '--format', 'json', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).schema).toBe('pinprobe.report/1');
  });

  it('diff --out into folders that do not exist yet writes the diff there', async () => {
    const out = join(dir, 'diffs', 'nightly', 'diff.xml');
    const r = await pinprobe(['diff', session, session, '--format', 'junit', '--out', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^<\?xml/);
  });

  it('a folder (existing, or any path ending in "/") gets the file under its usual name, as with ca --out', async () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const intoExisting = await pinprobe(['report', session, '--format', 'html', '--out', folder]);
    expect(intoExisting.code, intoExisting.stderr).toBe(0);
    expect(intoExisting.stdout.trim()).toBe(join(folder, 'a.html'));
    expect(readFileSync(join(folder, 'a.html'), 'utf8')).toMatch(/<html/i);
    const intoNew = await pinprobe(['report', session, '--format', 'junit', '--out', join(dir, 'new-folder') + '/']);
    expect(intoNew.code, intoNew.stderr).toBe(0);
    expect(readFileSync(join(dir, 'new-folder', 'a.xml'), 'utf8')).toMatch(/^<\?xml/);
    const diff = await pinprobe(['diff', session, session, '--format', 'json', '--out', folder + '/']);
    expect(diff.code, diff.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(folder, 'a-vs-a.json'), 'utf8'))).toBeTypeOf('object');
  });

  it('a path under a file is one line naming --out and why', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const cases: Array<[string[], RegExp]> = [
      [['report', session, '--out', join(blocker, 'r.html'), '--format', 'html'], /a part of the path is a file, not a folder/],
      [['diff', session, session, '--out', join(blocker, 'd.txt')], /a part of the path is a file, not a folder/],
    ];
    for (const [args, why] of cases) {
      const r = await pinprobe(args);
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^pinprobe: --out \S+: cannot (create the folder|write) /);
      expect(lines[0]).toMatch(why);
    }
  });

  // /dev/full refuses every write with ENOSPC: a full disk for real, without root or a tmpfs.
  it.runIf(process.platform === 'linux')('a full disk (ENOSPC, /dev/full) is one line naming --out and "the disk is full"', async () => {
    const cases = [
      ['report', session, '--format', 'html', '--out', '/dev/full'],
      ['report', session, '--format', 'har', '--out', '/dev/full'],
      ['diff', session, session, '--format', 'json', '--out', '/dev/full'],
      ['ca', '--data-dir', join(dir, 'ca-data'), '--out', '/dev/full'],
    ];
    for (const args of cases) {
      const r = await pinprobe(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe('pinprobe: --out /dev/full: cannot write /dev/full (the disk is full)');
    }
  });
});
