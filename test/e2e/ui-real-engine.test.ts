// The UI against the real engine: curl sends HTTPS through the proxy, the hosts board
// shows the host and its verdict without a reload, Setup's QR code decodes to the
// onboarding URL the proxy serves, and the HAR download parses.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveOnboarding, type ControlApi, type OnboardingInfo } from '../../proxy/api/index.js';
import { Engine } from '../../proxy/engine.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { testPki } from '../helpers/pki.js';
import { decodeQr, startUi } from './ui-harness.js';

const run = promisify(execFile);
let engine: Engine;
let api: ControlApi;
let browser: TestBrowser;
let backend: Server;
let backendPort: number;
let dataDir: string;

beforeAll(async () => {
  const pki = testPki();
  backend = createServer({ cert: pki.serverCert, key: pki.serverKey }, (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"hello":"from the backend"}');
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  backendPort = (backend.address() as AddressInfo).port;
  dataDir = mkdtempSync(join(tmpdir(), 'pinprobe-e2e-engine-'));
  engine = await Engine.create({
    port: 0,
    listen: '127.0.0.1',
    dataDir,
    settings: { upstreamCa: [pki.caCertPath] },
    version: '0.1.0-test',
    onboarding: (req, res, eng) => {
      serveOnboarding(req, res, { engine: eng });
      return true;
    },
  });
  await engine.start();
  api = await startUi(engine);
  engine.ownPorts.add(api.port);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await engine?.stop();
  await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('UI with the real engine', () => {
  it('shows a host reached through the proxy with its verdict, live', async () => {
    const page = await browser.context.newPage();
    await page.goto(api.url);
    await page.getByRole('heading', { name: 'No hosts yet' }).waitFor();

    const proxy = `http://127.0.0.1:${engine.status().port}`;
    const { stdout } = await run('curl', ['-sS', '--max-time', '10', '-x', proxy, '--cacert', engine.status().caCertPath, `https://localhost:${backendPort}/hello`]);
    expect(stdout).toContain('from the backend');

    const row = page.getByRole('option').filter({ hasText: `localhost:${backendPort}` });
    await row.waitFor({ timeout: 3000 });
    await expect(row.getByText('Not pinned').isVisible()).resolves.toBe(true);
    await expect(row.getByLabel('trusted: accepted').count()).resolves.toBe(1);

    await page.getByRole('tab', { name: 'Traffic' }).click();
    await page.getByRole('option').filter({ hasText: `localhost:${backendPort}/hello` }).waitFor();
    await page.close();
  });

  it('Setup → Devices: declaring that a device has the CA in its system store re-judges its refusal as pinned, live', async () => {
    const page = await browser.context.newPage();
    await page.goto(api.url);
    const proxy = `http://127.0.0.1:${engine.status().port}`;
    // No CA at all: curl refuses Pinprobe's in the handshake (unknown_ca) — inconclusive alone.
    await run('curl', ['-sS', '--max-time', '10', '-x', proxy, '--interface', '127.0.0.51', `https://127.0.0.1:${backendPort}/nopin`]).catch(() => undefined);
    const row = page.getByRole('option').filter({ hasText: `127.0.0.1:${backendPort}` });
    await row.waitFor({ timeout: 5000 });
    await row.getByText('Inconclusive').waitFor({ timeout: 3000 });
    // The host's evidence names each connection's TLS client by its fingerprint.
    await row.click();
    await page.locator('td', { hasText: /^curl\/OpenSSL t13i\d{4}h2_e8f1e7e78f70_/ }).first().waitFor({ timeout: 3000 });

    await page.getByRole('tab', { name: /Setup/ }).click();
    const device = page.getByRole('listitem').filter({ hasText: '127.0.0.51' });
    await device.waitFor({ timeout: 3000 });
    await device.getByLabel("this device has Pinprobe's CA in its system store").click();
    await expect.poll(() => engine.settings().deviceTrustsCa, { timeout: 3000 }).toEqual(['127.0.0.51']);
    await page.getByRole('tab', { name: 'Hosts' }).click();
    // The board's narrow column shows the verdict; its evidence is in the tooltip (and the host view).
    const pinned = row.getByText('Pinned', { exact: true });
    await pinned.waitFor({ timeout: 3000 });
    expect(await pinned.getAttribute('title')).toMatch(/^Pinned \(device trusts the CA\) — ./);
    expect(engine.lines().filter((l) => l.type === 'device-trust')).toEqual([
      expect.objectContaining({ device: '127.0.0.51', trustsCa: true, source: 'ui' }),
    ]);
    expect(engine.settings().deviceTrustsCa).toEqual(['127.0.0.51']);
    await engine.updateSettings({ deviceTrustsCa: [] });
    await page.close();
  });

  // This engine listens on 127.0.0.1, so Setup must not offer a QR code or LAN address a
  // phone could not reach (the QR itself is decoded in ui-live.test.ts, LAN-reachable).
  it('Setup says the loopback-only proxy is this computer only; the setup page is served', async () => {
    const page = await browser.context.newPage();
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Setup' }).click();
    await page.getByRole('note').filter({ hasText: 'This computer only.' }).waitFor();
    const info = (await (await fetch(`http://127.0.0.1:${api.port}/api/onboarding`, { headers: { authorization: `Bearer ${api.token}` } })).json()) as OnboardingInfo;
    expect(info).toMatchObject({ loopbackOnly: true, proxyAddresses: [], url: null });
    expect(await page.locator('img.qr').count()).toBe(0);
    expect(await page.locator('.address').count()).toBe(0);
    // The page the QR leads to, fetched the way a phone would (straight to the proxy port).
    const direct = await fetch(`http://127.0.0.1:${engine.status().port}/`, { headers: { 'user-agent': 'Mozilla/5.0 (Linux; Android 14)' } });
    expect(await direct.text()).toContain('/ca/pinprobe-ca.cer');
    await page.close();
  });

  it('downloads the HAR of the session', async () => {
    const page = await browser.context.newPage();
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Controls' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'HAR' }).click()]);
    const har = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { log: { entries: Array<{ request: { url: string } }> } };
    expect(har.log.entries.map((e) => e.request.url)).toContain(`https://localhost:${backendPort}/hello`);
    // The download went by a header, not a URL: the token is not in the download history.
    expect(download.url()).not.toContain('token=');
    await page.close();
  });

  it('CA downloads carry no token in any link and still download the certificate', async () => {
    const page = await browser.context.newPage();
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Setup' }).click();
    const link = page.getByRole('link', { name: /PEM/ });
    await link.waitFor();
    const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.filter((h) => h.includes('token='))).toEqual([]);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.url()).not.toContain('token=');
    expect(readFileSync((await download.path())!, 'utf8')).toContain('-----BEGIN CERTIFICATE-----');
    await page.close();
  });
});
