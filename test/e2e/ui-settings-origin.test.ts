// Controls says when an applied setting takes effect and where the current values came
// from (issue 13, defect 3) — instead of a bare "Applied ✓" that hid that verdicts only
// changed in a new session.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlApi, type ControlApi } from '../../proxy/api/index.js';
import type { SettingSources } from '../../proxy/api/saved-settings.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { ensureUiBuilt, UI_DIR } from './ui-harness.js';

const file = join(mkdtempSync(join(tmpdir(), 'pinprobe-settings-origin-')), 'settings.json');
const sources: SettingSources = { file, sources: { scenario: 'command line', expectMtls: 'saved' } };
let api: ControlApi;
let browser: TestBrowser;

beforeAll(async () => {
  ensureUiBuilt();
  api = await startControlApi({ engine: new FakeEngine(), port: 0, uiDir: UI_DIR, version: '0.1.0-test', settingSources: sources });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('Controls: when settings take effect, where they came from', () => {
  it('names the origin per section and, once applied, when it takes effect; the change is saved', async () => {
    const page = await browser.context.newPage();
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Controls' }).click();
    const scenario = page.getByRole('form', { name: 'Certificate scenario' });
    await expect.poll(() => scenario.locator('.setting-origin').textContent()).toContain('from the command line');
    const mtls = page.getByRole('form', { name: 'Client certificates (mTLS)' });
    expect(await mtls.locator('.setting-origin').textContent()).toContain(`expectMtls saved from the UI in ${file}`);
    await mtls.getByRole('textbox', { name: /Hosts expected to enforce mTLS/ }).fill('api.bank.example');
    await mtls.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => mtls.getByRole('status').textContent()).toMatch(/Applied: hosts expected to enforce mTLS are re-judged now/);
    await scenario.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => scenario.getByRole('status').textContent()).toMatch(/new connections get it from now on/);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { settings: { expectMtls: string[] } };
    expect(saved.settings.expectMtls).toEqual(['api.bank.example']);
    await page.close();
  });
});
