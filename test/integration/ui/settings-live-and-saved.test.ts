// Settings made in the UI (issue 13, defect 3): "expect mTLS" re-judges the live session at
// once (a `settings` line the judge reads, so the reopened file agrees), and UI settings are
// saved in the data dir, applied at the next `pinprobe ui` start unless the command line
// gives the setting, with their origin reported for Controls.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { testPki } from '../../helpers/pki.js';
import { BIN, curl, pinprobe } from '../../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-ui-settings-'));
let origin: Origin;
beforeAll(async () => {
  origin = await startOrigin();
});
afterAll(async () => {
  await origin?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Ui {
  child: ChildProcess;
  base: string;
  proxyUrl: string;
  token: string;
  stderr: () => string;
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

async function startUi(extra: string[], record: string): Promise<Ui> {
  const child = spawn(process.execPath, [BIN, 'ui', '--port', '0', '--listen', '127.0.0.1', '--data-dir', join(dir, 'data'), '--record', record, '--upstream-ca', testPki().caCertPath, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((ok) => child.on('close', () => ok()));
  const deadline = Date.now() + 20_000;
  let m: RegExpMatchArray | null = null;
  while (!(m = /^(http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)$/m.exec(out))) {
    if (Date.now() > deadline) throw new Error(`ui did not start: ${out}${err}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
  const [, base, token] = m as RegExpMatchArray;
  const port = /proxy listening on 127\.0\.0\.1:(\d+)/.exec(out)![1];
  const call = async <T,>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    child, base: base!, token: token!, proxyUrl: `http://127.0.0.1:${port}`, stderr: () => err, call,
    stop: async () => {
      child.kill('SIGINT');
      await exited;
    },
  };
}

type Report = { hosts: Array<{ host: string; findings: Array<{ id: string; severity: string }> }> };
const mtlsSeverity = (r: Report) => r.hosts.find((h) => h.host === 'localhost')?.findings.find((f) => f.id === 'mtls-not-enforced')?.severity;

describe('UI settings', () => {
  const first = join(dir, 'first.pinprobe.jsonl');

  it('expect mTLS changes the verdicts of the running session, and of the file reopened later', async () => {
    const ui = await startUi([], first);
    try {
      const r = await curl(ui.proxyUrl, `https://localhost:${origin.port}/x`, ['--cacert', join(dir, 'data', 'ca', 'pinprobe-ca.pem')]);
      expect(r.stdout).toBe('origin says hi to /x\n');
      let before: string | undefined;
      for (let i = 0; i < 50 && !(before = mtlsSeverity(await ui.call<Report>('GET', '/api/verdicts'))); i++) await new Promise((ok) => setTimeout(ok, 100));
      expect(before).toBe('info');
      await ui.call('PUT', '/api/settings', { expectMtls: ['localhost'] });
      expect(mtlsSeverity(await ui.call<Report>('GET', '/api/verdicts'))).toBe('high');
      const sources = await ui.call<{ file: string; sources: Record<string, string> }>('GET', '/api/settings/sources');
      expect(sources.file).toBe(join(dir, 'data', 'settings.json'));
      expect(sources.sources['expectMtls']).toBe('ui');
      expect(sources.sources['scenario']).toBe('default');
    } finally {
      await ui.stop();
    }
    const lines = readFileSync(first, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; options?: { expectMtls?: string[] } });
    expect(lines.find((l) => l.type === 'settings')?.options?.expectMtls).toEqual(['localhost']);
    const report = await pinprobe(['report', first, '--format', 'json']);
    expect(mtlsSeverity(JSON.parse(report.stdout) as Report)).toBe('high');
    expect((await pinprobe(['report', first, '--fail-on', 'high'])).code).toBe(1);
  });

  it('the saved settings come back at the next start (mode 0600), unless the command line gives them', async () => {
    expect(statSync(join(dir, 'data', 'settings.json')).mode & 0o777).toBe(0o600);
    const again = await startUi([], join(dir, 'second.pinprobe.jsonl'));
    try {
      expect((await again.call<{ expectMtls: string[] }>('GET', '/api/settings')).expectMtls).toEqual(['localhost']);
      expect((await again.call<{ sources: Record<string, string> }>('GET', '/api/settings/sources')).sources['expectMtls']).toBe('saved');
      expect(again.stderr()).toContain('Settings saved in the UI');
    } finally {
      await again.stop();
    }
    // Saved options are in the new session's header, so its verdicts use them from the start.
    const header = JSON.parse(readFileSync(join(dir, 'second.pinprobe.jsonl'), 'utf8').split('\n')[0]!) as { options: { expectMtls: string[] } };
    expect(header.options.expectMtls).toEqual(['localhost']);

    const flagged = await startUi(['--expect-mtls', 'other.example'], join(dir, 'third.pinprobe.jsonl'));
    try {
      expect((await flagged.call<{ expectMtls: string[] }>('GET', '/api/settings')).expectMtls).toEqual(['other.example']);
      expect((await flagged.call<{ sources: Record<string, string> }>('GET', '/api/settings/sources')).sources['expectMtls']).toBe('command line');
    } finally {
      await flagged.stop();
    }
  });
});
