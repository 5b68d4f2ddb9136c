// The two listen failures the unit test of listenFailure could only fake, caused for real:
// a --listen name this computer cannot resolve (getaddrinfo's ENOTFOUND), and a port below
// 1024 for a user without the right (EACCES: as root — CI — the proxy runs as `nobody` via
// runuser; as another user, as that user). Each exits 2 with the line that names the option,
// and no stack trace.
import { mkdtempSync, readFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, pinprobe, run } from '../../helpers/run.js';

/** The lowest port an unprivileged user may bind (Linux; 1024 unless lowered). */
const unprivilegedStart = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  } catch {
    return 1024;
  }
})();

describe('listen failures, for real', () => {
  it('a --listen name that does not resolve: ENOTFOUND in words, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinprobe-listen-'));
    const r = await pinprobe(['proxy', '--listen', 'no-such-host.invalid', '--port', '0', '--data-dir', join(dir, 'data'), '--no-record'], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot listen on no-such-host.invalid:0: "no-such-host.invalid" is not an IP address, nor a name this computer resolves — give --listen an address such as 0.0.0.0');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it(`a port below ${unprivilegedStart} without the right: EACCES in words, exit 2`, async () => {
    // A port below the unprivileged start and (almost surely) free: as root it would just listen.
    const port = Math.min(unprivilegedStart - 1, 79);
    expect(port, 'every user may bind every port here (ip_unprivileged_port_start is 0): EACCES cannot be caused').toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'pinprobe-listen-'));
    chmodSync(dir, 0o777);
    const args = [BIN, 'proxy', '--listen', '127.0.0.1', '--port', String(port), '--data-dir', join(dir, 'data'), '--no-record'];
    const asRoot = process.getuid?.() === 0;
    const r = asRoot ? await run('runuser', ['-u', 'nobody', '--', process.execPath, ...args], { timeoutMs: 20_000 }) : await run(process.execPath, args, { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}: ports below 1024 need administrator rights — choose another with --port`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
