// Bad input from clients (SPEC safety rules): malformed HTTP, garbage TLS, oversize headers,
// slow clients, random bytes. Each gets an error or a close; the proxy keeps serving and
// every session line stays valid JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { curl } from '../../helpers/run.js';

/** Sends raw bytes to the proxy and collects what comes back until it closes (or 5 s). */
function raw(port: number, chunks: Array<Buffer | string>, gapMs = 0): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    let closed = false;
    const done = () => resolve({ text: Buffer.concat(got).toString('latin1'), closed });
    const timer = setTimeout(() => {
      s.destroy();
      done();
    }, 5000);
    s.on('data', (c: Buffer) => got.push(c));
    s.on('error', () => undefined);
    s.on('close', () => {
      closed = true;
      clearTimeout(timer);
      done();
    });
    void (async () => {
      for (const c of chunks) {
        if (s.destroyed) return;
        s.write(c);
        if (gapMs) await new Promise((ok) => setTimeout(ok, gapMs));
      }
    })();
  });
}

describe('bad input never crashes the proxy nor corrupts the session', () => {
  let origin: Origin;
  let proxy: TestEngine;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startEngine({ scenario: 'trusted', headersTimeout: 1 }, { helloTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await proxy.close();
    await origin.close();
  });

  const stillServes = async () => {
    const r = await curl(proxy.proxyUrl, `https://localhost:${origin.port}/alive`, ['--cacert', proxy.caPath]);
    expect(r.stdout).toBe('origin says hi to /alive\n');
  };

  it('answers malformed HTTP with 400 and closes', async () => {
    const r = await raw(proxy.port, ['GARBAGE \x00\x01 NOT HTTP\r\n\r\n']);
    expect(r.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(r.closed).toBe(true);
    await stillServes();
  });

  it('answers oversize headers with 431', async () => {
    const r = await raw(proxy.port, [`GET http://localhost:${origin.port}/ HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`]);
    expect(r.text).toMatch(/^HTTP\/1\.1 431 /);
    await stillServes();
  });

  it('answers a bad CONNECT target with 400', async () => {
    const r = await raw(proxy.port, ['CONNECT not a target HTTP/1.1\r\nHost: x\r\n\r\n']);
    expect(r.text).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('closes a tunnel whose ClientHello is garbage and records why', async () => {
    const hello = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x30]), randomBytes(0x30)]);
    const r = await raw(proxy.port, [`CONNECT garbage.app.test:443 HTTP/1.1\r\nHost: garbage.app.test:443\r\n\r\n`, hello]);
    expect(r.text).toMatch(/^HTTP\/1\.1 200 /);
    expect(r.closed).toBe(true);
    const err = await proxy.waitFor((l) => l.type === 'error' && /malformed TLS .*garbage\.app\.test/.test(l.message));
    expect(err.type).toBe('error');
    await stillServes();
  });

  it('cuts off a client that sends its headers too slowly, while serving others', async () => {
    const slow = raw(proxy.port, ['G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1', '\r', '\n', 'X', ':'], 300);
    await stillServes();
    const r = await slow;
    expect(r.closed).toBe(true);
    expect(r.text === '' || r.text.startsWith('HTTP/1.1 408 ')).toBe(true);
  });

  it('survives bounded rounds of random bytes, raw and inside CONNECT tunnels', async () => {
    for (let i = 0; i < 12; i++) {
      const junk = randomBytes(1 + (i * 97) % 3000);
      await Promise.all([
        raw(proxy.port, [junk]),
        raw(proxy.port, [`CONNECT fuzz${i}.app.test:443 HTTP/1.1\r\n\r\n`, Buffer.concat([Buffer.from([0x16, 0x03, 0x03]), junk])]),
      ]);
    }
    await stillServes();
    // The writer batches lines for up to 10 ms (SPEC "Session file"): let the last batch land.
    await new Promise((ok) => setTimeout(ok, 100));
    const lines = readFileSync(proxy.engine.sessionFile, 'utf8').trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.length).toBe(proxy.engine.lines().length);
  });
});
