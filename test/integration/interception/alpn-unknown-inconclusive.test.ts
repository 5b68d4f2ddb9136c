// A client that offers only protocols Pinprobe does not speak (neither h2 nor http/1.1 in
// ALPN, e.g. spdy/3.1) is refused by Pinprobe's own TLS stack (alert no_application_protocol). That is the proxy's
// limit, not the client rejecting the certificate: it must be inconclusive, never
// "rejected in the handshake" (which, for `trusted`, would read as pinning and switch the
// host to auto passthrough).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { ClientTlsEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';

function connectVia(proxyPort: number, target: string, opts: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(proxyPort, '127.0.0.1');
    const timer = setTimeout(() => {
      s.destroy();
      resolve('timeout');
    }, 5000);
    s.on('error', () => undefined);
    s.once('data', () => {
      const t = tls.connect({ socket: s, ...opts });
      t.once('secureConnect', () => {
        clearTimeout(timer);
        t.destroy();
        resolve(`connected ${String(t.alpnProtocol)}`);
      });
      t.once('error', (err) => {
        clearTimeout(timer);
        resolve(err.message);
      });
    });
    s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  });
}

describe('ALPN the proxy cannot serve', () => {
  let origin: Origin;
  let proxy: TestEngine;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startEngine({ scenario: null });
  });
  afterAll(async () => {
    await proxy.close();
    await origin.close();
  });

  it('records a client offering only an unknown protocol as inconclusive, not as rejecting the trusted certificate', async () => {
    const ca = readFileSync(proxy.caPath, 'utf8');
    const r = await connectVia(proxy.port, `localhost:${origin.port}`, { servername: 'localhost', ca, ALPNProtocols: ['spdy/3.1'] });
    expect(r).toMatch(/no application protocol/);
    const tlsLine = (await proxy.waitFor((l) => l.type === 'client-tls')) as ClientTlsEvent;
    expect(tlsLine.scenario).toBe('trusted');
    expect(tlsLine.result).toBe('inconclusive');
    expect(tlsLine.detail).toMatch(/no application protocol|ALPN/i);
    // Not mistaken for a rejection: no auto passthrough for the host.
    await new Promise((ok) => setTimeout(ok, 100));
    expect(proxy.engine.lines().some((l) => l.type === 'passthrough')).toBe(false);
  });
});
