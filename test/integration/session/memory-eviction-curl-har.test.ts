// Real curl traffic through the proxy with a tiny in-memory window: old requests are light
// copies in memory, the verdicts are those of the full session file, and the HAR export
// through the control API carries the headers and bodies of the evicted requests.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlApi, type ControlApi } from '../../../proxy/api/index.js';
import { judge } from '../../../proxy/judge/index.js';
import type { RequestEvent, ResponseEvent, SessionLine } from '../../../proxy/session/events.js';
import { readSession } from '../../../proxy/session/reader.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { testPki } from '../../helpers/pki.js';
import { curl } from '../../helpers/run.js';
import { listenLoopback } from '../../helpers/listen.js';
import { UI_DIR } from '../../e2e/ui-harness.js';

const isHttp = (l: SessionLine): l is RequestEvent | ResponseEvent => l.type === 'request' || l.type === 'response';

interface Har {
  log: { entries: Array<{ request: { url: string; headers: Array<{ name: string; value: string }>; postData?: { text: string } }; response: { content: { text?: string } } }> };
}

describe('memory-bounded live session with curl', () => {
  let origin: Origin;
  let cleartext: http.Server;
  let proxy: TestEngine;
  let api: ControlApi;
  const POSTS = 8;

  beforeAll(async () => {
    origin = await startOrigin((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.end(`echo ${req.url} ${body}`));
    });
    cleartext = http.createServer((req, res) => res.end(`plain ${req.url}`));
    const clearPort = await listenLoopback(cleartext);
    proxy = await startEngine(
      {
        scenario: 'trusted',
        mapRemote: [
          { from: 'api.app.test', to: `127.0.0.1:${origin.port}` },
          { from: 'pinned.app.test', to: `127.0.0.1:${origin.port}` },
          { from: 'clear.app.test', to: `127.0.0.1:${clearPort}` },
        ],
      },
      { memoryHttpLines: 4, version: '0.1.0-test' },
    );
    api = await startControlApi({ engine: proxy.engine, port: 0, uiDir: UI_DIR, version: '0.1.0-test' });
    proxy.engine.ownPorts.add(api.port);
  });
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
    await origin?.close();
    await new Promise<void>((ok) => (cleartext ? cleartext.close(() => ok()) : ok()));
  });

  it('evicts old requests in memory, keeps the verdicts, and exports full HAR entries', async () => {
    // Cleartext and pinned first, so their lines are among the evicted ones.
    const clear = await curl(proxy.proxyUrl, 'http://clear.app.test/login?user=a', ['-H', 'x-secret: cleartext-header']);
    expect(clear.stdout).toBe('plain /login?user=a');
    const pinned = await curl(proxy.proxyUrl, 'https://pinned.app.test/', ['--cacert', proxy.caPath, '--pinnedpubkey', `sha256//${testPki().serverPubkeySha256}`]);
    expect(pinned.code).toBe(90);
    for (let n = 1; n <= POSTS; n++) {
      const r = await curl(proxy.proxyUrl, `https://api.app.test/item/${n}`, ['--cacert', proxy.caPath, '-H', `x-item: ${n}`, '--data', `payload-${n}`]);
      expect(r.stdout).toBe(`echo /item/${n} payload-${n}`);
    }
    await proxy.waitFor((l) => l.type === 'response' && l.id !== undefined && (l as ResponseEvent).body.data === `echo /item/${POSTS} payload-${POSTS}`);

    const lines = proxy.engine.lines();
    const http = lines.filter(isHttp);
    expect(http.filter((l) => !l.evicted)).toHaveLength(4);
    const evicted = http.filter((l) => l.evicted);
    expect(evicted.length).toBe(http.length - 4);
    const clearReq = lines.find((l): l is RequestEvent => l.type === 'request' && l.host === 'clear.app.test')!;
    expect(clearReq).toMatchObject({ evicted: true, headers: [], scheme: 'http' });

    // Verdicts from memory equal those from the full session file, once both hold the same
    // lines: a connection's close line can arrive after the last answer (seen: 8 trusted
    // connections in the file, 7 in an earlier snapshot of memory), so both are read again.
    let fromMemory = judge(lines, { file: 'live' });
    let fromFile = fromMemory;
    for (let i = 0; i < 20; i++) {
      if (i > 0) await new Promise((ok) => setTimeout(ok, 100));
      proxy.engine.status();
      const file = await readSession(proxy.engine.sessionFile);
      const full: SessionLine[] = [file.header!, ...file.events];
      fromMemory = judge(proxy.engine.lines(), { file: 'live' });
      fromFile = judge(full, { file: 'live' });
      if (JSON.stringify(fromMemory.hosts) === JSON.stringify(fromFile.hosts)) break;
    }
    expect(fromMemory.hosts).toEqual(fromFile.hosts);
    // The engine's live verdicts (fed line by line, evicted lines never re-read) are the file's,
    // byte for byte (status() flushes the writer's batch; a close line may still be on its way).
    let live = '';
    let fromDisk = '';
    for (let i = 0; i < 20 && (live === '' || live !== fromDisk); i++) {
      if (i > 0) await new Promise((ok) => setTimeout(ok, 100));
      proxy.engine.status();
      const now = await readSession(proxy.engine.sessionFile);
      fromDisk = JSON.stringify(judge([now.header!, ...now.events], { file: proxy.engine.sessionFile }));
      live = JSON.stringify(proxy.engine.report());
    }
    expect(live).toBe(fromDisk);
    expect(fromMemory.hosts.find((h) => h.host === 'pinned.app.test')).toBeTruthy();
    expect(JSON.stringify(fromMemory)).toContain('clear.app.test');

    // /api/line gives the evicted lines in full.
    const auth = { authorization: `Bearer ${api.token}` };
    const index = lines.indexOf(clearReq);
    const res = await fetch(`http://127.0.0.1:${api.port}/api/line?index=${index}`, { headers: auth });
    expect(res.status).toBe(200);
    const line = (await res.json()) as RequestEvent;
    expect(line.evicted).toBeUndefined();
    expect(line.headers).toContainEqual(['x-secret', 'cleartext-header']);
    expect((await fetch(`http://127.0.0.1:${api.port}/api/line?index=${index}`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${api.port}/api/line?index=x`, { headers: auth })).status).toBe(400);
    expect((await fetch(`http://127.0.0.1:${api.port}/api/line?index=99999`, { headers: auth })).status).toBe(404);

    // The HAR export has every request with its headers and bodies.
    const harRes = await fetch(`http://127.0.0.1:${api.port}/api/export/har`, { headers: auth });
    expect(harRes.status).toBe(200);
    const har = (await harRes.json()) as Har;
    for (let n = 1; n <= POSTS; n++) {
      const entry = har.log.entries.find((e) => e.request.url === `https://api.app.test/item/${n}`);
      expect(entry, `HAR entry for item ${n}`).toBeTruthy();
      expect(entry!.request.postData?.text).toBe(`payload-${n}`);
      expect(entry!.request.headers).toContainEqual({ name: 'x-item', value: String(n) });
      expect(entry!.response.content.text).toBe(`echo /item/${n} payload-${n}`);
    }
    const clearEntry = har.log.entries.find((e) => e.request.url.startsWith('http://clear.app.test/'));
    expect(clearEntry!.request.headers).toContainEqual({ name: 'x-secret', value: 'cleartext-header' });
    expect(clearEntry!.response.content.text).toBe('plain /login?user=a');
  });
});
