// Out of file descriptors: a proxy under `ulimit -n 256`, with the connection limits lifted
// so silent sockets really exhaust its descriptors. libuv then cuts new clients silently, so
// the guard's watch must notice: accepting pauses, the oldest silent sockets are shed, one
// warning line is printed (not one per accept, not again for a second episode within a
// minute), accepting resumes and a new curl is served; the proxy stays up and exits 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, curl } from '../../helpers/run.js';
import { listenLoopback } from '../../helpers/listen.js';

interface Client {
  socket: net.Socket;
  closed: boolean;
}

async function flood(port: number, n: number): Promise<Client[]> {
  const out: Client[] = [];
  for (let i = 0; i < n; i++) {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    const c: Client = { socket, closed: false };
    socket.on('error', () => undefined);
    socket.once('close', () => (c.closed = true));
    out.push(c);
    // Small batches, so the proxy accepts them in about this order.
    if (i % 25 === 24) await new Promise((ok) => setTimeout(ok, 30));
  }
  return out;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function until(what: string, cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

const WARNING = /^WARNING: out of file descriptors .*accepting paused/gm;

describe('out of file descriptors (ulimit -n 256)', () => {
  let origin: http.Server;
  let originPort: number;
  beforeAll(async () => {
    origin = http.createServer((req, res) => res.end(`served ${req.url}\n`));
    originPort = await listenLoopback(origin);
  });
  afterAll(() => origin.close());

  it('pauses, sheds the oldest silent sockets, warns once, resumes and serves a new curl', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pinprobe-emfile-'));
    const record = join(dataDir, 's.pinprobe.jsonl');
    const cmd = `ulimit -n 256 && exec "${process.execPath}" "${BIN}" proxy --port 0 --listen 127.0.0.1 --data-dir "${dataDir}" --record "${record}"`
      + ' --max-connections 10000 --max-connections-per-client 10000 --idle-timeout 120';
    const child = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((ok) => child.on('close', (code) => ok(code)));
    const all: Client[] = [];
    try {
      await until('proxy start', () => /Certificates: /.test(stdout), 20_000);
      const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(stdout)![1]);
      const proxyUrl = `http://127.0.0.1:${port}`;
      const served = async () => {
        const r = await curl(proxyUrl, `http://127.0.0.1:${originPort}/fresh`, ['--interface', '127.0.0.3', '--max-time', '3']);
        return r.stdout === 'served /fresh\n';
      };

      const first = await flood(port, 300);
      all.push(...first);
      await until('the warning', () => (stderr.match(WARNING) ?? []).length > 0, 10_000);
      // Shed oldest first: the earliest silent sockets are the ones closed.
      await until('shedding', () => first.slice(0, 40).every((c) => c.closed), 5000);
      expect(first.slice(100, 150).some((c) => !c.closed)).toBe(true);
      await until('accepting again', () => /accepting connections again after \d+ ms/.test(stderr), 10_000);
      await until('a new curl served', served, 15_000);

      // A second exhaustion within the minute: handled again, but no second warning.
      const survivors = first.filter((c) => !c.closed);
      all.push(...(await flood(port, 300)));
      await until('second shedding', () => survivors.slice(0, 20).every((c) => c.closed), 10_000);
      await until('a new curl served again', served, 15_000);
      expect((stderr.match(WARNING) ?? []).length).toBe(1);

      for (const c of all) c.socket.destroy();
      await until('served after the flood ends', served, 10_000);
      expect(child.exitCode).toBeNull();
    } finally {
      for (const c of all) c.socket.destroy();
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // The session has the warning once too, as an error line.
    const lines = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; message?: string });
    expect(lines.filter((l) => l.type === 'error' && /^WARNING: out of file descriptors/.test(l.message ?? '')).length).toBe(1);
    expect(lines.at(-1)?.type).toBe('session-end');
  }, 90_000);
});
