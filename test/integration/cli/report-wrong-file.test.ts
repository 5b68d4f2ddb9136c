// `pinprobe report` on a file that is not a session (SPEC "Command line"): exit 2 with one
// line naming the file and what it holds — also with --fail-on, so a CI gate never passes
// on the wrong file.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinprobe } from '../../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-wrong-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2Zk\n-----END CERTIFICATE-----\n';
const cases: Array<[string, string, RegExp]> = [
  ['ca.pem', PEM, /a PEM certificate/],
  ['obj.json', '{}\n', /an empty JSON object/],
  ['empty.jsonl', '', /it is empty/],
  ['export.har', JSON.stringify({ log: { version: '1.2', entries: [] } }), /a HAR file/],
  ['notes.txt', 'hello world\nsecond line\n', /text that is not JSON Lines/],
  ['other-tool.jsonl', '{"type":"flow","id":1}\n{"type":"flow","id":2}\n', /JSON lines \(the first with "type" "flow"\) that are not Pinprobe session lines/],
  ['api-error.json', '{"type":"error","message":"rate limited"}\n', /one JSON object \("type" "error"\), not the JSON Lines of a Pinprobe session/],
  ['no-type.json', '{"name":"x","size":3}\n', /a JSON object without a "type" \(keys: name, size\)/],
  ['package.json', '{\n  "name": "app",\n  "type": "module"\n}\n', /one JSON object \("type" "module"\), not the JSON Lines of a Pinprobe session/],
  ['cut.jsonl', '{"type":"session","schema":"pinprobe.session/1"}\n', /its first line looks like a Pinprobe session header but could not be read \(.*a session header without a "time"/],
];

describe('report refuses a file that is not a Pinprobe session', () => {
  for (const [name, content, holds] of cases) {
    it(`${name}: exit 2 naming the file and what it holds, with and without --fail-on`, async () => {
      const file = join(dir, name);
      writeFileSync(file, content);
      for (const extra of [[], ['--fail-on', 'info'], ['--format', 'json', '--fail-on', 'critical']]) {
        const r = await pinprobe(['report', file, ...extra]);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        const lines = r.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`${file} is not a Pinprobe session`);
        expect(lines[0]).toMatch(holds);
      }
    });
  }

  it('still reports a session whose header line is missing (events only), with a warning', async () => {
    const file = join(dir, 'headless.jsonl');
    writeFileSync(file, JSON.stringify({ type: 'error', time: new Date().toISOString(), message: 'x' }) + '\n');
    const r = await pinprobe(['report', file, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).schema).toBe('pinprobe.report/1');
    expect(r.stderr).toMatch(/does not start with a session header/);
  });
});

describe('report on a path that is no file', () => {
  it('a missing file: one line, in words, with the code', async () => {
    const r = await pinprobe(['report', join(dir, 'nope.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`pinprobe: cannot read session file ${join(dir, 'nope.jsonl')}: no such file (ENOENT) — check the path`);
  });
  it('a folder: names its most recently written session file, for report, diff and check-auth', async () => {
    const folder = mkdtempSync(join(dir, 'sessions-'));
    for (const name of ['2026-12-01T10-00-00Z.pinprobe.jsonl', '2026-12-02T09-30-00Z.pinprobe.jsonl', 'notes.txt']) writeFileSync(join(folder, name), '');
    // Written last, whatever its name says (a continued --record session, a renamed copy).
    utimesSync(join(folder, '2026-12-01T10-00-00Z.pinprobe.jsonl'), new Date(), new Date(Date.now() + 60_000));
    const want = `it is a folder (EISDIR) — name a session file, e.g. ${join(folder, '2026-12-01T10-00-00Z.pinprobe.jsonl')}`;
    for (const args of [['report', folder], ['diff', folder, folder], ['check-auth', folder, '--host', 'api.example']]) {
      const r = await pinprobe(args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr, args[0]).toContain(`cannot read session file ${folder}: ${want}`);
    }
    const empty = mkdtempSync(join(dir, 'empty-'));
    expect((await pinprobe(['report', empty])).stderr.trim()).toBe(`pinprobe: cannot read session file ${empty}: it is a folder (EISDIR) — name a session file in it`);
    // A data dir: its sessions are in sessions/.
    const dataDir = mkdtempSync(join(dir, 'data-'));
    mkdirSync(join(dataDir, 'sessions'));
    writeFileSync(join(dataDir, 'sessions', 'a.pinprobe.jsonl'), '');
    expect((await pinprobe(['report', dataDir])).stderr).toContain(`it is a folder (EISDIR) — name a session file, e.g. ${join(dataDir, 'sessions', 'a.pinprobe.jsonl')}`);
  });
});
