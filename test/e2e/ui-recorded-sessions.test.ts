// Opening a recorded session in browser mode (issue 13, defect 9) needs no typed path:
// Controls lists the data dir's sessions newest first with their hosts and verdict counts,
// and "Open" shows one read-only.
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../proxy/api/index.js';
import type { SessionLine } from '../../proxy/session/events.js';
import { FakeEngine, fakeHeader, tlsConnection } from '../helpers/fake-engine.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { startUi } from './ui-harness.js';

const sessions = join(mkdtempSync(join(tmpdir(), 'pinprobe-recorded-')), 'sessions');
const SHOTS = process.env['PINPROBE_SHOTS_DIR'] ?? mkdtempSync(join(tmpdir(), 'pinprobe-recorded-shots-'));
let api: ControlApi;
let browser: TestBrowser;

function write(name: string, lines: SessionLine[], mtimeSec: number): string {
  const file = join(sessions, name);
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  utimesSync(file, mtimeSec, mtimeSec);
  return file;
}

beforeAll(async () => {
  mkdirSync(sessions, { recursive: true });
  const base = Date.parse('2026-11-30T10:00:00Z');
  write('2026-11-30T10-00-00Z.pinprobe.jsonl', [fakeHeader(8080), ...tlsConnection({ host: 'old.example', scenario: 'trusted', result: 'accepted', base }).events], 1_764_496_800);
  write('2026-12-01T09-00-00Z.pinprobe.jsonl', [
    fakeHeader(8080),
    ...tlsConnection({ host: 'api.new.example', scenario: 'trusted', result: 'accepted', base }).events,
    ...tlsConnection({ host: 'api.new.example', scenario: 'self-signed', result: 'accepted', base, at: 100 }).events,
    ...tlsConnection({ host: 'cdn.new.example', scenario: 'trusted', result: 'accepted', base, at: 200 }).events,
  ], 1_764_579_600);
  writeFileSync(join(sessions, 'notes.txt'), 'not listed');
  const live = join(sessions, 'live.pinprobe.jsonl');
  const engine = new FakeEngine({ sessionFile: live });
  write('live.pinprobe.jsonl', engine.lines() as SessionLine[], 1_764_600_000);
  api = await startUi(engine);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('recorded sessions in Controls', () => {
  for (const width of [1440, 390]) {
    it(`lists them newest first with hosts and verdict counts, and opens one (${width} px)`, async () => {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width, height: 900 });
      await page.goto(api.url);
      await page.getByRole('tab', { name: 'Controls' }).click();
      const list = page.getByRole('region', { name: 'Recorded sessions' });
      await list.getByRole('listitem').nth(2).waitFor();
      // Which file is "current" comes from /api/status, which can answer after the list.
      await list.getByRole('listitem').first().filter({ hasText: 'current' }).waitFor({ timeout: 5000 });
      const items = await list.getByRole('listitem').allTextContents();
      expect(items).toHaveLength(3);
      expect(items[0]).toContain('live.pinprobe.jsonl');
      expect(items[0]).toContain('current');
      expect(items[1]).toContain('2026-12-01T09-00-00Z.pinprobe.jsonl');
      expect(items[1]).toMatch(/2 hosts · 1 critical · 1 broken validation · 2 not pinned/);
      expect(items[1]).toContain('api.new.example, cdn.new.example');
      expect(items[2]).toMatch(/2026-11-30T10-00-00Z\.pinprobe\.jsonl.*1 host · 1 not pinned/);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: join(SHOTS, `recorded-${width}.png`), fullPage: true });
      await list.getByRole('button', { name: 'Open 2026-12-01T09-00-00Z.pinprobe.jsonl' }).click();
      await expect.poll(() => page.getByRole('status').filter({ hasText: 'Viewing a recorded session' }).count()).toBe(1);
      await page.getByRole('tab', { name: 'Hosts' }).click();
      await page.getByRole('option').filter({ hasText: 'cdn.new.example' }).waitFor();
      await page.getByRole('tab', { name: 'Controls' }).click();
      await page.getByRole('button', { name: 'Back to live' }).first().click();
      await expect.poll(() => page.getByRole('status').filter({ hasText: 'Viewing a recorded session' }).count()).toBe(0);
      await page.close();
    });
  }
});
