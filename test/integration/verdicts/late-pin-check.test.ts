// A late pin check with a real client: the request leaves over the trusted connection, then
// the client drops it before the answer (as a pinning callback run after sending would). On
// every trusted connection that is a medium finding: the request already reached us.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { judge } from '../../../proxy/judge/index.js';
import type { ResponseEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';

/** Sends one request over TLS through the proxy, then destroys the socket after `dropMs`. */
async function sendThenDrop(proxy: TestEngine, host: string, ca: string, dropMs: number | null): Promise<string> {
  const socket = await new Promise<net.Socket>((ok, fail) => {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: `${host}:443` });
    req.once('connect', (_res, s) => ok(s));
    req.once('error', fail);
    req.end();
  });
  return new Promise((resolve) => {
    const t = tls.connect({ socket, servername: host, ca }, () => {
      t.write(`GET /login HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer secret\r\nConnection: close\r\n\r\n`);
      let body = '';
      t.on('data', (c: Buffer) => (body += c.toString()));
      t.once('end', () => resolve(body));
      if (dropMs !== null) setTimeout(() => { t.destroy(); resolve('dropped'); }, dropMs);
    });
    t.once('error', () => resolve('error'));
  });
}

describe('late pin check with a real client', () => {
  let origin: Origin;
  let proxy: TestEngine;
  let ca: string;
  beforeAll(async () => {
    // The backend answers after 400 ms, so the client's drop comes first.
    origin = await startOrigin((req, res) => setTimeout(() => res.end(`late answer to ${req.url}\n`), 400));
    proxy = await startEngine({ scenario: 'trusted', mapRemote: ['late.app.test', 'fine.app.test'].map((h) => ({ from: h, to: `127.0.0.1:${origin.port}` })) });
    ca = readFileSync(proxy.caPath, 'utf8');
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('flags a host whose every trusted connection sent a request and dropped before the answer', async () => {
    expect(await sendThenDrop(proxy, 'late.app.test', ca, 50)).toBe('dropped');
    expect(await sendThenDrop(proxy, 'late.app.test', ca, 50)).toBe('dropped');
    expect(await sendThenDrop(proxy, 'fine.app.test', ca, null)).toContain('late answer to /login');
    await proxy.waitFor((l) => l.type === 'response' && (l as ResponseEvent).clientClosedEarly === true, 5000);
    for (let i = 0; i < 40 && proxy.engine.lines().filter((l) => l.type === 'response').length < 3; i++) await new Promise((ok) => setTimeout(ok, 50));
    const report = judge(proxy.engine.lines(), { file: 'live' });
    const late = report.hosts.find((h) => h.host === 'late.app.test');
    expect(late?.findings).toContainEqual(expect.objectContaining({ id: 'pinning-late-check', severity: 'medium' }));
    const fine = report.hosts.find((h) => h.host === 'fine.app.test');
    expect(fine?.findings.map((f) => f.id)).not.toContain('pinning-late-check');
  }, 30_000);
});
