// `pinprobe diff A B` on two sessions recorded through the real engine with real curl
// against a real HTTPS origin: A is "the old build" (pins api.app.test, rejects a
// self-signed certificate for cdn.app.test), B is "the new build" (trusts Pinprobe's CA
// for api.app.test, accepts anything for cdn.app.test). Text, JSON and JUnit outputs,
// --fail-on exit codes (0 / 1), and exit 2 naming the file for bad input.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionDiff } from '../../../proxy/report/diff.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { testPki } from '../../helpers/pki.js';
import { pinprobe } from '../../helpers/run.js';
import { recordTwoBuilds } from '../../helpers/two-builds.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-diff-'));
let origin: Origin;
let fileA = '';
let fileB = '';

beforeAll(async () => {
  origin = await startOrigin();
  ({ a: fileA, b: fileB } = await recordTwoBuilds(origin));
}, 60_000);

afterAll(async () => {
  await origin.close();
});

describe('pinprobe diff on sessions recorded through the engine', () => {
  it('text: per host, pinning lost on api, validation now broken on cdn, new and gone hosts; exit 0 without --fail-on', async () => {
    const r = await pinprobe(['diff', fileA, fileB]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain(`A: ${fileA}`);
    expect(out).toContain(`B: ${fileB}`);
    expect(out).toMatch(/^cdn\.app\.test:443  changed\n  ✗ validation now broken: (OK|Partial) → Broken \(now accepts self-signed\) \[critical\]$/m);
    expect(out).toMatch(/^api\.app\.test:443  changed\n  ✗ pinning lost: (Likely pinned|Pinned) → Not pinned \[medium\]$/m);
    // "pinning lost" already says what the new pinning-missing finding says.
    expect(out).not.toMatch(/api\.app\.test:443  changed\n.*\n  ✗ new finding \(medium\): No certificate pinning/);
    expect(out).toMatch(/^new\.app\.test:443  new in B\n  ~ new host: only seen in B\n  ✗ new finding \(medium\): No certificate pinning/m);
    expect(out).toMatch(/^old\.app\.test:443  gone in B\n  ~ host gone/m);
    // Worst first: the critical regression leads.
    expect(out.indexOf('cdn.app.test')).toBeLessThan(out.indexOf('api.app.test'));
    expect(out).toMatch(/\d+ regressions?, .*1 new host, 1 host gone, 0 hosts unchanged/);
  });

  it('json: pinprobe.diff/1 with the changes as data', async () => {
    const r = await pinprobe(['diff', fileA, fileB, '--format', 'json']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as SessionDiff;
    expect(d.schema).toBe('pinprobe.diff/1');
    expect(d.a.file).toBe(fileA);
    expect(d.b.file).toBe(fileB);
    const host = (name: string) => d.hosts.find((h) => h.host === name)!;
    expect(host('api.app.test').changes).toContainEqual(expect.objectContaining({ kind: 'regression', check: 'pinning', after: 'not-pinned', severity: 'medium' }));
    expect(host('cdn.app.test').changes).toContainEqual(expect.objectContaining({ kind: 'regression', check: 'validation', after: 'broken', severity: 'critical' }));
    expect(host('cdn.app.test').changes).toContainEqual(expect.objectContaining({ kind: 'regression', finding: 'validation-self-signed-accepted' }));
    expect(host('new.app.test').status).toBe('added');
    expect(host('old.app.test').status).toBe('removed');
    expect(d.summary).toMatchObject({ added: 1, removed: 1, unchanged: 0 });
    expect(d.summary.regressions).toBeGreaterThanOrEqual(3);
  });

  it('junit: one case per host; cdn and api fail, the gone host is skipped', async () => {
    const r = await pinprobe(['diff', fileA, fileB, '--format', 'junit']);
    expect(r.code).toBe(0);
    const xml = r.stdout;
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toMatch(/<testsuites name="pinprobe diff [^"]+" tests="4" failures="\d" errors="0" skipped="1">/);
    expect(xml).toMatch(/<testcase classname="diff" name="cdn\.app\.test:443" time="0">\s*<failure message="validation now broken[^"]*" type="critical">/);
    expect(xml).toMatch(/<testcase classname="diff" name="api\.app\.test:443" time="0">\s*<failure message="pinning lost[^"]*" type="medium">/);
    expect(xml).toMatch(/<testcase classname="diff" name="old\.app\.test:443" time="0">\s*<skipped message="only in A/);
  });

  it('--fail-on: 1 when B regressed that badly, 0 otherwise (also the other way round and a session against itself)', async () => {
    expect((await pinprobe(['diff', fileA, fileB, '--fail-on', 'critical'])).code).toBe(1);
    expect((await pinprobe(['diff', fileA, fileB, '--fail-on', 'medium', '--format', 'json'])).code).toBe(1);
    // B -> A: api and cdn improve; only the "new" old.app.test brings findings (pinning-missing, medium).
    const back = await pinprobe(['diff', fileB, fileA, '--fail-on', 'critical']);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/✓ validation fixed/);
    expect(back.stdout).toMatch(/✓ pinning gained: Not pinned → (Likely pinned|Pinned)/);
    expect((await pinprobe(['diff', fileB, fileA, '--fail-on', 'medium'])).code).toBe(1);
    const same = await pinprobe(['diff', fileA, fileA, '--fail-on', 'info']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('No host changed.');
  });

  it('--out writes the file and prints its path', async () => {
    const out = join(dir, 'diff.xml');
    const r = await pinprobe(['diff', fileA, fileB, '--format', 'junit', '--out', out, '--fail-on', 'critical']);
    expect(r.stdout.trim()).toBe(out);
    expect(r.code).toBe(1);
  });

  it('bad input: exit 2 with one line naming the file and what is wrong', async () => {
    const pem = join(dir, 'ca.pem');
    writeFileSync(pem, testPki().caCert);
    const har = join(dir, 'export.har');
    writeFileSync(har, JSON.stringify({ log: { version: '1.2', creator: { name: 'x', version: '1' }, entries: [] } }));
    const missing = join(dir, 'nope.pinprobe.jsonl');
    const cases: Array<[string[], RegExp]> = [
      [[fileA, missing], new RegExp(`cannot read session file ${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*ENOENT`)],
      [[pem, fileB], /ca\.pem is not a Pinprobe session: it holds a PEM certificate/],
      [[fileA, har], /export\.har is not a Pinprobe session: it holds a HAR file \(HTTP requests only: no TLS outcomes, so no verdicts/],
      [[fileA, fileB, '--format', 'html'], /--format must be text, json or junit \(got "html"\)/],
      [[fileA, fileB, '--fail-on', 'severe'], /--fail-on must be critical, high, medium, low or info/],
      [[fileA], /missing required argument 'b'/],
    ];
    for (const [args, message] of cases) {
      const r = await pinprobe(['diff', ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
