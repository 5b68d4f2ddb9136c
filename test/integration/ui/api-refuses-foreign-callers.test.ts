// The control API refuses what is not its own UI: no/wrong token (401), a foreign Host
// (421, DNS rebinding), a foreign Origin (403, cross-site) — for HTTP and WebSocket alike.
import { request } from 'node:http';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startControlApi, type ControlApi } from '../../../proxy/api/index.js';
import { FakeEngine } from '../../helpers/fake-engine.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the HTTP status of a refused upgrade, or 101 when it opened. */
function upgrade(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on('error', reject);
  });
}

let api: ControlApi;
let uiDir: string;

beforeAll(async () => {
  uiDir = mkdtempSync(join(tmpdir(), 'pinprobe-ui-'));
  mkdirSync(join(uiDir, 'assets'));
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>Pinprobe</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(uiDir, 'assets', 'app.js'), 'console.log(1)');
  api = await startControlApi({ engine: new FakeEngine(), port: 0, uiDir, version: '0.1.0-test' });
});

afterAll(async () => {
  await api.close();
});

describe('control API token', () => {
  it('hands out a ≥ 256-bit token in the URL fragment, on loopback', () => {
    expect(api.token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(api.url).toBe(`http://127.0.0.1:${api.port}/#token=${api.token}`);
  });

  it('answers 401 without a token and with a wrong one', async () => {
    for (const path of ['/api/status', '/api/verdicts', '/api/events', '/api/settings', '/api/export/har', '/api/ca?format=pem', '/api/onboarding']) {
      const none = await get(api.port, path);
      expect(none.status, path).toBe(401);
      expect(JSON.parse(none.body)).toHaveProperty('error');
      expect((await get(api.port, path, { authorization: `Bearer ${api.token}x` })).status, path).toBe(401);
      expect((await get(api.port, `${path}${path.includes('?') ? '&' : '?'}token=nope`)).status, path).toBe(401);
    }
    expect((await get(api.port, '/api/proxy/stop', {}, 'POST')).status).toBe(401);
  });

  it('accepts the token as a Bearer header, or as a query value for GET only', async () => {
    expect((await get(api.port, '/api/status', { authorization: `Bearer ${api.token}` })).status).toBe(200);
    expect((await get(api.port, `/api/status?token=${api.token}`)).status).toBe(200);
    expect((await get(api.port, `/api/proxy/start?token=${api.token}`, {}, 'POST')).status).toBe(401);
  });
});

describe('Host and Origin checks', () => {
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${api.token}` });

  it('accepts 127.0.0.1:PORT and localhost:PORT', async () => {
    expect((await get(api.port, '/api/status', { ...auth(), host: `localhost:${api.port}` })).status).toBe(200);
  });

  it('answers 421 to a foreign Host even with the token (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${api.port}`, '127.0.0.1', `127.0.0.1:${api.port + 1}`]) {
      const answer = await get(api.port, '/api/status', { ...auth(), host });
      expect(answer.status, host).toBe(421);
    }
    expect((await get(api.port, '/', { host: 'evil.example' })).status).toBe(421);
  });

  it('answers 403 to a foreign Origin even with the token', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${api.port + 1}`, 'null', `https://127.0.0.1:${api.port}`]) {
      expect((await get(api.port, '/api/status', { ...auth(), origin })).status, origin).toBe(403);
    }
    expect((await get(api.port, '/api/status', { ...auth(), 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await get(api.port, '/api/status', { ...auth(), origin: `http://localhost:${api.port}` })).status).toBe(200);
  });

  it('refuses WebSocket upgrades without the token, with a foreign Host or Origin', async () => {
    const own = { origin: `http://127.0.0.1:${api.port}` };
    expect(await upgrade(api.port, '/api/live', own)).toBe(401);
    expect(await upgrade(api.port, '/api/live?token=wrong', own)).toBe(401);
    expect(await upgrade(api.port, `/api/live?token=${api.token}`, { ...own, host: 'evil.example' })).toBe(421);
    expect(await upgrade(api.port, `/api/live?token=${api.token}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade(api.port, `/api/live?token=${api.token}`, own)).toBe(101);
  });
});

describe('page shell', () => {
  it('is public, never carries the token, and has a strict CSP', async () => {
    const shell = await get(api.port, '/');
    expect(shell.status).toBe(200);
    expect(shell.body).not.toContain(api.token);
    const csp = String(shell.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain(`ws://127.0.0.1:${api.port}`);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(shell.headers['x-content-type-options']).toBe('nosniff');
    expect(shell.headers['referrer-policy']).toBe('no-referrer');
    expect((await get(api.port, '/assets/app.js')).headers['content-type']).toMatch(/javascript/);
  });

  it('does not serve files outside the UI folder', async () => {
    expect((await get(api.port, '/..%2f..%2fetc%2fpasswd')).status).toBe(404);
    expect((await get(api.port, '/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
  });
});
