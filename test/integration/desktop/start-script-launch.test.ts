// scripts/start.js (`npm start`) in a throwaway copy of the project layout: without an
// Electron binary it prints how to get one and runs `bin/pinprobe.js ui`; with one (a stub
// shell script here) it runs that. Nothing here touches the real node_modules/electron.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const URL_LINE = 'http://127.0.0.1:41234/#token=0123456789abcdef0123456789abcdef';

// Stands in for the real CLI: reports its arguments, prints a UI URL, then either exits
// with STUB_EXIT or waits and reports the signals it receives.
const STUB_CLI = `#!/usr/bin/env node
// Handlers first: a signal sent as soon as the URL line shows must find them in place.
let ints = 0;
process.on('SIGINT', () => { ints++; setTimeout(() => { process.stdout.write('STUB-CLI SIGINT x' + ints + '\\n'); process.exit(0); }, 300); });
process.on('SIGTERM', () => { process.stdout.write('STUB-CLI SIGTERM\\n'); process.exit(0); });
process.stdout.write('STUB-CLI ' + JSON.stringify(process.argv.slice(2)) + '\\n');
process.stdout.write(${JSON.stringify(URL_LINE)} + '\\n');
if (process.env.STUB_EXIT) process.exit(Number(process.env.STUB_EXIT));
setInterval(() => {}, 1000);
`;

const STUB_ELECTRON = `#!/bin/sh
echo "STUB-ELECTRON $*"
echo "RUN_AS_NODE=\${ELECTRON_RUN_AS_NODE:-unset}"
exit \${STUB_EXIT:-0}
`;

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let dir: string;

function layout(opts: { electron: boolean; built: boolean }): void {
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  copyFileSync(join(repo, 'scripts', 'start.js'), join(dir, 'scripts', 'start.js'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'pinprobe', type: 'module' }));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'pinprobe.js'), STUB_CLI);
  mkdirSync(join(dir, 'node_modules', 'electron'), { recursive: true });
  copyFileSync(join(repo, 'node_modules', 'electron', 'package.json'), join(dir, 'node_modules', 'electron', 'package.json'));
  if (opts.electron) {
    const exe = join(dir, 'node_modules', 'electron', 'dist', 'electron');
    mkdirSync(dirname(exe), { recursive: true });
    writeFileSync(exe, STUB_ELECTRON);
    chmodSync(exe, 0o755);
  }
  if (opts.built) {
    mkdirSync(join(dir, 'dist', 'app'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'app', 'main.js'), '// stand-in\n');
  }
}

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Result> } {
  const baseEnv = { ...process.env };
  delete baseEnv.ELECTRON_OVERRIDE_DIST_PATH;
  const child = spawn(process.execPath, [join(dir, 'scripts', 'start.js'), ...args], {
    cwd: dir,
    env: { ...baseEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Result>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

async function waitFor(child: ChildProcess, text: string): Promise<void> {
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${text}; saw: ${seen}`)), 10_000);
    child.stdout?.on('data', (c: Buffer) => {
      seen += c.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pinprobe-start-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start without an Electron binary', () => {
  it('says how to get Electron and runs `bin/pinprobe.js ui` with the arguments, passing its output and exit code through', async () => {
    layout({ electron: false, built: false });
    const r = await start(['--', '--port', '9999', '--scenario', 'expired'], { STUB_EXIT: '7' }).done;
    expect(r.stderr).toContain('Electron binary for electron@45.5.0 is not downloaded yet');
    expect(r.stderr).toContain('npx install-electron');
    expect(r.stderr).toContain('pinprobe ui --port 9999 --scenario expired');
    expect(r.stdout).toContain('STUB-CLI ["ui","--port","9999","--scenario","expired"]');
    // the URL line comes through on a line of its own
    expect(r.stdout.split('\n')).toContain(URL_LINE);
    expect(r.code).toBe(7);
  });

  it('forwards SIGTERM to the UI process and exits with its code', async () => {
    layout({ electron: false, built: false });
    const { child, done } = start(['--port', '9999']);
    await waitFor(child, URL_LINE);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.stdout).toContain('STUB-CLI SIGTERM');
    expect(r.code).toBe(0);
  });

  it('passes a burst of SIGINTs (terminal + npm) on once', async () => {
    layout({ electron: false, built: false });
    const { child, done } = start([]);
    await waitFor(child, URL_LINE);
    child.kill('SIGINT');
    child.kill('SIGINT');
    child.kill('SIGINT');
    const r = await done;
    expect(r.stdout).toContain('STUB-CLI SIGINT x1');
    expect(r.code).toBe(0);
  });
});

describe.runIf(process.platform === 'linux')('npm start with an Electron binary', () => {
  it('runs node_modules/electron/dist/electron on the app directory with the arguments', async () => {
    layout({ electron: true, built: true });
    const r = await start(['--port', '9090'], { ELECTRON_RUN_AS_NODE: '1' }).done;
    expect(r.stdout).toContain(`STUB-ELECTRON ${dir} --port 9090`);
    expect(r.stdout).toContain('RUN_AS_NODE=unset');
    expect(r.stdout).not.toContain('STUB-CLI');
    expect(r.stderr).not.toContain('install-electron');
    expect(r.code).toBe(0);
  });

  it("exits with Electron's exit code", async () => {
    layout({ electron: true, built: true });
    const r = await start([], { STUB_EXIT: '3' }).done;
    expect(r.stdout).toContain('STUB-ELECTRON');
    expect(r.code).toBe(3);
  });

  it('asks for a build when dist/app/main.js is missing', async () => {
    layout({ electron: true, built: false });
    const r = await start([]).done;
    expect(r.stderr).toContain('npm run build');
    expect(r.stdout).not.toContain('STUB-ELECTRON');
    expect(r.code).toBe(2);
  });
});
