// Layout defects a new user met (issue 13, defect 7), in Chromium: the phone onboarding
// page keeps the proxy address on one line at 390 px; the request detail puts RESPONSE
// after the request's headers; a focused list shows no stray focus edges on every other row.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../proxy/api/index.js';
import { onboardingPage } from '../../proxy/onboarding/page.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { demoSession } from './demo-session.js';
import { startUi } from './ui-harness.js';

const SHOTS = process.env['PINPROBE_SHOTS_DIR'] ?? mkdtempSync(join(tmpdir(), 'pinprobe-layout-shots-'));
let api: ControlApi;
let browser: TestBrowser;

beforeAll(async () => {
  api = await startUi(new FakeEngine({ events: demoSession(), lanAddresses: ['192.168.1.23'], port: 8080 }));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('layout details', () => {
  for (const platform of ['android', 'ios', 'other'] as const) {
    it(`onboarding page (${platform}) at 390 px: every proxy address stays on one line, nothing scrolls sideways`, async () => {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      const html = onboardingPage({
        platform,
        links: { pem: '/ca/pinprobe-ca.pem', der: '/ca/pinprobe-ca.cer', android: '/ca/c8750f0d.0', ios: '/ca/pinprobe.mobileconfig' },
        caSubject: 'CN=Pinprobe CA (test)',
        fingerprint: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
        proxy: '192.168.100.123:8080',
      });
      await page.setContent(html);
      const lines = await page.$$eval('main > section .addr', (els) => els.map((el) => ({ text: el.textContent, rects: el.getClientRects().length })));
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(l, `${l.text} is broken across lines`).toMatchObject({ text: '192.168.100.123:8080', rects: 1 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(SHOTS, `onboarding-${platform}-390.png`), fullPage: true });
      await page.close();
    });
  }

  it('top bar at 390 px: all five view tabs, with their counts, are fully on screen (wrapped, not scrolled away)', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(api.url);
    await page.getByRole('tab', { name: /Traffic/ }).locator('.tab-count').waitFor();
    const tabs = await page.$$eval('[role=tab]', (ts) => ts.map((t) => {
      const r = t.getBoundingClientRect();
      return { name: t.textContent ?? '', left: r.left, right: r.right, width: r.width };
    }));
    expect(tabs.map((t) => t.name.replace(/[\d,]+$/, ''))).toEqual(['Hosts', 'Traffic', 'Setup', 'Compare', 'Controls']);
    for (const t of tabs) {
      expect(t.left, t.name).toBeGreaterThanOrEqual(0);
      expect(t.right, t.name).toBeLessThanOrEqual(390);
    }
    expect(await page.$eval('[role=tablist]', (el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'topbar-390.png') });
    await page.close();
  });

  it('request detail: RESPONSE comes after the request headers and body', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Traffic' }).click();
    await page.getByRole('searchbox', { name: 'Filter traffic' }).fill('v2/session');
    await page.getByRole('option').filter({ hasText: 'api.shopfast.example/v2/session' }).first().click();
    await page.getByRole('heading', { name: 'Response headers' }).waitFor();
    const order = await page.$$eval('.detail h3, .detail h4', (hs) => hs.map((h) => h.textContent?.trim() ?? ''));
    const at = (t: string) => order.findIndex((x) => x.toLowerCase() === t.toLowerCase());
    expect(at('Request headers')).toBeGreaterThan(-1);
    expect(at('Response')).toBeGreaterThan(at('Request headers'));
    expect(at('Response headers')).toBeGreaterThan(at('Response'));
    await page.close();
  });

  it('a focused list draws its focus on the selected row only, not as edges on alternate rows', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1440, height: 700 });
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Traffic' }).click();
    const list = page.getByRole('listbox', { name: 'Connections and requests' });
    await list.getByRole('option').nth(3).click();
    await page.keyboard.press('ArrowDown');
    const styles = await list.evaluate((el) => ({
      outline: getComputedStyle(el).outlineStyle,
      focused: el.matches(':focus-visible'),
      rows: Array.from(el.querySelectorAll('.vrow')).map((r) => ({ selected: r.classList.contains('selected'), shadow: getComputedStyle(r).boxShadow })),
    }));
    expect(styles.focused).toBe(true);
    expect(styles.outline).toBe('none');
    for (const r of styles.rows) expect(r.shadow === 'none').toBe(!r.selected);
    await page.screenshot({ path: join(SHOTS, 'traffic-focused.png') });
    await page.close();
  });

  for (const [width, detail] of [[1280, false], [1280, true], [1024, true], [390, false]] as const) {
    it(`hosts board at ${width} px${detail ? ' with a host open' : ''}: every badge stays inside its column`, async () => {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width, height: 800 });
      await page.goto(api.url);
      const board = page.getByRole('listbox', { name: 'Hosts, most severe first' });
      await board.getByRole('option').first().waitFor();
      // The demo has a host pinned with evidence ("stage contrast"): the longest pinning label.
      const pinned = board.getByRole('option').filter({ hasText: 'auth.shopfast.example' });
      if (detail) {
        await pinned.click();
        await page.getByRole('article').getByText('Pinned (stage contrast)').first().waitFor();
      }
      const spills = await page.evaluate(() => {
        const out: string[] = [];
        for (const row of Array.from(document.querySelectorAll('.board .vrow'))) {
          for (const cell of Array.from(row.children)) {
            const box = (cell as HTMLElement).getBoundingClientRect();
            if ((cell as HTMLElement).offsetParent === null) continue;
            for (const badge of Array.from(cell.querySelectorAll('.badge'))) {
              const b = badge.getBoundingClientRect();
              if (b.right > box.right + 1 || b.left < box.left - 1) out.push(`${cell.className}: "${badge.textContent}" ${Math.round(b.left)}–${Math.round(b.right)} outside ${Math.round(box.left)}–${Math.round(box.right)}`);
            }
          }
        }
        return out;
      });
      expect(spills).toEqual([]);
      expect(await pinned.getByText('Pinned', { exact: true }).getAttribute('title')).toMatch(/^Pinned \(stage contrast\) — ./);
      await page.screenshot({ path: join(SHOTS, `board-${width}${detail ? '-detail' : ''}.png`) });
      await page.close();
    });
  }
});
