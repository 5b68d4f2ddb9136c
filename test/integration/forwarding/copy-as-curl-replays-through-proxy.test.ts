// "Copy as curl through Pinprobe" (issue 13, build 2): the command built from a recorded
// request, run by a real shell and curl, reproduces the request through the real engine —
// intercepted with Pinprobe's CA (--cacert), recorded again, answered by the origin.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent, SessionLine } from '../../../proxy/session/events.js';
import { toCurl } from '../../../renderer/src/lib/curl.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { curl } from '../../helpers/run.js';

const sh = promisify(execFile);
let origin: Origin;
let proxy: TestEngine;

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => res.end(`${req.method} ${req.url} x-test=${req.headers['x-test'] ?? ''} body=${body}\n`));
  });
  proxy = await startEngine({ scenario: 'trusted' });
});
afterAll(async () => {
  await proxy?.close();
  await origin?.close();
});

const isRequest = (l: SessionLine): l is RequestEvent => l.type === 'request';

describe('Copy as curl through Pinprobe', () => {
  it('replays a recorded POST with its headers and body through the proxy, which records it again', async () => {
    const url = `https://localhost:${origin.port}/v1/items?q=it's`;
    const first = await curl(proxy.proxyUrl, url, ['--cacert', proxy.caPath, '-X', 'POST', '-H', 'X-Test: one two', '--data-binary', '{"name":"O\'Brien"}']);
    expect(first.stdout).toBe(`POST /v1/items?q=it's x-test=one two body={"name":"O'Brien"}\n`);
    const recorded = proxy.engine.lines().filter(isRequest);
    expect(recorded).toHaveLength(1);

    const command = toCurl(recorded[0]!, { proxy: proxy.proxyUrl, cacert: proxy.caPath });
    expect(command).toContain(`--proxy '${proxy.proxyUrl}' --cacert '${proxy.caPath}'`);
    const { stdout } = await sh('sh', ['-c', `${command} -sS --max-time 15`]);
    expect(stdout).toBe(first.stdout);
    await proxy.waitFor((l) => isRequest(l) && l.id !== recorded[0]!.id);
    const again = proxy.engine.lines().filter(isRequest);
    expect(again).toHaveLength(2);
    expect(again[1]).toMatchObject({ method: 'POST', url: recorded[0]!.url });
    expect(again[1]!.body.data).toBe(recorded[0]!.body.data);
  });

  it('a plain http:// request gets --proxy but no --cacert', () => {
    const req = { type: 'request', method: 'GET', url: 'http://plain.example/a', headers: [], body: { size: 0, encoding: 'utf8', data: '', truncated: false } } as unknown as RequestEvent;
    expect(toCurl(req, { proxy: 'http://127.0.0.1:8080', cacert: '/ca.pem' })).toBe(`curl --proxy 'http://127.0.0.1:8080' 'http://plain.example/a'`);
    expect(toCurl(req)).toBe(`curl 'http://plain.example/a'`);
  });
});
