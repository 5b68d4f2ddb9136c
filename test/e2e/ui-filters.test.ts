// Finding things (issue 13, build 1) in Chromium: the Traffic filter language on a
// 100,000-line session (the count updates, the input stays responsive), and the hosts
// board's exact verdict words and clickable summary counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../proxy/api/index.js';
import type { SessionEvent } from '../../proxy/session/events.js';
import { exchange, FakeEngine, tlsConnection } from '../helpers/fake-engine.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { startUi } from './ui-harness.js';

let big: ControlApi;
let small: ControlApi;
let browser: TestBrowser;
const base = Date.parse('2026-12-01T10:00:00Z');

beforeAll(async () => {
  // 1,000 connections (2 lines each) × 49 exchanges (2 lines each) = 100,000 lines.
  const events: SessionEvent[] = [];
  for (let c = 0; c < 1000; c++) {
    const conn = tlsConnection({ host: `h${c % 40}.scale.example`, scenario: 'trusted', result: 'accepted', base, at: c * 100 });
    events.push(...conn.events);
    for (let r = 0; r < 49; r++) {
      events.push(...exchange({ conn: conn.id, host: `h${c % 40}.scale.example`, method: r === 0 ? 'POST' : 'GET', path: `/item/${c}/${r}`, status: r % 7 === 0 ? 503 : 200, base, at: c * 100 + r, responseBody: `{"n":${r}${c === 612 && r === 5 ? ',"secret":"zebra-42"' : ''}}` }));
    }
  }
  expect(events.length + 1).toBeGreaterThanOrEqual(100_000);
  big = await startUi(new FakeEngine({ events }));

  const hostEvents: SessionEvent[] = [
    ...tlsConnection({ host: 'pinned.example', scenario: 'trusted', result: 'rejected', stage: 'after-handshake', base }).events,
    ...tlsConnection({ host: 'pinned.example', scenario: 'untrusted-root', result: 'rejected', stage: 'handshake', alert: 'unknown_ca', base, at: 10 }).events,
    ...tlsConnection({ host: 'open1.example', scenario: 'trusted', result: 'accepted', base, at: 20 }).events,
    ...tlsConnection({ host: 'open2.example', scenario: 'trusted', result: 'accepted', base, at: 30 }).events,
    ...tlsConnection({ host: 'open2.example', scenario: 'self-signed', result: 'accepted', base, at: 40 }).events,
  ];
  small = await startUi(new FakeEngine({ events: hostEvents }));
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await big?.close();
  await small?.close();
});

describe('Traffic filter on a 100,000-line session', () => {
  it('finds a request by a word in its response body, by status and host, and with negation', async () => {
    const page = await browser.context.newPage();
    await page.goto(big.url.replace('/#', '/?view=traffic#'));
    await page.getByText('50,000 of 50,000 rows').waitFor({ timeout: 60_000 });
    const box = page.getByRole('searchbox', { name: 'Filter traffic' });
    const timed = async (query: string, expected: string) => {
      const t0 = Date.now();
      await box.fill(query);
      await page.getByText(expected).waitFor({ timeout: 20_000 });
      return Date.now() - t0;
    };
    const times = {
      body: await timed('zebra-42', '1 of 50,000 rows'),
      statusHost: await timed('host:h12.scale.example status:5xx', '175 of 50,000 rows'),
      negated: await timed('is:request -status:2xx -method:get', '1,000 of 50,000 rows'),
    };
    console.log(`Traffic filter in Chromium, 100,000 lines / 50,000 rows, keystroke to count (ms): ${JSON.stringify(times)}`);
    await box.fill('zebra-42');
    await page.getByText('1 of 50,000 rows').waitFor();
    await page.getByRole('option').filter({ hasText: '/item/612/5' }).click();
    await page.getByRole('heading', { name: /\/item\/612\/5/ }).waitFor();
    await page.close();
  }, 120_000);
});

describe('hosts board filter', () => {
  it('"pinned" matches Pinned only, never "Not pinned"; summary counts are clickable filters', async () => {
    const page = await browser.context.newPage();
    await page.goto(small.url);
    const board = page.getByRole('listbox', { name: 'Hosts, most severe first' });
    await board.getByRole('option').nth(2).waitFor();
    const shown = async () => (await board.getByRole('option').locator('.col-host').allTextContents()).map((t) => t.trim()).sort();
    const box = page.getByRole('searchbox', { name: 'Filter hosts' });
    await box.fill('pinned');
    await expect.poll(shown).toEqual(['pinned.example']);
    await box.fill('not-pinned');
    await expect.poll(shown).toEqual(['open1.example', 'open2.example']);
    await box.fill('"not pinned" -broken');
    await expect.poll(shown).toEqual(['open1.example']);
    await box.fill('');
    await page.getByRole('button', { name: '1 broken validation' }).click();
    await expect.poll(shown).toEqual(['open2.example']);
    expect(await box.inputValue()).toBe('broken');
    await page.getByRole('button', { name: '2 not pinned' }).click();
    await expect.poll(shown).toEqual(['open1.example', 'open2.example']);
    await page.getByRole('button', { name: '2 not pinned' }).click();
    await expect.poll(shown).toHaveLength(3);
    await page.close();
  });
});
