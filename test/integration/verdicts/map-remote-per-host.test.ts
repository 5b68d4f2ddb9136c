// Each host that --map-remote sent elsewhere says so itself: every upstream line of a mapped
// connection names where it went (`mappedTo`), and the host's verdict carries the targets —
// in the JSON report, the text table and the HTML report — while a host reached directly has
// none. HTTP/1.1 (curl), HTTP/2 both sides (Node's client, an h2-only origin) and an h2
// client in front of an HTTP/1.1-only backend; live and file verdicts agree.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge } from '../../../proxy/judge/index.js';
import { parseSessionText } from '../../../proxy/session/reader.js';
import type { UpstreamEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { h2Get, h2ThroughProxy, startH2Origin, type H2Origin } from '../../helpers/h2.js';
import { curl, pinprobe } from '../../helpers/run.js';

let origin: Origin;
let h2origin: H2Origin;
let proxy: TestEngine;
beforeAll(async () => {
  origin = await startOrigin();
  h2origin = await startH2Origin((stream) => {
    stream.respond({ ':status': 200, 'content-type': 'text/plain' });
    stream.end('h2 origin\n');
  }, { allowHTTP1: false });
  proxy = await startEngine({
    scenario: 'trusted',
    mapRemote: [
      { from: 'api.app.test', to: `127.0.0.1:${origin.port}` },
      { from: 'h2.app.test', to: `127.0.0.1:${h2origin.port}` },
      { from: 'old.app.test', to: `127.0.0.1:${origin.port}` },
    ],
  });
});
afterAll(async () => {
  await proxy?.close();
  await h2origin?.close();
  await origin?.close();
});

const upstreamsOf = (host: string) => proxy.engine.lines().filter((l): l is UpstreamEvent => l.type === 'upstream' && l.host === host);

describe('--map-remote on each host', () => {
  it('the upstream lines and the host verdicts name where each mapped host went; a direct host names nothing', async () => {
    const at = (port: number) => `127.0.0.1:${port}`;
    expect((await curl(proxy.proxyUrl, 'https://api.app.test/a', ['--cacert', proxy.caPath, '--http1.1'])).stdout).toBe('origin says hi to /a\n');
    // An h2 client in front of a backend that speaks only HTTP/1.1 (the translating path).
    expect((await curl(proxy.proxyUrl, 'https://old.app.test/b', ['--cacert', proxy.caPath, '--http2'])).stdout).toBe('origin says hi to /b\n');
    const session = await h2ThroughProxy(proxy.port, 'h2.app.test:443', readFileSync(proxy.caPath, 'utf8'));
    try {
      const answer = await h2Get(session, '/c');
      expect(answer.status).toBe(200);
      expect(answer.body.toString()).toBe('h2 origin\n');
    } finally {
      session.close();
    }
    // Not mapped: the origin by its own address.
    expect((await curl(proxy.proxyUrl, `https://localhost:${origin.port}/d`, ['--cacert', proxy.caPath])).stdout).toBe('origin says hi to /d\n');

    expect(upstreamsOf('api.app.test').map((u) => u.mappedTo)).toEqual([at(origin.port)]);
    expect(upstreamsOf('old.app.test').map((u) => u.mappedTo)).toEqual([at(origin.port)]);
    expect(upstreamsOf('h2.app.test').map((u) => u.mappedTo)).toEqual([at(h2origin.port)]);
    expect(upstreamsOf('localhost')).toHaveLength(1);
    expect('mappedTo' in upstreamsOf('localhost')[0]!).toBe(false);

    const live = proxy.engine.report();
    const host = (name: string) => live.hosts.find((h) => h.host === name);
    expect(host('api.app.test')?.mappedTo).toEqual([at(origin.port)]);
    expect(host('h2.app.test')?.mappedTo).toEqual([at(h2origin.port)]);
    expect(host('old.app.test')?.mappedTo).toEqual([at(origin.port)]);
    expect(host('localhost')?.mappedTo).toBeUndefined();

    proxy.engine.status(); // writes the lines still batched
    const file = proxy.engine.sessionFile;
    const read = parseSessionText(readFileSync(file, 'utf8'), file);
    expect(judge([read.header!, ...read.events], { file: 'live' }).hosts).toEqual(live.hosts);

    const json = JSON.parse((await pinprobe(['report', file, '--format', 'json'])).stdout) as { hosts: Array<{ host: string; mappedTo?: string[] }> };
    expect(json.hosts.find((h) => h.host === 'h2.app.test')?.mappedTo).toEqual([at(h2origin.port)]);
    expect(json.hosts.find((h) => h.host === 'localhost')).not.toHaveProperty('mappedTo');
    const text = (await pinprobe(['report', file])).stdout;
    expect(text).toContain(`api.app.test:443 (mapped to ${at(origin.port)})`);
    expect(text).toContain(`api.app.test:443 (sent to ${at(origin.port)} by --map-remote) does not enforce mTLS`);
    expect(text).not.toMatch(/localhost:\d+ \(mapped/);
    const html = (await pinprobe(['report', file, '--format', 'html'])).stdout;
    expect(html).toContain(`mapped to 127.0.0.1:${h2origin.port}</span>`);
  });
});

