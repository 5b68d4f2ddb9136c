// The Compare tab and HAR import in Chromium (issue 13, Build 5). Two sessions recorded
// through the real engine with curl (helpers/two-builds.ts) sit in the data dir's
// sessions folder; Compare picks them (newest as B by default) and shows per host
// "pinning lost", "validation now broken", new and gone hosts. A HAR exported from one of
// them opens read-only: Traffic lists its requests, Hosts says why there are no verdicts;
// a bad HAR is refused with its name and the problem, and the view stays as it was.
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../proxy/api/index.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { startOrigin, type Origin } from '../helpers/origin.js';
import { pinprobe } from '../helpers/run.js';
import { recordTwoBuilds } from '../helpers/two-builds.js';
import { startUi } from './ui-harness.js';

const root = mkdtempSync(join(tmpdir(), 'pinprobe-compare-'));
const sessions = join(root, 'sessions');
const SHOTS = process.env['PINPROBE_SHOTS_DIR'] ?? mkdtempSync(join(tmpdir(), 'pinprobe-compare-shots-'));
let origin: Origin;
let api: ControlApi;
let browser: TestBrowser;
let files: { a: string; b: string };
let har = '';

beforeAll(async () => {
  mkdirSync(sessions, { recursive: true });
  origin = await startOrigin();
  files = await recordTwoBuilds(origin, sessions);
  // B is the newer file; the live session (the fake engine's) is newest of all.
  utimesSync(files.a, 1_764_000_000, 1_764_000_000);
  utimesSync(files.b, 1_764_100_000, 1_764_100_000);
  har = join(root, 'new-build.har');
  const r = await pinprobe(['report', files.b, '--format', 'har', '--out', har]);
  expect(r.code, r.stderr).toBe(0);
  writeFileSync(join(root, 'cut.har'), '{"log": {"entries": [');
  api = await startUi(new FakeEngine({ sessionFile: join(sessions, 'live.pinprobe.jsonl') }));
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await origin?.close();
});

describe('Compare two sessions', () => {
  for (const width of [1440, 390]) {
    it(`picks two recorded sessions and shows per host what changed (${width} px)`, async () => {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width, height: 900 });
      await page.goto(api.url);
      await page.getByRole('tab', { name: 'Compare' }).click();
      const a = page.getByLabel('A — old build');
      const b = page.getByLabel('B — new build');
      await expect.poll(() => b.inputValue()).toBe(files.b);
      await a.selectOption(files.a);
      await page.getByRole('button', { name: 'Compare', exact: true }).click();
      const result = page.getByRole('region', { name: 'What changed from A to B' });
      await result.waitFor();
      const cdn = result.getByRole('listitem', { name: 'cdn.app.test:443: changed' });
      await expect.poll(() => cdn.textContent()).toMatch(/regression: validation now broken: (OK|Partial) → Broken \(now accepts self-signed\)critical/);
      const apiHost = result.getByRole('listitem', { name: 'api.app.test:443: changed' });
      expect(await apiHost.textContent()).toMatch(/regression: pinning lost: (Likely pinned|Pinned) → Not pinnedmedium/);
      expect(await result.getByRole('listitem', { name: 'new.app.test:443: new in B' }).textContent()).toMatch(/new host: only seen in B/);
      expect(await result.getByRole('listitem', { name: 'old.app.test:443: gone in B' }).textContent()).toMatch(/host gone/);
      expect(await result.getByRole('status').textContent()).toMatch(/\d+ regressions · 0 improvements · .* · 1 new host · 1 host gone · 0 hosts unchanged/);
      // Worst first: the critical host leads.
      const names = await result.locator('.diff-host .diff-host-head .mono').allTextContents();
      expect(names[0]).toBe('cdn.app.test:443');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: join(SHOTS, `compare-${width}.png`), fullPage: true });
      // Swapped, the same hosts improve.
      await page.getByRole('button', { name: 'Swap A and B' }).click();
      await page.getByRole('button', { name: 'Compare', exact: true }).click();
      await expect.poll(() => result.getByRole('listitem', { name: 'cdn.app.test:443: changed' }).textContent()).toMatch(/improvement: validation fixed/);
      await page.close();
    });
  }
});

describe('HAR import as a read-only session', () => {
  for (const width of [1440, 390]) {
    it(`opens a HAR: Traffic has its requests, Hosts says why there are no verdicts (${width} px)`, async () => {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width, height: 900 });
      await page.goto(api.url);
      await page.getByRole('tab', { name: 'Controls' }).click();
      // A cut-short HAR first: the error names the file and the problem, nothing changes.
      await page.getByLabel('Open a session file (read-only)').fill(join(root, 'cut.har'));
      await page.getByRole('button', { name: 'Open', exact: true }).first().click();
      await expect.poll(() => page.locator('.error-note').allTextContents()).toContainEqual(expect.stringMatching(/cut\.har is not a HAR file: it is not valid JSON \(it ends mid-way: the file looks cut short\)/));
      expect(await page.getByRole('status').filter({ hasText: 'Viewing a' }).count()).toBe(0);

      await page.getByLabel('Open a session file (read-only)').fill(har);
      await page.getByRole('button', { name: 'Open', exact: true }).first().click();
      await expect.poll(() => page.getByRole('status').filter({ hasText: 'Viewing a HAR file (read-only, traffic only — no verdicts)' }).count()).toBe(1);
      await page.getByRole('tab', { name: 'Hosts' }).click();
      const notice = page.getByRole('region', { name: 'No verdicts for a HAR file' });
      await notice.waitFor();
      expect(await notice.textContent()).toMatch(/not the TLS handshakes Pinprobe judges/);
      expect(await notice.textContent()).toMatch(/Its 4 requests are in Traffic/);
      await page.screenshot({ path: join(SHOTS, `har-hosts-${width}.png`), fullPage: true });
      await notice.getByRole('button', { name: 'Open Traffic' }).click();
      const rows = page.getByRole('option');
      await rows.first().waitFor();
      const texts = await rows.allTextContents();
      expect(texts.filter((t) => /GET/.test(t) && /app\.test/.test(t))).toHaveLength(4);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: join(SHOTS, `har-traffic-${width}.png`), fullPage: true });
      await page.getByRole('tab', { name: 'Controls' }).click();
      await page.getByRole('button', { name: 'Back to live' }).first().click();
      await expect.poll(() => page.getByRole('status').filter({ hasText: 'Viewing a' }).count()).toBe(0);
      await page.close();
    });
  }
});
