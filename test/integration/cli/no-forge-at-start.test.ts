// A normal start with an existing root CA (`pinprobe proxy`, `pinprobe ui`) imports no
// node-forge (issue 10): importing it alone costs ~10 MiB of RSS and tens of ms of start-up.
// Certificates are laid out by our own DER code; forge is loaded only by the on-demand mTLS
// helpers (P12 files, the probe's self-signed client certificate).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, pinprobe, ROOT, run } from '../../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-no-forge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dataDir = join(dir, 'data');
const PRELOAD = join(ROOT, 'test', 'helpers', 'module-watch', 'register.mjs');

function watchEnv(log: string): NodeJS.ProcessEnv {
  writeFileSync(log, '');
  return { ...process.env, MODULE_WATCH_NEEDLE: 'node-forge', MODULE_WATCH_LOG: log };
}

/** Starts the command, waits until it listens, stops it; resolves to the node-forge URLs it resolved. */
function forgeLoadedBy(command: string, extra: string[]): Promise<string[]> {
  const log = join(dir, `${command}.log`);
  const child = spawn(process.execPath, ['--import', PRELOAD, BIN, command, '--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir, ...extra], {
    env: watchEnv(log),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not start: ${output}`));
    }, 20_000);
    const onData = (c: Buffer) => {
      output += c.toString();
      // The banner comes once everything the start needs (CA, issuer, listeners) is loaded.
      if (/proxy listening on 127\.0\.0\.1:\d+/.test(output) && /Certificates: /.test(output)) child.kill('SIGINT');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', () => {
      clearTimeout(timer);
      if (!/proxy listening on/.test(output)) reject(new Error(`${command} exited before listening: ${output}`));
      else resolve(readFileSync(log, 'utf8').split('\n').filter(Boolean));
    });
  });
}

describe('a start with an existing CA imports no node-forge', () => {
  it('the watch sees node-forge when something imports it (control)', async () => {
    const log = join(dir, 'control.log');
    const r = await run(process.execPath, ['--import', PRELOAD, '--input-type=module', '-e', "await import('node-forge')"], { env: watchEnv(log) });
    expect(r.code).toBe(0);
    expect(readFileSync(log, 'utf8')).toMatch(/node-forge/);
  });

  it('pinprobe proxy', async () => {
    expect((await pinprobe(['ca', '--data-dir', dataDir])).code).toBe(0);
    expect(await forgeLoadedBy('proxy', ['--no-record'])).toEqual([]);
  });

  it('pinprobe ui', async () => {
    expect((await pinprobe(['ca', '--data-dir', dataDir])).code).toBe(0);
    expect(await forgeLoadedBy('ui', [])).toEqual([]);
  });
});
