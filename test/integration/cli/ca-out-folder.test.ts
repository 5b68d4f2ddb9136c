// `pinprobe ca --out DIR/` writes the export into the folder under its usual name (as cp
// would) instead of failing with a raw EISDIR or writing a file called DIR.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinprobe } from '../../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-ca-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dataDir = join(dir, 'data');

describe('ca --out accepts a folder', () => {
  it('an existing folder, with or without a trailing slash, gets the usual file name', async () => {
    const out = join(dir, 'exports');
    mkdirSync(out);
    for (const arg of [out + '/', out]) {
      const r = await pinprobe(['ca', '--data-dir', dataDir, '--out', arg]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(join(out, 'pinprobe-ca.pem'));
      expect(readFileSync(join(out, 'pinprobe-ca.pem'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    }
  });

  it('a new path ending in "/" is created as a folder; android keeps its hash name', async () => {
    const out = join(dir, 'fresh', 'sub') + '/';
    const r = await pinprobe(['ca', '--data-dir', dataDir, '--format', 'android', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/fresh\/sub\/[0-9a-f]{8}\.0$/);
    expect(statSync(join(dir, 'fresh', 'sub')).isDirectory()).toBe(true);
  });

  it('an unwritable target is one line naming the option and why, never a raw errno dump', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const r = await pinprobe(['ca', '--data-dir', dataDir, '--out', join(blocker, 'ca.pem')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^pinprobe: --out .*a-file\/ca\.pem: /);
    expect(r.stderr).not.toMatch(/illegal operation/);
  });
});
