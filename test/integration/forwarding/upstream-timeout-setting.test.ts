// How long a backend may take to answer is a setting (`--upstream-timeout`, the control API's
// `upstreamTimeout`), not a fixed 30 s: a long-polling API that holds its answer needs it
// raised. From the command line it reaches the proxy; changed while running, it applies to
// the next request. Real curl, a real Node backend that answers after a delay.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenLoopback } from '../../helpers/listen.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { curl, spawnProxy } from '../../helpers/run.js';

let origin: http.Server;
let port: number;
beforeAll(async () => {
  // Answers after ?ms= milliseconds (a long poll); /never not at all.
  origin = http.createServer((req, res) => {
    const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 0);
    if (req.url?.startsWith('/never')) return;
    const t = setTimeout(() => res.end(`held ${ms} ms`), ms);
    res.on('close', () => clearTimeout(t));
  });
  port = await listenLoopback(origin);
});
afterAll(() => {
  origin.closeAllConnections();
  origin.close();
});

describe('the upstream timeout as a setting', () => {
  let proxy: TestEngine;
  afterAll(async () => proxy?.close());

  it('changed while running, applies to the next request: a held answer is cut, then waited for', async () => {
    proxy = await startEngine({ scenario: 'trusted', upstreamTimeout: 0.4 });
    const cut = await curl(proxy.proxyUrl, `http://127.0.0.1:${port}/poll?ms=1200`, ['-i']);
    expect(cut.stdout).toMatch(/^HTTP\/1\.1 502 /);
    expect(cut.stdout).toContain('no answer within 400 ms');
    await proxy.engine.updateSettings({ upstreamTimeout: 5 });
    const waited = await curl(proxy.proxyUrl, `http://127.0.0.1:${port}/poll?ms=1200`, ['-i']);
    expect(waited.stdout).toMatch(/^HTTP\/1\.1 200 /);
    expect(waited.stdout).toContain('held 1200 ms');
  });

  it('--upstream-timeout on the command line reaches the proxy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinprobe-upto-'));
    try {
      const p = await spawnProxy(['--port', '0', '--listen', '127.0.0.1', '--data-dir', dir, '--no-record', '--upstream-timeout', '0.5']);
      const proxyPort = /proxy listening on 127\.0\.0\.1:(\d+)/.exec(p.output())?.[1];
      expect(proxyPort).toBeTruthy();
      const started = Date.now();
      const r = await curl(`http://127.0.0.1:${proxyPort}`, `http://127.0.0.1:${port}/never`, ['-i']);
      expect(r.stdout).toMatch(/^HTTP\/1\.1 502 /);
      expect(r.stdout).toContain('no answer within 500 ms');
      expect(Date.now() - started).toBeLessThan(10_000);
      p.child.kill('SIGINT');
      expect((await p.exited).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
