// The control API's data endpoints over real HTTP against the in-memory engine.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlApi, type ControlApi } from '../../../proxy/api/index.js';
import type { Report } from '../../../proxy/judge/report-types.js';
import type { SessionLine } from '../../../proxy/session/events.js';
import { exchange, fakeHeader, FakeEngine, tlsConnection } from '../../helpers/fake-engine.js';

let api: ControlApi;
let engine: FakeEngine;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinprobe-api-'));
  const sessionFile = join(dir, 'live.pinprobe.jsonl');
  const conn = tlsConnection({ host: 'api.shop.example', scenario: 'trusted', result: 'accepted' });
  engine = new FakeEngine({ sessionFile, events: [...conn.events, ...exchange({ conn: conn.id, host: 'api.shop.example', path: '/v1/cart', responseBody: '{"items":[]}' })] });
  writeFileSync(sessionFile, engine.lines().map((l) => JSON.stringify(l)).join('\n') + '\n');
  api = await startControlApi({ engine, uiDir: dir, version: '0.1.0-test' });
});
afterAll(async () => api.close());

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; res: Response }> {
  const res = await fetch(`http://127.0.0.1:${api.port}${path}`, {
    method,
    headers: { authorization: `Bearer ${api.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // downloads that are not JSON
  }
  return { status: res.status, json, res };
}

describe('status, events, verdicts', () => {
  it('reports the engine status and the viewed session', async () => {
    const { status, json } = await call('GET', '/api/status');
    expect(status).toBe(200);
    expect(json).toMatchObject({ version: '0.1.0-test', engine: { running: true, port: 8080 }, view: { mode: 'live' } });
  });

  it('returns lines since an index, bodies included', async () => {
    const { json } = await call('GET', '/api/events?since=3');
    expect(json).toMatchObject({ from: 3, next: 5, lines: [{ type: 'request' }, { type: 'response', body: { data: '{"items":[]}' } }] });
    expect((await call('GET', '/api/events?since=-1')).status).toBe(400);
  });

  it('judges the current session', async () => {
    const report = (await call('GET', '/api/verdicts')).json as Report;
    expect(report.schema).toBe('pinprobe.report/1');
    expect(report.hosts.map((h) => h.host)).toEqual(['api.shop.example']);
  });
});

describe('settings and proxy control', () => {
  it('reads and updates settings, naming a bad field', async () => {
    expect((await call('GET', '/api/settings')).json).toMatchObject({ scenario: null, passthrough: [] });
    const ok = await call('PUT', '/api/settings', { scenario: 'expired', passthrough: ['*.apple.com'] });
    expect(ok.json).toMatchObject({ scenario: 'expired', passthrough: ['*.apple.com'] });
    const bad = await call('PUT', '/api/settings', { scenario: 'nonsense' });
    expect(bad.status).toBe(400);
    expect((bad.json as { error: string }).error).toContain('scenario');
    const unknown = await call('PUT', '/api/settings', { colour: 'red' });
    expect((unknown.json as { error: string }).error).toContain('colour');
    await call('PUT', '/api/settings', { scenario: null, passthrough: [] });
  });

  it('stops and starts the proxy', async () => {
    expect((await call('POST', '/api/proxy/stop')).json).toMatchObject({ engine: { running: false } });
    expect((await call('POST', '/api/proxy/start')).json).toMatchObject({ engine: { running: true } });
    expect((await call('GET', '/api/proxy/start')).status).toBe(405);
  });
});

describe('sessions', () => {
  it('opens a recorded file read-only, judges it, and goes back to live', async () => {
    const file = join(dir, 'recorded.pinprobe.jsonl');
    const c = tlsConnection({ host: 'pinned.bank.example', scenario: 'trusted', result: 'rejected', stage: 'after-handshake' });
    const lines: SessionLine[] = [fakeHeader(8080), ...c.events];
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n{"type":"conn');
    const opened = await call('POST', '/api/session/open', { path: file });
    expect(opened.status).toBe(200);
    expect(opened.json).toMatchObject({ mode: 'file', file, lines: 4 });
    expect((opened.json as { warnings: string[] }).warnings.join()).toContain('truncated');
    const report = (await call('GET', '/api/verdicts')).json as Report;
    // A close after the handshake with no other evidence is inconclusive (SPEC "Pinning").
    expect(report.hosts.map((h) => [h.host, h.pinning, h.pinningEvidence])).toEqual([['pinned.bank.example', 'inconclusive', null]]);
    expect((await call('POST', '/api/session/live')).json).toMatchObject({ mode: 'live' });
    expect(((await call('GET', '/api/verdicts')).json as Report).hosts[0]?.host).toBe('api.shop.example');
  });

  it('explains what is wrong with a path', async () => {
    expect((await call('POST', '/api/session/open', { path: 'relative.jsonl' })).json).toMatchObject({ error: expect.stringContaining('absolute') });
    expect((await call('POST', '/api/session/open', { path: join(dir, 'missing.jsonl') })).status).toBe(404);
    expect((await call('POST', '/api/session/open', {})).status).toBe(400);
    const notJson = await fetch(`http://127.0.0.1:${api.port}/api/session/open`, { method: 'POST', headers: { authorization: `Bearer ${api.token}` }, body: '{' });
    expect(await notJson.json()).toMatchObject({ error: expect.stringContaining('JSON') });
  });

  it('saves a copy of the session file, refusing to overwrite unless asked', async () => {
    const to = join(dir, 'copy.pinprobe.jsonl');
    expect((await call('POST', '/api/session/save-as', { path: to })).json).toEqual({ saved: to });
    expect(readFileSync(to, 'utf8')).toContain('api.shop.example');
    expect((await call('POST', '/api/session/save-as', { path: to })).status).toBe(409);
    expect((await call('POST', '/api/session/save-as', { path: to, overwrite: true })).status).toBe(200);
  });
});

