// `--record` under a folder that cannot hold files (procfs) hung at start-up with the port
// bound (Node's recursive mkdir loops on procfs): it must exit 2 at once with one line.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinprobe } from '../../helpers/run.js';

describe('--record path checked before listening', () => {
  it('a path under /proc: exit 2 with one line, no hang', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pinprobe-data-'));
    const started = Date.now();
    const r = await pinprobe(['proxy', '--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir, '--record', '/proc/x/s.jsonl'], { timeoutMs: 15_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('cannot write the session file /proc/x/s.jsonl');
    expect(r.stdout).not.toContain('listening');
  });

  it('a path whose folder is a file: exit 2 naming it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pinprobe-data-'));
    const r = await pinprobe(['proxy', '--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir, '--record', '/etc/hostname/s.jsonl'], { timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/etc/hostname is not a folder');
  });
});
