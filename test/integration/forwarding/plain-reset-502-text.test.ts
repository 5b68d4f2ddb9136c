// A plain http:// backend that drops the connection is not a TLS/mTLS matter: the 502 must
// not blame a TLS handshake nor send the user to --client-cert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { curl } from '../../helpers/run.js';
import { listenLoopback } from '../../helpers/listen.js';

describe('502 text for a plain backend that resets', () => {
  let backend: net.Server;
  let port: number;
  let proxy: TestEngine;
  beforeAll(async () => {
    backend = net.createServer((c) => {
      c.on('error', () => undefined);
      c.once('data', () => c.resetAndDestroy());
    });
    port = await listenLoopback(backend);
    proxy = await startEngine({ scenario: 'trusted' });
  });
  afterAll(async () => {
    await proxy.close();
    backend.close();
  });

  it('says the backend closed before answering, without TLS or --client-cert advice', async () => {
    const r = await curl(proxy.proxyUrl, `http://127.0.0.1:${port}/x`, ['-i']);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 502 /);
    expect(r.stdout).toContain(`127.0.0.1:${port} closed the connection before answering`);
    expect(r.stdout).not.toMatch(/TLS|client-cert/);
  });
});