describe('downloads', () => {
  it('exports the CA as an attachment in each format', async () => {
    for (const format of ['pem', 'der', 'android', 'ios']) {
      const { status, res } = await call('GET', `/api/ca?format=${format}`);
      expect(status, format).toBe(200);
      expect(res.headers.get('content-disposition'), format).toMatch(/^attachment; filename="/);
    }
    expect((await call('GET', '/api/ca?format=p12')).status).toBe(400);
  });

  it('serves onboarding details with a QR code of the onboarding URL', async () => {
    const { json } = await call('GET', '/api/onboarding');
    expect(json).toMatchObject({ url: 'http://192.168.1.23:8080/', proxyAddresses: ['192.168.1.23:8080', '[fe80::1c2b:3aff:fe4d:5e6f]:8080'], qrTarget: 'http://192.168.1.23:8080/' });
    expect((json as { qr: string }).qr).toMatch(/^data:image\/svg\+xml;base64,/);
  });

  it('exports HAR and reports', async () => {
    const har = await call('GET', `/api/export/har`);
    expect(har.status).toBe(200);
    expect(har.res.headers.get('content-disposition')).toContain('.har');
    expect(har.json).toMatchObject({ log: { version: '1.2' } });
    for (const format of ['html', 'json', 'junit', 'text']) {
      const r = await call('GET', `/api/export/report?format=${format}`);
      expect(r.status, format).toBe(200);
      expect(r.res.headers.get('content-disposition'), format).toContain('attachment');
    }
    expect((await call('GET', '/api/export/report?format=pdf')).status).toBe(400);
  });

  it('starts a new session file', async () => {
    const { json } = await call('POST', '/api/session/new');
    expect((json as { file: string }).file).toMatch(/session-2/);
    expect(existsSync(dir)).toBe(true);
    expect(((await call('GET', '/api/events')).json as { lines: unknown[] }).lines).toHaveLength(1);
  });
});
