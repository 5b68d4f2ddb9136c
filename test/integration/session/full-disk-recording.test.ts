// Recording onto a full disk (a small tmpfs): one clear message, the proxy keeps serving,
// no cut or glued line in the file, recording resumes by itself with a gap line once space
// returns, and SIGTERM while full still prints the summary, says in one line how many lines
// the file lacks, and exits 0 (docs/formats.md). Before the fix:
// ~50 "a feature failed … ENOSPC" lines, glued lines after resume, exit 1 with a stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curl, spawnProxy } from '../../helpers/run.js';
import { listenLoopback } from '../../helpers/listen.js';
import { testPki } from '../../helpers/pki.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function fill(dir: string): void {
  // Writes until the filesystem refuses: afterwards not one more byte fits.
  const big = Buffer.alloc(4096, 0x61);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `fill-${i}`), big);
    } catch {
      try {
        writeFileSync(join(dir, `fill-small-${i}`), 'x');
      } catch {
        return;
      }
    }
  }
}

describe.runIf(isRoot)('full disk while recording (a 256 KiB tmpfs; runs as root, as CI does)', () => {
  let mnt: string;
  let origin: http.Server;
  let port: number;
  beforeAll(async () => {
    mnt = mkdtempSync(join(tmpdir(), 'pinprobe-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
    origin = http.createServer((req, res) => res.end(`hi ${req.url}\n`));
    port = await listenLoopback(origin);
  });
  afterAll(() => {
    origin?.close();
    try {
      execFileSync('umount', [mnt]);
    } catch {
      // already gone
    }
  });

  it('one message, serving goes on, resumes with a gap line, SIGTERM prints the summary', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pinprobe-data-'));
    const record = join(mnt, 's.pinprobe.jsonl');
    const p = await spawnProxy(['--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir, '--record', record, '--upstream-ca', testPki().caCertPath]);
    const proxyUrl = `http://127.0.0.1:${/proxy listening on 127\.0\.0\.1:(\d+)/.exec(p.output())![1]}`;
    const burst = async (tag: string) => {
      for (let i = 0; i < 15; i++) {
        const r = await curl(proxyUrl, `http://127.0.0.1:${port}/${tag}-${i}?pad=${'p'.repeat(500)}`);
        expect(r.stdout).toContain(`hi /${tag}-${i}`);
      }
    };
    await burst('before');
    fill(mnt);
    await burst('full');
    await new Promise((ok) => setTimeout(ok, 300));
    expect(p.output().match(/recording stopped: disk full/g)).toHaveLength(1);
    expect(p.output()).not.toMatch(/a feature failed/);

    // Space returns: the writer retries every second and carries on by itself.
    for (const f of execFileSync('ls', [mnt]).toString().split('\n').filter((n) => n.startsWith('fill-'))) rmSync(join(mnt, f));
    await burst('after');
    const deadline = Date.now() + 5000;
    while (!/recording resumed/.test(p.output()) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 100));
    expect(p.output()).toMatch(/recording resumed/);
    await burst('resumed');
    // Let the writer's last batch (≤ 10 ms) land before the disk fills again.
    await new Promise((ok) => setTimeout(ok, 200));

    // Full again, then stop: the summary still comes, one line says how many lines the
    // file lacks (session-end among them), and the exit code is 0 as for any stop (SPEC).
    fill(mnt);
    await burst('full2');
    p.child.kill('SIGTERM');
    const done = await p.exited;
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('Session saved:');
    const notWritten = done.stderr.match(/^recording: (\d+) lines \(including session-end\) not written to (.+): disk full$/gm) ?? [];
    expect(notWritten).toHaveLength(1);
    const [, count, file] = /^recording: (\d+) lines \(including session-end\) not written to (.+): disk full$/m.exec(done.stderr)!;
    expect(file).toBe(record);
    // At least the 15 requests and responses of the second full burst, plus session-end.
    expect(Number(count)).toBeGreaterThanOrEqual(31);
    expect(done.stderr).not.toMatch(/Unhandled|at .*\.js:\d+/);

    const lines = readFileSync(record, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    const parsed = lines.map((l) => JSON.parse(l) as { type: string; url?: string; message?: string });
    expect(parsed[0]!.type).toBe('session');
    expect(parsed.some((l) => l.type === 'error' && /recording gap: \d+ lines? /.test(l.message ?? ''))).toBe(true);
    const urls = parsed.filter((l) => l.type === 'request').map((l) => l.url ?? '');
    expect(urls.filter((u) => u.includes('/before-'))).toHaveLength(15);
    expect(urls.filter((u) => u.includes('/resumed-'))).toHaveLength(15);
  }, 120_000);
});
