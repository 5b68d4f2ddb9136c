// Answers the proxy cannot relay (status below 100, control characters in the reason phrase,
// a 101 to a request that asked for no upgrade) become a recorded 502 — through plain HTTP
// and intercepted HTTPS — and the proxy keeps serving. Before the fix, Node's writeHead threw
// out of the response handler and took the whole process down (or the client hung on a 101).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import tls from 'node:tls';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { curl } from '../../helpers/run.js';
import { listenLoopback } from '../../helpers/listen.js';
import { testPki } from '../../helpers/pki.js';
import type { ResponseEvent, SessionLine } from '../../../proxy/session/events.js';

// Each path on the raw origin picks one bad status line.
const ANSWERS: Record<string, string> = {
  '/s000': 'HTTP/1.1 000 X\r\nContent-Length: 0\r\n\r\n',
  '/s099': 'HTTP/1.1 099 X\r\nContent-Length: 0\r\n\r\n',
  '/ctl01': 'HTTP/1.1 200 O\x01K\r\nContent-Length: 0\r\n\r\n',
  '/ctl7f': 'HTTP/1.1 200 O\x7fK\r\nContent-Length: 0\r\n\r\n',
  '/h2c': 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n',
  '/ok': 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n',
};

function answerRaw(c: net.Socket): void {
  c.on('error', () => undefined);
  let buf = '';
  c.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    if (!buf.includes('\r\n\r\n')) return;
    const path = /^[A-Z]+ (\S+)/.exec(buf)?.[1] ?? '/';
    buf = '';
    c.write(ANSWERS[path] ?? ANSWERS['/ok']);
  });
}

const isResponse = (l: SessionLine): l is ResponseEvent => l.type === 'response';

describe('answers that cannot be relayed', () => {
  let plain: net.Server;
  let secure: tls.Server;
  let plainPort: number;
  let securePort: number;
  let proxy: TestEngine;
  beforeAll(async () => {
    const pki = testPki();
    plain = net.createServer(answerRaw);
    secure = tls.createServer({ cert: pki.serverCert, key: pki.serverKey }, answerRaw);
    plainPort = await listenLoopback(plain);
    securePort = await listenLoopback(secure);
    proxy = await startEngine({ scenario: 'trusted' });
  });
  afterAll(async () => {
    await proxy.close();
    plain.close();
    secure.close();
  });

  for (const scheme of ['http', 'https'] as const) {
    for (const path of ['/s000', '/s099', '/ctl01', '/ctl7f', '/h2c']) {
      it(`${scheme} ${path}: 502 naming the problem, recorded, proxy still serving`, async () => {
        const port = scheme === 'http' ? plainPort : securePort;
        const url = `${scheme}://localhost:${port}${path}`;
        const r = await curl(proxy.proxyUrl, url, ['--http1.1', '-i', '--max-time', '8', '--cacert', proxy.caPath]);
        expect(r.stdout).toMatch(/(^|\n)HTTP\/1\.1 502 /);
        expect(r.stdout).toContain('cannot be relayed');
        const req = await proxy.waitFor((l) => l.type === 'request' && l.url === url);
        const res = await proxy.waitFor((l): l is ResponseEvent => isResponse(l) && l.id === (req as { id: string }).id);
        expect(res.status).toBe(502);
        expect(res.body.data).toContain('cannot be relayed');
        const ok = await curl(proxy.proxyUrl, `${scheme}://localhost:${port}/ok`, ['--cacert', proxy.caPath]);
        expect(ok.stdout).toBe('ok\n');
      });
    }
  }
});
