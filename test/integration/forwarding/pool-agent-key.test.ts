// The upstream pool's agent (proxy/net/pooled-agent.ts) keys its sockets from fewer fields
// than Node's Agent#getName: the keys must partition requests exactly as Node's do, and real
// requests must reuse a connection for the same backend name and never share one across names.
import https from 'node:https';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PooledHttpsAgent } from '../../../proxy/net/pooled-agent.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { testPki } from '../../helpers/pki.js';

// What addRequest hands getName: the request's options with the agent's own spread over them.
const agentOptions = { keepAlive: true, rejectUnauthorized: true, ALPNProtocols: ['http/1.1'], noDelay: true, path: null };

describe('the pool agent keys sockets as Node does, from fewer fields', () => {
  it('puts two requests in the same pool exactly when Node would', () => {
    const agent = new PooledHttpsAgent({ keepAlive: true });
    const variants: Array<Record<string, unknown>> = [];
    for (const host of ['api.example.com', '127.0.0.1', 'API.example.com'])
      for (const port of [443, 8443])
        for (const servername of [undefined, 'api.example.com', 'other.example.com', ''])
          for (const localAddress of [undefined, '127.0.0.2'])
            for (const family of [undefined, 4]) variants.push({ host, port, servername, localAddress, family, method: 'GET', ...agentOptions });
    const ours = variants.map((o) => agent.getName(o));
    const node = variants.map((o) => https.Agent.prototype.getName.call(agent, o));
    let compared = 0;
    for (let i = 0; i < variants.length; i++) {
      for (let j = 0; j < variants.length; j++) {
        expect([i, j, ours[i] === ours[j]]).toEqual([i, j, node[i] === node[j]]);
        compared++;
      }
    }
    expect(compared).toBe(variants.length ** 2);
    agent.destroy();
  });

  it("uses Node's whole key for a request that carries TLS material of its own", () => {
    const agent = new PooledHttpsAgent({ keepAlive: true });
    const o = { host: 'api.example.com', port: 443, ca: 'PEM-A', ...agentOptions };
    expect(agent.getName(o)).toBe(https.Agent.prototype.getName.call(agent, o));
    expect(agent.getName(o)).not.toBe(agent.getName({ ...o, ca: 'PEM-B' }));
    agent.destroy();
  });
});

describe('the pool agent over real connections', () => {
  let origin: Origin;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    origin = await startOrigin((req, res) => res.end(String(req.headers.host)));
    origin.server.on('secureConnection', (s: Socket) => sockets.add(s));
  });
  afterAll(() => origin?.close());

  const get = (agent: https.Agent, servername: string) =>
    new Promise<{ reused: boolean; body: string }>((ok, fail) => {
      const req = https.request({ host: '127.0.0.1', port: origin.port, servername, path: '/', headers: { host: servername }, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => ok({ reused: req.reusedSocket, body }));
      });
      req.on('error', fail);
      req.end();
    });

  it('reuses one connection per backend name and opens another for a different SNI name', async () => {
    const agent = new PooledHttpsAgent({ keepAlive: true, secureContext: tls.createSecureContext({ ca: testPki().caCert }), rejectUnauthorized: true });
    try {
      const a1 = await get(agent, 'origin.test');
      const a2 = await get(agent, 'origin.test');
      const b1 = await get(agent, 'api.app.test');
      const b2 = await get(agent, 'api.app.test');
      expect([a1, a2, b1, b2]).toEqual([
        { reused: false, body: 'origin.test' }, { reused: true, body: 'origin.test' },
        { reused: false, body: 'api.app.test' }, { reused: true, body: 'api.app.test' },
      ]);
      expect(sockets.size).toBe(2);
    } finally {
      agent.destroy();
    }
  });
});
