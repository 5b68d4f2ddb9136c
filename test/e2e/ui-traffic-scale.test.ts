// Traffic stays windowed with 10,000 rows: few DOM rows while scrolling from top to bottom,
// and the keyboard reaches the last row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../proxy/api/index.js';
import type { SessionEvent } from '../../proxy/session/events.js';
import { exchange, FakeEngine, tlsConnection } from '../helpers/fake-engine.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { startUi } from './ui-harness.js';

let api: ControlApi;
let browser: TestBrowser;

beforeAll(async () => {
  const events: SessionEvent[] = [];
  const base = Date.now() - 3_600_000;
  // 100 connections × 99 requests + 100 connection rows = 10,000 rows.
  for (let c = 0; c < 100; c++) {
    const conn = tlsConnection({ host: `host${c % 20}.scale.example`, scenario: 'trusted', result: 'accepted', base, at: c * 1000 });
    events.push(...conn.events);
    for (let r = 0; r < 99; r++) events.push(...exchange({ conn: conn.id, host: `host${c % 20}.scale.example`, path: `/item/${c}/${r}`, base, at: c * 1000 + r, responseBody: `{"n":${r}}` }));
  }
  api = await startUi(new FakeEngine({ events }));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('Traffic at 10,000 rows', () => {
  it('renders a window of rows while scrolling to the end', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${api.url.replace('/#', '/?view=traffic#')}`);

    await page.getByText('10,000 of 10,000 rows').waitFor({ timeout: 20_000 });
    const list = page.getByRole('listbox', { name: 'Connections and requests' });
    expect(await list.locator('[role=option]').count()).toBeLessThan(80);

    // Scroll from top to bottom in steps: the window follows, never more than a screenful
    // of rows in the DOM. (Frame times are a benchmark's job, not a test's: see
    // docs/performance.md.)
    await list.evaluate(async (el) => {
      for (let i = 1; i <= 60; i++) {
        el.scrollTop = (el.scrollHeight * i) / 60;
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      }
    });
    expect(await list.locator('[role=option]').count()).toBeLessThan(80);
    await page.getByRole('option').filter({ hasText: '/item/99/98' }).waitFor();

    // Keyboard: End jumps to the last row and selects it.
    await list.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('End');
    await page.getByRole('heading', { name: /\/item\/99\/98/ }).waitFor();
    await page.close();
  });
});
