// `--listen 127.0.0.1` (defect 2 of issue 13): the top bar, Setup, the QR code and the adb
// command advertise only what is reachable — no LAN address nothing listens on — and say
// plainly that the proxy is this-computer-only and how to open it to a phone.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../proxy/api/index.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { startUi } from './ui-harness.js';

const SHOTS = process.env['PINPROBE_SHOTS_DIR'] ?? mkdtempSync(join(tmpdir(), 'pinprobe-loopback-shots-'));
let api: ControlApi;
let browser: TestBrowser;

beforeAll(async () => {
  const engine = new FakeEngine({ listen: '127.0.0.1', lanAddresses: ['192.168.1.23', 'fd00::5'], port: 8080 });
  api = await startUi(engine);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('a loopback-only proxy is advertised as such', () => {
  it('the onboarding API lists no LAN address and says loopback-only', async () => {
    const res = await fetch(new URL('/api/onboarding', api.url), { headers: { Authorization: `Bearer ${api.token}` } });
    const info = (await res.json()) as { proxyAddresses: string[]; loopbackOnly: boolean; listenAddress: string; url: string | null };
    expect(info).toMatchObject({ proxyAddresses: [], loopbackOnly: true, listenAddress: '127.0.0.1:8080', url: null });
  });

  for (const width of [1440, 390]) {
    it(`top bar and Setup at ${width} px: no LAN address, no QR, the way to open it`, async () => {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width, height: 900 });
      await page.goto(api.url);
      await expect.poll(() => page.locator('.status .chip').first().textContent()).toBe('Proxy on 127.0.0.1:8080 · this computer only');
      await page.getByRole('tab', { name: 'Setup' }).click();
      const note = page.getByRole('note');
      await note.waitFor();
      expect(await note.textContent()).toMatch(/This computer only\..*listens on 127\.0\.0\.1:8080.*cannot reach it/);
      expect(await note.textContent()).toContain('--listen 0.0.0.0');
      expect(await page.locator('img.qr').count()).toBe(0);
      const text = (await page.locator('body').textContent()) ?? '';
      expect(text).not.toContain('192.168.1.23');
      expect(text).not.toContain('fd00::5');
      expect(text).toContain('adb reverse tcp:8080 tcp:8080');
      expect(text).toContain('http_proxy 127.0.0.1:8080');
      await page.screenshot({ path: join(SHOTS, `setup-loopback-${width}.png`), fullPage: true });
      await page.close();
    });
  }
});
