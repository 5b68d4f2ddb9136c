// Routing choices with real clients: --passthrough, --upstream-insecure, non-TLS bytes after
// CONNECT, the onboarding page through the proxy, and never forwarding to Pinprobe's own ports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { ConnectionEvent, ClientTlsEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { testPki } from '../../helpers/pki.js';
import { curl, run } from '../../helpers/run.js';
import { listenLoopback } from '../../helpers/listen.js';

describe('routing', () => {
  let origin: Origin;
  let plain: http.Server;
  let plainPort: number;
  beforeAll(async () => {
    origin = await startOrigin();
    plain = http.createServer((req, res) => res.end(`plain origin ${req.url}\n`));
    plainPort = await listenLoopback(plain);
  });
  afterAll(async () => {
    await origin.close();
    plain.close();
  });

  it('tunnels --passthrough hosts untouched: the client sees the real origin certificate', async () => {
    const proxy = await startEngine({ passthrough: ['bank*.app.test'], mapRemote: [{ from: 'bank.app.test', to: `127.0.0.1:${origin.port}` }] });
    try {
      // Trusting only the origin's real CA: works only if Pinprobe did not intercept.
      const r = await curl(proxy.proxyUrl, 'https://bank.app.test/', ['--cacert', testPki().caCertPath]);
      expect(r.stdout).toBe('origin says hi to /\n');
      const conn = (await proxy.waitFor((l) => l.type === 'connection' && l.target.host === 'bank.app.test')) as ConnectionEvent;
      expect(conn).toMatchObject({ mode: 'tunnel', tunnelReason: 'rule', scenario: null });
      expect(proxy.engine.lines().some((l) => l.type === 'client-tls')).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it('with --upstream-insecure reaches a backend it cannot verify', async () => {
    const proxy = await startEngine({ upstreamCa: [], upstreamInsecure: true, scenario: 'trusted', mapRemote: [{ from: 'insecure.app.test', to: `127.0.0.1:${origin.port}` }] });
    try {
      const r = await curl(proxy.proxyUrl, 'https://insecure.app.test/x', ['--cacert', proxy.caPath]);
      expect(r.stdout).toBe('origin says hi to /x\n');
    } finally {
      await proxy.close();
    }
  });

  it('continues a session file given with --record: one header, ids and rotation carry on', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'pinprobe-append-'));
    const record = join(dir, 'app.pinprobe.jsonl');
    const settings = { mapRemote: [{ from: 'again.app.test', to: `127.0.0.1:${origin.port}` }] };
    const first = await startEngine(settings, { record, dataDir: dir });
    await curl(first.proxyUrl, 'https://again.app.test/1', ['--cacert', first.caPath]);
    await first.waitFor((l) => l.type === 'response');
    await first.close();
    const second = await startEngine(settings, { record, dataDir: dir });
    try {
      expect(second.engine.lines().filter((l) => l.type === 'client-tls')).toHaveLength(1);
      const r = await curl(second.proxyUrl, 'https://again.app.test/2', ['--cacert', second.caPath]);
      expect(r.code).toBe(60); // rotation carried on: the second connection is self-signed
      const tls = (await second.waitFor((l) => l.type === 'client-tls' && l.scenario === 'self-signed')) as ClientTlsEvent;
      expect(tls.id).toBe('c2');
    } finally {
      await second.close();
    }
    const lines = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.filter((l) => l.type === 'session')).toHaveLength(1);
    expect(lines[0].type).toBe('session');
    // A file that is not a session is refused rather than appended to.
    const other = join(dir, 'notes.txt');
    writeFileSync(other, 'my notes\n');
    await expect(startEngine({}, { record: other, dataDir: dir })).rejects.toThrow(/--record .*notes\.txt: the file exists and is not a Pinprobe session/);
  });

  describe('with one engine', () => {
    let proxy: TestEngine;
    beforeAll(async () => {
      proxy = await startEngine({ scenario: 'trusted' });
    });
    afterAll(async () => {
      await proxy.close();
    });

    it('relays non-TLS bytes after CONNECT untouched', async () => {
      const r = await run('curl', ['-sS', '--proxytunnel', '--proxy', proxy.proxyUrl, `http://127.0.0.1:${plainPort}/tunnelled`]);
      expect(r.stdout).toBe('plain origin /tunnelled\n');
      const conn = (await proxy.waitFor((l) => l.type === 'connection' && l.target.port === plainPort && l.mode === 'tunnel')) as ConnectionEvent;
      expect(conn.tunnelReason).toBe('not-tls');
    });

    it('serves the onboarding page for http://pinprobe.invalid/ through the proxy, never forwarding it', async () => {
      const r = await run('curl', ['-sS', '--proxy', proxy.proxyUrl, '-A', 'Mozilla/5.0 (Linux; Android 14; Pixel 8)', 'http://pinprobe.invalid/']);
      expect(r.stdout).toMatch(/Pinprobe/);
      expect(r.stdout).toMatch(/\.0|\.cer/);
      const direct = await run('curl', ['-sS', `http://127.0.0.1:${proxy.port}/`]);
      expect(direct.stdout).toMatch(/Pinprobe/);
      expect(proxy.engine.lines().some((l) => l.type === 'request' && l.host === 'pinprobe.invalid')).toBe(false);
    });

    it("refuses to forward to Pinprobe's control API port (absolute-form and CONNECT)", async () => {
      const api = http.createServer((_q, s) => s.end('control api\n'));
      const apiPort = await listenLoopback(api);
      proxy.engine.ownPorts.add(apiPort);
      try {
        const abs = await curl(proxy.proxyUrl, `http://127.0.0.1:${apiPort}/api/status`, ['-w', '%{http_code}']);
        expect(abs.stdout).toMatch(/403$/);
        expect(abs.stdout).not.toMatch(/control api/);
        const tunnel = await run('curl', ['-sS', '--proxytunnel', '--proxy', proxy.proxyUrl, `http://localhost:${apiPort}/api/status`]);
        expect(tunnel.stdout).not.toMatch(/control api/);
        expect(tunnel.stderr).toMatch(/403/);
      } finally {
        api.close();
      }
    });

    it('refuses a name that leads back to Pinprobe itself (map-remote or DNS), checking the address reached', async () => {
      await proxy.engine.updateSettings({ mapRemote: [{ from: 'loop.app.test', to: `127.0.0.1:${proxy.port}` }, { from: 'loop-tls.app.test', to: `127.0.0.1:${proxy.port}` }] });
      const plainLoop = await curl(proxy.proxyUrl, 'http://loop.app.test/', ['-w', '\n%{http_code}']);
      expect(plainLoop.stdout).toMatch(/is Pinprobe's own listener; refusing to forward to itself/);
      expect(plainLoop.stdout).toMatch(/502$/);
      expect(plainLoop.stdout).not.toMatch(/Install the Pinprobe certificate|<html/i);
      const tlsLoop = await curl(proxy.proxyUrl, 'https://loop-tls.app.test/', ['--cacert', proxy.caPath, '-w', '\n%{http_code}']);
      expect(tlsLoop.stdout).toMatch(/refusing to forward to itself/);
      const tunnelLoop = await run('curl', ['-sS', '--max-time', '5', '--proxytunnel', '--proxy', proxy.proxyUrl, 'http://loop.app.test/']);
      expect(tunnelLoop.stdout).not.toMatch(/<html/i);
      await proxy.engine.updateSettings({ mapRemote: [] });
    });

    it('records the SNI host when it differs from the CONNECT target', async () => {
      const r = await run('curl', ['-sS', '--proxy', proxy.proxyUrl, '--cacert', proxy.caPath, '--connect-to', `sni.app.test:443:127.0.0.1:${origin.port}`, 'https://sni.app.test/']);
      expect(r.code).toBe(0);
      const tls = (await proxy.waitFor((l) => l.type === 'client-tls' && l.sni === 'sni.app.test')) as ClientTlsEvent;
      expect(tls).toMatchObject({ host: 'sni.app.test', result: 'accepted' });
    });
  });
});
