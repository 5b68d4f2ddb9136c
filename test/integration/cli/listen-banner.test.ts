// The proxy's start banner advertises only addresses something listens on (issue 13,
// defect 2): `--listen 127.0.0.1` names no LAN address and says how to open it to a phone;
// the default 0.0.0.0 (IPv4 only in Node) lists no IPv6 address.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinprobe, spawnProxy } from '../../helpers/run.js';

const external = Object.values(networkInterfaces()).flatMap((l) => (l ?? []).filter((i) => !i.internal).map((i) => i.address));

async function bannerOf(args: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'pinprobe-banner-'));
  try {
    const p = await spawnProxy(['--port', '0', '--data-dir', dir, ...args]);
    const text = p.output();
    p.child.kill('SIGINT');
    await p.exited;
    return text;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the start banner advertises what is reachable', () => {
  it('--listen 127.0.0.1: loopback-only, no LAN address, how to open it', async () => {
    const text = await bannerOf(['--listen', '127.0.0.1']);
    expect(text).toMatch(/proxy listening on 127\.0\.0\.1:\d+/);
    expect(text).toMatch(/only: this computer .* a phone on Wi-Fi cannot/);
    expect(text).toMatch(/restart with --listen 0\.0\.0\.0/);
    expect(text).toMatch(/adb reverse tcp:(\d+) tcp:\1/);
    expect(text).not.toMatch(/Set the phone's Wi-Fi proxy to/);
    for (const a of external) expect(text).not.toContain(a);
  });

  it('the default 0.0.0.0 lists IPv4 LAN addresses only (nothing listens on IPv6)', async () => {
    const text = await bannerOf([]);
    const v4 = external.filter((a) => !a.includes(':'));
    for (const a of external.filter((x) => x.includes(':'))) expect(text).not.toContain(a);
    if (v4.length) expect(text).toContain(`${v4[0]}:`);
  });
});

describe('an address that is not this computer\'s', () => {
  it('--listen 203.0.113.77 (TEST-NET-3): exit 2, one line naming --listen and what it takes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinprobe-banner-'));
    try {
      const r = await pinprobe(['proxy', '--listen', '203.0.113.77', '--port', '0', '--data-dir', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(/^pinprobe: cannot listen on 203\.0\.113\.77:0: 203\.0\.113\.77 is not an address of this computer — give --listen one of its addresses, 0\.0\.0\.0 for all of them, or 127\.0\.0\.1 for this computer only$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

