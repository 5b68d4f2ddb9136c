// A phone on the LAN, for real: a network namespace of the test's own with a veth pair
// plays the device, so its traffic reaches the proxy from a non-loopback address. Checks
// that such a device is intercepted and judged by its own address, and that it cannot use
// the proxy to reach this computer's loopback-only services unless --map-remote says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { judge } from '../../../proxy/judge/index.js';
import type { ClientTlsEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { run } from '../../helpers/run.js';
import { listenLoopback } from '../../helpers/listen.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const tag = randomBytes(3).toString('hex');
const ns = `pp-${tag}`;
const hostIf = `pp${tag}a`;
const nsIf = `pp${tag}b`;
// A /30 inside the test's own namespace pair; nothing outside this machine is addressed.
const octet = 100 + (parseInt(tag.slice(0, 2), 16) % 100);
const hostAddr = `10.254.${octet}.1`;
const phoneAddr = `10.254.${octet}.2`;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

describe.runIf(isRoot)('a device on the LAN (network namespace; runs as root, as CI does)', () => {
  let proxy: TestEngine;
  let local: http.Server;
  let localPort: number;
  /** A loopback-only service that counts what reaches it (a database, a dev server's raw port). */
  let counting: net.Server;
  let countingPort: number;
  let countedBytes = 0;
  let countedConnections = 0;
  let origin: Origin;

  beforeAll(async () => {
    ip('netns', 'add', ns);
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    ip('link', 'set', nsIf, 'netns', ns);
    ip('addr', 'add', `${hostAddr}/30`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${phoneAddr}/30`, 'dev', nsIf);
    ip('netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up');
    ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
    // A loopback-only service of the laptop (a dev server, a database's HTTP port).
    local = http.createServer((_q, s) => s.end('secret-local-answer\n'));
    localPort = await listenLoopback(local);
    counting = net.createServer((c) => {
      countedConnections++;
      c.on('data', (d) => (countedBytes += d.length));
      c.on('error', () => undefined);
    });
    countingPort = await listenLoopback(counting);
    origin = await startOrigin();
    proxy = await startEngine(
      { scenario: 'trusted', passthrough: ['localhost'], mapRemote: [{ from: 'mock.app.test', to: `127.0.0.1:${localPort}` }, { from: 'api.app.test', to: `127.0.0.1:${origin.port}` }] },
      { listen: hostAddr },
    );
  });

  afterAll(async () => {
    await proxy?.close();
    local?.close();
    counting?.close();
    await origin?.close();
    try {
      ip('netns', 'del', ns); // takes the veth pair with it
    } catch {
      // already gone
    }
  });

  const fromPhone = (args: string[]) => run('ip', ['netns', 'exec', ns, 'curl', '-sS', '--max-time', '10', '--proxy', `http://${hostAddr}:${proxy.port}`, ...args]);

  it("refuses the laptop's loopback services to the device, naming why", async () => {
    const r = await fromPhone(['-w', '\n%{http_code}', `http://127.0.0.1:${localPort}/`]);
    expect(r.stdout).not.toContain('secret-local-answer');
    expect(r.stdout).toMatch(/is this computer's loopback, and 10\.254\.\d+\.2 is a device on the network/);
    expect(r.stdout).toMatch(/502$/);
    const tunnel = await fromPhone(['--proxytunnel', `http://localhost:${localPort}/`]);
    expect(tunnel.stdout).not.toContain('secret-local-answer');
  });

  it('sends a refused loopback service not one byte: no ClientHello over TLS, HTTP/2 or a passthrough tunnel', async () => {
    // The counter counts: a TLS client straight to it (not through the proxy) is seen.
    await run('curl', ['-sSk', '--max-time', '1', `https://127.0.0.1:${countingPort}/`]);
    expect(countedBytes).toBeGreaterThan(200);
    countedBytes = 0;
    const h1 = await fromPhone(['-k', '--http1.1', '-w', '\n%{http_code}', `https://127.0.0.1:${countingPort}/`]);
    expect(h1.stdout).toMatch(/is this computer's loopback[\s\S]*502$/);
    const h2 = await fromPhone(['-k', '--http2', '-w', '\n%{http_version} %{http_code}', `https://127.0.0.1:${countingPort}/`]);
    expect(h2.stdout).toMatch(/2 502$/);
    // passthrough (localhost): the tunnel is cut before the device's bytes are relayed.
    await fromPhone(['-k', '--max-time', '3', `https://localhost:${countingPort}/`]);
    await new Promise((ok) => setTimeout(ok, 200));
    expect(countedBytes).toBe(0);
  });

  it('answers a closed loopback port as it refuses an open one: no ECONNREFUSED to map local services by', async () => {
    const closed = net.createServer();
    const closedPort = await listenLoopback(closed);
    await new Promise((ok) => closed.close(ok));
    const refusal = /is this computer's loopback, and 10\.254\.\d+\.2 is a device on the network/;
    for (const port of [localPort, closedPort]) {
      const plain = await fromPhone(['-w', '\n%{http_code}', `http://127.0.0.1:${port}/`]);
      expect(plain.stdout).toMatch(refusal);
      expect(plain.stdout).not.toMatch(/ECONNREFUSED/);
      expect(plain.stdout).toMatch(/502$/);
      const tls = await fromPhone(['-k', '--http1.1', '-w', '\n%{http_code}', `https://127.0.0.1:${port}/`]);
      expect(tls.stdout).toMatch(refusal);
      expect(tls.stdout).not.toMatch(/ECONNREFUSED/);
      const h2 = await fromPhone(['-k', '--http2', '-w', '\n%{http_version} %{http_code}', `https://127.0.0.1:${port}/`]);
      expect(h2.stdout).toMatch(/2 502$/);
      expect(h2.stdout).not.toMatch(/ECONNREFUSED/);
    }
    // A passthrough tunnel (localhost is on the list) ends alike for both ports too.
    const [open, shut] = await Promise.all([localPort, closedPort].map((port) => fromPhone(['-v', '--proxytunnel', '-w', '%{http_connect}', `http://localhost:${port}/`])));
    const shape = (r: { stdout: string; stderr: string }) => `${r.stdout} ${/curl: \((\d+)\)/.exec(r.stderr)?.[1]}`;
    expect(shape(shut!)).toBe(shape(open!));
  });

  it('does not even connect to a refused loopback service: no TCP connection to time or count ports by', async () => {
    // A second engine without the passthrough list, so https://localhost is intercepted and
    // its upstream connect resolves a name (refused on the lookup, not after the connect).
    const plain = await startEngine({ scenario: 'trusted' }, { listen: hostAddr });
    try {
      const via = (port: number, args: string[]) => run('ip', ['netns', 'exec', ns, 'curl', '-sS', '--max-time', '10', '--proxy', `http://${hostAddr}:${port}`, ...args]);
      // The counter counts: one connection straight to it (not through the proxy) is seen.
      await run('curl', ['-sS', '--max-time', '1', `http://127.0.0.1:${countingPort}/`]);
      expect(countedConnections).toBeGreaterThan(0);
      countedConnections = 0;
      const refusal = /(is|reaches) this computer's loopback, and 10\.254\.\d+\.2 is a device on the network/;
      const asked: Array<[string, { stdout: string }]> = [];
      for (const args of [
        ['-k', '--http1.1', `https://127.0.0.1:${countingPort}/`],
        ['-k', '--http2', `https://127.0.0.1:${countingPort}/`],
        [`http://127.0.0.1:${countingPort}/`],
        ['-H', 'Connection: Upgrade', '-H', 'Upgrade: websocket', '-H', 'Sec-WebSocket-Version: 13', '-H', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', `http://127.0.0.1:${countingPort}/`],
      ]) asked.push([args.join(' '), await fromPhone(args)]);
      const zero = await fromPhone([`http://0.0.0.0:${countingPort}/`]);
      expect(zero.stdout).toMatch(/0\.0\.0\.0 reaches this computer's loopback, and 10\.254\.\d+\.2 is a device on the network/);
      for (const args of [
        ['-k', '--http1.1', `https://localhost:${countingPort}/`],
        ['-k', '--http2', `https://localhost:${countingPort}/`],
      ]) asked.push([`${args.join(' ')} (no passthrough)`, await via(plain.port, args)]);
      // The passthrough tunnel to a name (localhost is on the first engine's list).
      await fromPhone(['-k', '--max-time', '3', `https://localhost:${countingPort}/`]);
      for (const [what, r] of asked) expect(`${what}: ${r.stdout}`).toMatch(refusal);
      await new Promise((ok) => setTimeout(ok, 200));
      expect(countedConnections).toBe(0);
    } finally {
      await plain.close();
    }
  });

  it('lets an explicit --map-remote rule send the device to a local mock', async () => {
    const r = await fromPhone(['http://mock.app.test/']);
    expect(r.stdout).toBe('secret-local-answer\n');
  });

  it('intercepts the device and judges it by its own address', async () => {
    const r = await fromPhone(['--cacert', proxy.caPath, 'https://api.app.test/hello']);
    expect(r.stdout).toBe('origin says hi to /hello\n');
    const tls = (await proxy.waitFor((l) => l.type === 'client-tls' && l.host === 'api.app.test')) as ClientTlsEvent;
    expect(tls).toMatchObject({ clientAddress: phoneAddr, result: 'accepted' });
    const host = judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === 'api.app.test');
    expect(host?.pinning).toBe('not-pinned');
  });
});
