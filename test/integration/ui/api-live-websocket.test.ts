// The live WebSocket: lines the engine records reach the UI at once (batched over a few
// milliseconds, in order, indexed), and the verdicts
// that include its host follow within the 250 ms throttle.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LiveMessage } from '../../../proxy/api/index.js';
import { startControlApi, type ControlApi } from '../../../proxy/api/index.js';
import { FakeEngine, tlsConnection } from '../../helpers/fake-engine.js';

let api: ControlApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function connect(a: ControlApi, since = 0): { ws: WebSocket; next: (pred: (m: LiveMessage) => boolean) => Promise<LiveMessage> } {
  const ws = new WebSocket(`ws://127.0.0.1:${a.port}/api/live?token=${a.token}&since=${since}`, { origin: `http://127.0.0.1:${a.port}` });
  const seen: LiveMessage[] = [];
  const waiters: Array<{ pred: (m: LiveMessage) => boolean; resolve: (m: LiveMessage) => void }> = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as LiveMessage;
    seen.push(message);
    for (const w of [...waiters]) {
      if (w.pred(message)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(message);
      }
    }
  });
  const next = (pred: (m: LiveMessage) => boolean): Promise<LiveMessage> => {
    const found = seen.find(pred);
    if (found) {
      seen.splice(seen.indexOf(found), 1);
      return Promise.resolve(found);
    }
    return new Promise((resolve) => waiters.push({ pred, resolve }));
  };
  return { ws, next };
}

describe('live WebSocket', () => {
  it('replays the session, then delivers a pushed line and the verdicts that follow', async () => {
    const engine = new FakeEngine();
    api = await startControlApi({ engine, uiDir: mkdtempSync(join(tmpdir(), 'ui-')), version: 't' });
    const { ws, next } = connect(api);
    const hello = await next((m) => m.kind === 'hello');
    expect(hello).toMatchObject({ kind: 'hello', view: { mode: 'live' } });
    expect(await next((m) => m.kind === 'lines')).toMatchObject({ from: 0, lines: [{ type: 'session' }] });
    await next((m) => m.kind === 'verdicts');

    const pushedAt = Date.now();
    const conn = tlsConnection({ host: 'api.shop.example', scenario: 'trusted', result: 'accepted' });
    engine.push(...conn.events);
    // New lines go out in batches of a few milliseconds: one `lines` message here.
    const batch = await next((m) => m.kind === 'lines' && m.from > 0);
    if (batch.kind !== 'lines') throw new Error('unreachable');
    expect(batch.from).toBe(1);
    expect(batch.lines.map((l) => l.type)).toEqual(conn.events.map((e) => e.type));
    expect(batch.lines[1]).toMatchObject({ type: 'client-tls', host: 'api.shop.example', result: 'accepted' });
    const verdicts = await next((m) => m.kind === 'verdicts' && m.report.hosts.some((h) => h.host === 'api.shop.example'));
    expect(Date.now() - pushedAt).toBeLessThan(2000); // SPEC: "within a second or two"
    if (verdicts.kind !== 'verdicts') throw new Error('unreachable');
    expect(verdicts.report.hosts[0]).toMatchObject({ host: 'api.shop.example', pinning: 'not-pinned' });
    // A lone line is sent as a `line` message with its index.
    const lone = tlsConnection({ host: 'one.example', scenario: 'trusted', result: 'accepted' }).events[0]!;
    engine.push(lone);
    expect(await next((m) => m.kind === 'line')).toMatchObject({ kind: 'line', index: 1 + conn.events.length, line: { type: 'connection' } });
    ws.close();
  });

  it('starts from `since` and announces a new session with a reset', async () => {
    const engine = new FakeEngine({ events: tlsConnection({ host: 'a.example', scenario: 'trusted', result: 'accepted' }).events });
    api = await startControlApi({ engine, uiDir: mkdtempSync(join(tmpdir(), 'ui-')), version: 't' });
    const { ws, next } = connect(api, 2);
    await next((m) => m.kind === 'hello');
    expect(await next((m) => m.kind === 'lines')).toMatchObject({ from: 2, lines: [{ type: 'client-tls' }] });
    const res = await fetch(`http://127.0.0.1:${api.port}/api/session/new`, { method: 'POST', headers: { authorization: `Bearer ${api.token}` } });
    expect(res.status).toBe(200);
    expect(await next((m) => m.kind === 'reset')).toMatchObject({ view: { mode: 'live', lines: 1 } });
    ws.close();
  });
});
