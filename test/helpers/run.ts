// Runs real client programs (curl, openssl) and the pinprobe CLI, capturing their output.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    // A child may exit without reading its input (curl that fails at once): EPIPE is not a test failure.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** curl through a proxy with a 15 s cap; extra args decide trust and pinning. */
export function curl(proxyUrl: string, url: string, extra: string[] = []): Promise<RunResult> {
  return run('curl', ['-sS', '--max-time', '15', '--proxy', proxyUrl, ...extra, url]);
}

export const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
export const BIN = join(ROOT, 'bin', 'pinprobe.js');

export function pinprobe(args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return run(process.execPath, [BIN, ...args], opts);
}

/** Starts `pinprobe proxy …` and resolves once it prints the session path (it is listening). */
export function spawnProxy(args: string[]): Promise<{ child: ChildProcess; output: () => string; exited: Promise<RunResult> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'proxy', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<RunResult>((done) => child.on('close', (code, signal) => done({ code, signal, stdout, stderr })));
    const timer = setTimeout(() => reject(new Error(`proxy did not start: ${stdout}${stderr}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (/Recording( to)?: /.test(stdout) && /Certificates: /.test(stdout)) {
        clearTimeout(timer);
        resolve({ child, output: () => stdout + stderr, exited });
      }
    });
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`proxy exited early: ${stdout}${stderr}`));
    });
  });
}
