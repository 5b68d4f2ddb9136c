// Sockets that send nothing are closed at every stage (timeouts shortened by settings),
// and 1,100 of them under `ulimit -n 1024` cannot lock a new client out. Before the fix a
// silent TCP socket, a TLS client stopped after its ClientHello and one idle after the
// handshake all stayed open for ever, and the 1,100 sockets reset the next curl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { BIN, curl } from '../../helpers/run.js';
import { listenLoopback } from '../../helpers/listen.js';
import { testPki } from '../../helpers/pki.js';

const closedWithin = (s: net.Socket, ms: number): Promise<number> => new Promise((resolve, reject) => {
  const t0 = Date.now();
  const timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
  s.on('error', () => undefined);
  s.once('close', () => {
    clearTimeout(timer);
    resolve(Date.now() - t0);
  });
});

function connectTunnel(port: number, target: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
    s.once('data', (d: Buffer) => (d.toString().startsWith('HTTP/1.1 200') ? resolve(s) : reject(new Error(d.toString()))));
    s.once('error', reject);
  });
}

/** A real ClientHello, caught from a TLS client talking to a socket that never answers. */
function clientHelloBytes(): Promise<Buffer> {
  return new Promise((resolve) => {
    const srv = net.createServer((c) => c.once('data', (d: Buffer) => {
      resolve(d);
      c.destroy();
      srv.close();
    }));
    srv.listen(0, '127.0.0.1', () => {
      const c = tls.connect({ port: (srv.address() as net.AddressInfo).port, host: '127.0.0.1', servername: 'silent.app.test' });
      c.on('error', () => undefined);
    });
  });
}

describe('silent clients are closed at each stage', () => {
  let proxy: TestEngine;
  beforeAll(async () => {
    proxy = await startEngine({ scenario: 'trusted', idleTimeout: 0.6, handshakeTimeout: 0.6 });
  });
  afterAll(() => proxy.close());

  it('a TCP connection that never sends a byte', async () => {
    const s = net.connect(proxy.port, '127.0.0.1');
    expect(await closedWithin(s, 5000)).toBeGreaterThanOrEqual(400);
  });

  it('a TLS client that stops after its ClientHello (mid-handshake)', async () => {
    const s = await connectTunnel(proxy.port, 'silent.app.test:443');
    s.write(await clientHelloBytes());
    await closedWithin(s, 5000);
    const outcome = await proxy.waitFor((l) => l.type === 'client-tls' && /did not finish the TLS handshake/.test(String((l as { detail?: string }).detail)));
    expect(outcome).toMatchObject({ result: 'inconclusive' });
  });

  it('a changed idle timeout applies to the next connection, without a restart', async () => {
    await proxy.engine.updateSettings({ idleTimeout: 3 });
    try {
      const s = net.connect(proxy.port, '127.0.0.1');
      expect(await closedWithin(s, 10_000)).toBeGreaterThanOrEqual(2500);
    } finally {
      await proxy.engine.updateSettings({ idleTimeout: 0.6 });
    }
  });

  it('a TLS client idle after the handshake', async () => {
    const raw = await connectTunnel(proxy.port, 'idle.app.test:443');
    const t = tls.connect({ socket: raw, servername: 'idle.app.test', rejectUnauthorized: false });
    await new Promise<void>((ok) => t.once('secureConnect', () => ok()));
    await closedWithin(t, 5000);
    const outcome = await proxy.waitFor((l) => l.type === 'client-tls' && /sent nothing after the TLS handshake/.test(String((l as { detail?: string }).detail)));
    expect(outcome).toMatchObject({ result: 'inconclusive' });
  });
});

describe('1,100 silent sockets under ulimit -n 1024', () => {
  let origin: http.Server;
  let port: number;
  beforeAll(async () => {
    origin = http.createServer((req, res) => res.end(`served ${req.url}\n`));
    port = await listenLoopback(origin);
  });
  afterAll(() => origin.close());

  it('a new curl is still served, and the proxy stays up', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pinprobe-data-'));
    const cmd = `ulimit -n 1024 && exec "${process.execPath}" "${BIN}" proxy --port 0 --listen 127.0.0.1 --data-dir "${dataDir}" --upstream-ca "${testPki().caCertPath}"`;
    const child = spawn('bash', ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((ok) => child.on('close', (code) => ok(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!/Certificates: /.test(out) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 100));
      const proxyPort = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(out)![1]);
      const sockets: net.Socket[] = [];
      for (let i = 0; i < 1100; i++) {
        const s = net.connect(proxyPort, '127.0.0.1');
        s.on('error', () => undefined);
        sockets.push(s);
        if (i % 100 === 99) await new Promise((ok) => setTimeout(ok, 20));
      }
      await new Promise((ok) => setTimeout(ok, 500));
      const r = await curl(`http://127.0.0.1:${proxyPort}`, `http://127.0.0.1:${port}/fresh`);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('served /fresh\n');
      for (const s of sockets) s.destroy();
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 60_000);
});
