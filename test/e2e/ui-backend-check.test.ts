// The UI's backend checks against a real engine in Chromium: curl records credentialed
// traffic through the proxy to the test API origin; on the host's evidence panel "Check
// without credentials" asks for a confirmation naming the host, sends, and the results
// arrive live in the Backend section and the hosts board; "Burst N" judges the rate limit;
// the request detail shows a token's decoded header and claims.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../proxy/api/index.js';
import { Engine } from '../../proxy/engine.js';
import { toHar } from '../../proxy/session/har.js';
import { readSession } from '../../proxy/session/reader.js';
import { GOOGLE_KEY, TOKEN, startApiOrigin, type ApiOrigin } from '../helpers/api-origin.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { testPki } from '../helpers/pki.js';
import { startEngine } from '../helpers/engine.js';
import { startUi } from './ui-harness.js';

const run = promisify(execFile);
let engine: Engine;
let api: ControlApi;
let browser: TestBrowser;
let origin: ApiOrigin;
let dataDir: string;

beforeAll(async () => {
  origin = await startApiOrigin(1000);
  dataDir = mkdtempSync(join(tmpdir(), 'pinprobe-e2e-backend-'));
  engine = await Engine.create({ port: 0, listen: '127.0.0.1', dataDir, settings: { upstreamCa: [testPki().caCertPath], scenario: 'trusted' }, version: '0.1.0-test' });
  await engine.start();
  api = await startUi(engine);
  engine.ownPorts.add(api.port);
  browser = await launchBrowser();
  const proxy = `http://127.0.0.1:${engine.status().port}`;
  const base = `https://localhost:${origin.port}`;
  const curl = (path: string, header: string) => run('curl', ['-sS', '--max-time', '10', '-x', proxy, '--cacert', engine.status().caCertPath, '-H', header, `${base}${path}`]);
  await curl('/v1/me', `Authorization: Bearer ${TOKEN}`);
  await curl('/v1/catalog?page=1', `x-api-key: ${GOOGLE_KEY}`);
  origin.reset();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await engine?.close();
  await origin?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('backend checks from the UI', () => {
  it('checks a host without credentials after a confirmation naming it; results arrive live', async () => {
    const page = await browser.context.newPage();
    await page.goto(api.url);
    const name = `localhost:${origin.port}`;
    await page.getByRole('option').filter({ hasText: name }).click();
    const backend = page.getByRole('region', { name: 'Backend' });
    await backend.getByText('not checked').waitFor();
    await backend.getByRole('button', { name: 'Check without credentials' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Confirm backend check' });
    await expect(dialog.textContent()).resolves.toContain(name);
    // Nothing is sent before the confirmation.
    expect(origin.seen).toHaveLength(0);
    await dialog.getByRole('button', { name: `Send to ${name}` }).click();

    const table = backend.getByRole('table', { name: 'Replayed without credentials' });
    await table.getByRole('row').filter({ hasText: '/v1/catalog' }).getByText('unprotected', { exact: true }).waitFor({ timeout: 10_000 });
    await table.getByRole('row').filter({ hasText: '/v1/me' }).getByText('protected', { exact: true }).waitFor();
    expect(origin.seen.map((s) => s.url.split('?')[0]).sort()).toEqual(['/v1/catalog', '/v1/me']);
    expect(origin.seen.every((s) => !s.auth && s.method === 'GET')).toBe(true);
    await page.getByRole('option').filter({ hasText: name }).getByText('Backend: 1 unprotected').waitFor();

    // The lines are in the session file as well (a reopened session shows them).
    const session = await readSession(engine.sessionFile);
    expect(session.events.filter((e) => e.type === 'request' && e.check?.kind === 'auth')).toHaveLength(2);
    await page.close();
  });

  it('refuses a check whose confirmation does not name the host', async () => {
    const res = await fetch(`http://127.0.0.1:${api.port}/api/backend-check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ host: 'localhost', port: origin.port, kind: 'auth', confirm: 'localhost' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('confirm');
  });

  it('bursts N copies and shows whether the backend throttles', async () => {
    origin.reset();
    const page = await browser.context.newPage();
    await page.goto(api.url);
    const name = `localhost:${origin.port}`;
    await page.getByRole('option').filter({ hasText: name }).click();
    const backend = page.getByRole('region', { name: 'Backend' });
    await backend.getByLabel('Burst size').fill('8');
    await backend.getByRole('button', { name: 'Burst 8' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: `Send to ${name}` }).click();
    await backend.getByText('Not throttled').waitFor({ timeout: 15_000 });
    expect(origin.seen).toHaveLength(8);
    await page.close();
  });

  it('on an opened session file, appends the check to that file and shows it again', async () => {
    origin.reset();
    const call = async (path: string, body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${api.port}${path}`, {
        method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const copy = join(dataDir, 'copy.pinprobe.jsonl');
    expect((await call('/api/session/save-as', { path: copy })).status).toBe(200);
    expect((await call('/api/session/open', { path: copy })).status).toBe(200);
    const beforeEvents = (await readSession(copy)).events;
    const before = beforeEvents.length;
    const oldIds = new Set(beforeEvents.map((e) => ('id' in e ? e.id : null)));
    const started = await call('/api/backend-check', { host: 'localhost', port: origin.port, kind: 'auth', confirm: `localhost:${origin.port}` });
    expect(started).toMatchObject({ status: 202, body: { started: true, planned: 2 } });
    const deadline = Date.now() + 10_000;
    let auth: Array<{ path: string; result: string; request?: string }> = [];
    while (Date.now() < deadline) {
      const report = (await (await fetch(`http://127.0.0.1:${api.port}/api/verdicts`, { headers: { authorization: `Bearer ${api.token}` } })).json()) as {
        hosts: Array<{ host: string; port: number; backend?: { auth: Array<{ path: string; result: string; request?: string }> } }>;
      };
      auth = report.hosts.find((h) => h.host === 'localhost' && h.port === origin.port)?.backend?.auth ?? [];
      // The view is re-read from the file: the results now name the new request lines.
      if (auth.length === 2 && auth.every((a) => !oldIds.has(a.request ?? null))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(auth.map((a) => `${a.path} ${a.result}`).sort()).toEqual(['/v1/catalog?page unprotected', '/v1/me protected']);
    expect(auth.every((a) => a.request !== undefined && !oldIds.has(a.request))).toBe(true);
    expect(origin.seen).toHaveLength(2);
    expect((await readSession(copy)).events.length).toBe(before + 4);
    await call('/api/session/live', {});
  });

  it('on an imported HAR file, leaves the .har untouched and records the check in the live session', async () => {
    origin.reset();
    const call = async (path: string, body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${api.port}${path}`, {
        method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const har = join(dataDir, 'traffic.har');
    writeFileSync(har, JSON.stringify(toHar((await readSession(engine.sessionFile)).events, { creatorVersion: 'test' })));
    const harBytes = readFileSync(har);
    const checksBefore = (await readSession(engine.sessionFile)).events.filter((e) => e.type === 'request' && e.check?.kind === 'auth').length;
    expect((await call('/api/session/open', { path: har })).status).toBe(200);
    const started = await call('/api/backend-check', { host: 'localhost', port: origin.port, kind: 'auth', confirm: `localhost:${origin.port}` });
    expect(started).toMatchObject({ status: 202, body: { started: true, planned: 2 } });
    const deadline = Date.now() + 10_000;
    let checks = checksBefore;
    while (Date.now() < deadline && checks < checksBefore + 2) {
      await new Promise((r) => setTimeout(r, 200));
      checks = (await readSession(engine.sessionFile)).events.filter((e) => e.type === 'request' && e.check?.kind === 'auth').length;
    }
    expect(checks).toBe(checksBefore + 2);
    expect(origin.seen).toHaveLength(2);
    expect(readFileSync(har).equals(harBytes)).toBe(true);
    // The live session already held checks (k1…) from the earlier tests: the new ones continue after them.
    const ids = (await readSession(engine.sessionFile)).events.filter((e) => e.type === 'request' && e.check).map((e) => (e as { id: string }).id);
    expect(checksBefore).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    await call('/api/session/live', {});
  });

  it('on an opened session recorded with --map-remote, sends to the server that session was mapped to (the engine has no such rule)', async () => {
    // Recorded by another Pinprobe that sent api.app.test to the origin; this engine has no rules.
    const other = await startEngine({ scenario: 'trusted', mapRemote: [{ from: 'api.app.test', to: `127.0.0.1:${origin.port}` }] });
    const r = await run('curl', ['-sS', '--max-time', '10', '-x', other.proxyUrl, '--cacert', other.caPath, '-H', `Authorization: Bearer ${TOKEN}`, 'https://api.app.test/v1/me']);
    expect(r.stdout).toContain('user-1');
    await other.waitFor((l) => l.type === 'response');
    const file = other.engine.sessionFile;
    await other.close();
    origin.reset();
    const call = async (path: string, body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${api.port}${path}`, {
        method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect((await call('/api/session/open', { path: file })).status).toBe(200);
    const started = await call('/api/backend-check', { host: 'api.app.test', port: 443, kind: 'auth', confirm: 'api.app.test:443' });
    expect(started).toMatchObject({ status: 202, body: { started: true, planned: 1 } });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && origin.seen.length === 0) await new Promise((ok) => setTimeout(ok, 100));
    expect(origin.seen.map((x) => [x.url, x.host, x.auth])).toEqual([['/v1/me', 'api.app.test', false]]);
    await expect.poll(async () => (await readSession(file)).events.filter((e) => e.type === 'response' && e.id.startsWith('k')).map((e) => (e as { status: number }).status), { timeout: 5000 }).toEqual([401]);
    await call('/api/session/live', {});
  });

  it('on an opened session whose rule was removed mid-session, sends each replay where its own request went', async () => {
    // localhost:SECOND went to the origin by a rule, then (the rule removed) to SECOND itself.
    const second = await startApiOrigin();
    const from = `localhost:${second.port}`;
    const other = await startEngine({ scenario: 'trusted', mapRemote: [{ from, to: `127.0.0.1:${origin.port}` }] });
    const curlVia = (url: string, header: string) => run('curl', ['-sS', '--max-time', '10', '-x', other.proxyUrl, '--cacert', other.caPath, '-H', header, url]);
    expect((await curlVia(`https://${from}/v1/me`, `Authorization: Bearer ${TOKEN}`)).stdout).toContain('user-1');
    await other.engine.updateSettings({ mapRemote: [] });
    await curlVia(`https://${from}/v1/catalog?page=1`, `x-api-key: ${GOOGLE_KEY}`);
    await other.waitFor(() => other.engine.lines().filter((l) => l.type === 'response').length >= 2);
    const file = other.engine.sessionFile;
    await other.close();
    origin.reset();
    second.reset();
    const call = async (path: string, body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${api.port}${path}`, {
        method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    try {
      expect((await call('/api/session/open', { path: file })).status).toBe(200);
      const started = await call('/api/backend-check', { host: 'localhost', port: second.port, kind: 'auth', confirm: from });
      expect(started).toMatchObject({ status: 202, body: { started: true, planned: 2 } });
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && origin.seen.length + second.seen.length < 2) await new Promise((ok) => setTimeout(ok, 100));
      expect(origin.seen.map((x) => [x.url, x.auth])).toEqual([['/v1/me', false]]);
      expect(second.seen.map((x) => [x.url, x.auth])).toEqual([['/v1/catalog?page=1', false]]);
    } finally {
      await call('/api/session/live', {});
      await second.close();
    }
  });

  it("shows a request's JSON Web Token decoded in the request detail", async () => {
    const page = await browser.context.newPage();
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Traffic' }).click();
    await page.getByRole('option').filter({ hasText: '/v1/me' }).first().click();
    const jwt = page.getByRole('region', { name: 'JSON Web Tokens' });
    await jwt.waitFor();
    await expect(jwt.getByLabel('JWT header').textContent()).resolves.toContain('"alg": "HS256"');
    await expect(jwt.getByLabel('JWT claims').textContent()).resolves.toContain('"sub": "user-1"');
    await expect(jwt.textContent()).resolves.toContain('valid 48 h (over 24 h)');
    await page.close();
  });
});
