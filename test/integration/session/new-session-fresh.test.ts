// New session starts clean (engine.newSession): two within one second get two files, and
// a host whose backend connection was kept alive from the session before gets its upstream
// line — the mTLS verdict's evidence — in the new one too (curl through the real engine to a
// real https origin that serves without a client certificate).
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge } from '../../../proxy/judge/judge.js';
import { readSession } from '../../../proxy/session/reader.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { testPki } from '../../helpers/pki.js';
import { curl } from '../../helpers/run.js';

let origin: https.Server;
let proxy: TestEngine;
let connections = 0;

beforeAll(async () => {
  const pki = testPki();
  origin = https.createServer({ cert: pki.serverCert, key: pki.serverKey, keepAliveTimeout: 30_000 }, (_q, s) => s.end('hi\n'));
  origin.on('secureConnection', () => connections++);
  await new Promise<void>((ok) => origin.listen(0, '127.0.0.1', ok));
  proxy = await startEngine({ scenario: 'trusted', mapRemote: [{ from: 'api.app.test', to: `127.0.0.1:${(origin.address() as AddressInfo).port}` }] });
});
afterAll(async () => {
  await proxy?.close();
  origin?.close();
});

const ask = async () => (await curl(proxy.proxyUrl, 'https://api.app.test/', ['--cacert', proxy.caPath])).stdout;

describe('New session', () => {
  it('the new session records its own upstream line, so mTLS is judged there too', async () => {
    expect(await ask()).toBe('hi\n');
    await proxy.waitFor((l) => l.type === 'upstream');
    // A second request reuses the kept-alive backend connection: no new upstream line.
    expect(await ask()).toBe('hi\n');
    expect(connections).toBe(1);
    const first = proxy.engine.status().sessionFile;
    const second = await proxy.engine.newSession();
    expect(second).not.toBe(first);
    expect(await ask()).toBe('hi\n');
    await proxy.waitFor((l) => l.type === 'upstream');
    expect(connections).toBe(2);
    proxy.engine.status();
    const lines = await readSession(second);
    expect(lines.events.filter((l) => l.type === 'upstream')).toHaveLength(1);
    const host = judge([lines.header!, ...lines.events], { file: second }).hosts.find((h) => h.host === 'api.app.test');
    expect(host?.mtls).toMatchObject({ verdict: 'not-enforced', evidence: 'http-200' });
  });

  it('two within one second get two files', async () => {
    const a = await proxy.engine.newSession();
    const b = await proxy.engine.newSession();
    const c = await proxy.engine.newSession();
    expect(new Set([a, b, c]).size).toBe(3);
    proxy.engine.status();
    for (const f of [a, b]) expect((await readSession(f)).events.at(-1)?.type).toBe('session-end');
    expect((await readSession(c)).header?.type).toBe('session');
  });
});
