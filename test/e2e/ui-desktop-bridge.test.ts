// The UI as the desktop app runs it: a fake `window.pinprobe` (what app/preload.cts
// exposes) is injected before the page loads. It records the dialog calls, answers them
// with paths the test chooses, and lets the test click native menu items (`onMenu`).
// The files are then checked on disk: the control API writes them, not the page.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MENU_ACTIONS } from '../../app/menu-template.js';
import type { ControlApi } from '../../proxy/api/index.js';
import { fakeHeader } from '../helpers/fake-engine.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { demoSession } from './demo-session.js';
import { CertCheckingEngine, startUi } from './ui-harness.js';

interface DialogCall {
  kind: 'openFile' | 'saveFile';
  opts: { title?: string; defaultPath?: string; filters?: { name: string; extensions: string[] }[] };
}

declare global {
  interface Window {
    __dialogCalls: DialogCall[];
    __dialogAnswers: Array<string | null>;
    __menu: (action: string) => void;
  }
}

// Runs in the page before any of its scripts, like a preload.
function fakeBridge(): void {
  window.__dialogCalls = [];
  window.__dialogAnswers = [];
  const listeners = new Set<(action: string) => void>();
  const answer = async (kind: DialogCall['kind'], opts: DialogCall['opts']): Promise<string | null> => {
    window.__dialogCalls.push({ kind, opts: JSON.parse(JSON.stringify(opts ?? {})) as DialogCall['opts'] });
    return window.__dialogAnswers.shift() ?? null;
  };
  window.__menu = (action) => listeners.forEach((cb) => cb(action));
  Object.defineProperty(window, 'pinprobe', {
    value: Object.freeze({
      openFile: (opts: DialogCall['opts']) => answer('openFile', opts),
      saveFile: (opts: DialogCall['opts']) => answer('saveFile', opts),
      onMenu: (cb: (action: string) => void) => {
        listeners.add(cb);
        return () => listeners.delete(cb);
      },
      platform: 'linux',
    }),
  });
}

let dir: string;
let liveFile: string;
let recorded: string;
let engine: CertCheckingEngine;
let api: ControlApi;
let browser: TestBrowser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinprobe-bridge-'));
  liveFile = join(dir, '2025-06-03T14-02-11.pinprobe.jsonl');
  recorded = join(dir, 'recorded.pinprobe.jsonl');
  engine = new CertCheckingEngine({ sessionFile: liveFile, events: demoSession(), lanAddresses: ['192.168.1.23'], port: 8080 });
  writeFileSync(liveFile, engine.lines().map((l) => JSON.stringify(l)).join('\n') + '\n');
  writeFileSync(recorded, [fakeHeader(8080), ...demoSession()].map((l) => JSON.stringify(l)).join('\n') + '\n');
  api = await startUi(engine);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function desktopPage(): Promise<Page> {
  const page = await browser.context.newPage();
  await page.addInitScript(fakeBridge);
  await page.goto(api.url);
  await page.getByRole('tab', { name: /Hosts/ }).waitFor();
  return page;
}

/** Clicks a native menu item: the next dialog answers `path` (null = cancelled). */
async function menu(page: Page, action: string, ...answers: Array<string | null>): Promise<void> {
  await page.evaluate(([a, ans]) => {
    window.__dialogAnswers.push(...(ans as Array<string | null>));
    window.__menu(a as string);
  }, [action, answers] as const);
}

const calls = (page: Page): Promise<DialogCall[]> => page.evaluate(() => window.__dialogCalls);

describe('native menu actions reach the UI', () => {
  it('handles every action the menu sends', async () => {
    // If the menu gains an action, this test must gain a case (and the UI a handler).
    expect([...MENU_ACTIONS]).toEqual(['new-session', 'open-session', 'save-session-as', 'export-har', 'export-html', 'export-json', 'export-junit', 'show-setup']);
  });

  it('save-session-as: native save dialog, then the API copies the session file', async () => {
    const page = await desktopPage();
    const to = join(dir, 'copy.pinprobe.jsonl');
    await menu(page, 'save-session-as', to);
    await page.getByRole('status').filter({ hasText: `Saved a copy of the session to ${to}` }).waitFor();
    expect(readFileSync(to, 'utf8')).toBe(readFileSync(liveFile, 'utf8'));
    const [call] = await calls(page);
    expect(call).toEqual({
      kind: 'saveFile',
      opts: { title: 'Save session as', defaultPath: '2025-06-03T14-02-11.pinprobe.jsonl', filters: [{ name: 'Pinprobe session', extensions: ['jsonl'] }] },
    });
    await page.close();
  });

  it('exports HAR, HTML, JSON and JUnit to the chosen paths', async () => {
    const page = await desktopPage();
    const paths = { har: join(dir, 'out.har'), html: join(dir, 'out.html'), json: join(dir, 'out.json'), junit: join(dir, 'out.junit.xml') };
    for (const [format, path] of Object.entries(paths)) {
      await menu(page, `export-${format}`, path);
      await page.getByRole('status').filter({ hasText: `to ${path}` }).waitFor();
    }
    const har = JSON.parse(readFileSync(paths.har, 'utf8')) as { log: { entries: unknown[] } };
    expect(har.log.entries.length).toBeGreaterThan(10);
    expect(readFileSync(paths.html, 'utf8')).toMatch(/<html/i);
    expect((JSON.parse(readFileSync(paths.json, 'utf8')) as { schema: string }).schema).toBe('pinprobe.report/1');
    expect(readFileSync(paths.junit, 'utf8')).toContain('<testsuite');
    const suggested = (await calls(page)).map((c) => [c.opts.defaultPath, c.opts.filters?.[0]?.extensions]);
    expect(suggested).toEqual([
      ['pinprobe-2025-06-03T14-02-11.har', ['har']],
      ['pinprobe-report-2025-06-03T14-02-11.html', ['html']],
      ['pinprobe-report-2025-06-03T14-02-11.json', ['json']],
      ['pinprobe-report-2025-06-03T14-02-11.junit.xml', ['xml']],
    ]);
    await page.close();
  });

  it('a cancelled dialog does nothing; an unusable path is reported in an alert naming it', async () => {
    const page = await desktopPage();
    await menu(page, 'export-har', null);
    // The export asks /api/status for the file name before its dialog opens.
    await expect.poll(async () => (await calls(page)).length, { timeout: 5000 }).toBe(1);
    await expect(page.locator('.notice').count()).resolves.toBe(0);

    const missingDir = join(dir, 'no-such-folder', 'x.har');
    await menu(page, 'export-har', missingDir);
    const alert = page.getByRole('alert').filter({ hasText: 'Export HAR failed' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain(join(dir, 'no-such-folder'));
    expect(existsSync(missingDir)).toBe(false);
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await expect(page.locator('.notice').count()).resolves.toBe(0);
    await page.close();
  });

  it('open-session: native open dialog with .jsonl and .har filters, then the hosts of that file', async () => {
    const page = await desktopPage();
    await page.getByRole('tab', { name: 'Controls' }).click();
    await menu(page, 'open-session', recorded);
    await page.getByText('Viewing a recorded session (read-only)').waitFor();
    // The banner can arrive over the live socket before the open call returns and switches tabs.
    await expect.poll(() => page.getByRole('tab', { name: /Hosts/ }).getAttribute('aria-selected'), { timeout: 5000 }).toBe('true');
    await page.getByRole('option').filter({ hasText: 'auth.shopfast.example' }).getByText('Pinned').waitFor();
    const [call] = await calls(page);
    expect(call?.kind).toBe('openFile');
    // Open also takes HAR (imported read-only, traffic only).
    expect(call?.opts.filters).toEqual([
      { name: 'Pinprobe session or HAR', extensions: ['jsonl', 'har'] },
      { name: 'Pinprobe session', extensions: ['jsonl'] },
      { name: 'HAR', extensions: ['har'] },
    ]);
    await page.getByRole('button', { name: 'Back to live' }).click();
    await page.getByText('Viewing a recorded session (read-only)').waitFor({ state: 'detached' });
    await page.close();
  });

  it('new-session starts a new session file; show-setup shows Setup', async () => {
    const page = await desktopPage();
    await menu(page, 'show-setup');
    await expect.poll(() => page.getByRole('tab', { name: 'Setup' }).getAttribute('aria-selected'), { timeout: 5000 }).toBe('true');
    await page.locator('img.qr').waitFor();

    const before = engine.calls.filter((c) => c === 'newSession').length;
    await menu(page, 'new-session');
    await page.getByRole('status').filter({ hasText: 'New session: /tmp/pinprobe-fake/session-' }).waitFor();
    expect(engine.calls.filter((c) => c === 'newSession').length).toBe(before + 1);
    await expect.poll(async () => (await calls(page)).length).toBe(0);
    await page.close();
  });
});

describe('Controls in the desktop app', () => {
  it('exports through the native save dialog instead of download links', async () => {
    const page = await desktopPage();
    await page.getByRole('tab', { name: 'Controls' }).click();
    await expect(page.getByRole('link', { name: 'HAR' }).count()).resolves.toBe(0);
    const to = join(dir, 'controls.txt');
    await page.evaluate((p) => window.__dialogAnswers.push(p), to);
    await page.getByRole('button', { name: 'Text report…' }).click();
    await page.getByText(`Exported Text report to ${to}`).waitFor();
    expect(readFileSync(to, 'utf8').length).toBeGreaterThan(100);
    await page.close();
  });

  it('shows a bad client-certificate path next to that field', async () => {
    const page = await desktopPage();
    await page.getByRole('tab', { name: 'Controls' }).click();
    await page.getByRole('button', { name: 'Add client certificate' }).click();
    const section = page.getByRole('form', { name: 'Client certificates (mTLS)' });
    await section.getByRole('textbox', { name: 'Host glob' }).fill('api.bank.example');
    const bad = join(dir, 'missing-client.pem');
    await section.getByRole('textbox', { name: 'Certificate (PEM) or .p12' }).fill(bad);
    await section.getByRole('button', { name: 'Apply' }).click();
    const note = section.locator('[data-field="clientCerts.0.cert"] .field-error');
    await note.waitFor();
    // The field already shows host and path: the note says what is wrong with it.
    await expect(note.textContent()).resolves.toBe(`cannot read certificate file ${bad} (no such file)`);
    await expect(section.getByRole('textbox', { name: 'Certificate (PEM) or .p12' }).getAttribute('aria-invalid')).resolves.toBe('true');
    // Only at the field: the host field is fine and there is no second copy below.
    await expect(section.locator('.field-error').count()).resolves.toBe(1);
    await expect(section.locator('.error-note').count()).resolves.toBe(0);
    expect(engine.settings().clientCerts).toEqual([]);
    await page.close();
  });

  it('keyboard: the tabs take arrows, Home and End', async () => {
    const page = await desktopPage();
    await page.getByRole('tab', { name: /Hosts/ }).focus();
    const selected = () => page.locator('[role=tab][aria-selected=true]').textContent();
    await page.keyboard.press('ArrowRight');
    await expect(selected()).resolves.toMatch(/^Traffic/);
    await page.keyboard.press('End');
    await expect(selected()).resolves.toBe('Controls');
    await page.keyboard.press('ArrowRight');
    await expect(selected()).resolves.toMatch(/^Hosts/);
    await page.keyboard.press('ArrowLeft');
    await expect(selected()).resolves.toBe('Controls');
    await page.keyboard.press('Home');
    await expect(selected()).resolves.toMatch(/^Hosts/);
    await expect(page.evaluate(() => document.activeElement?.getAttribute('role'))).resolves.toBe('tab');

    // Lists: arrows select and open the evidence; Escape closes it, focus back on the list.
    if (engine.lines().length < 5) engine.push(...demoSession()); // after the new-session test
    const list = page.getByRole('listbox', { name: /Hosts/ });
    await list.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.getByRole('complementary', { name: 'Host evidence' }).waitFor();
    await expect(list.locator('[aria-selected=true]').getAttribute('aria-posinset')).resolves.toBe('2');
    await page.getByRole('button', { name: 'Close host evidence' }).focus();
    await page.keyboard.press('Escape');
    await page.getByRole('complementary', { name: 'Host evidence' }).waitFor({ state: 'detached' });
    await expect(page.evaluate(() => document.activeElement?.getAttribute('role'))).resolves.toBe('listbox');
    await page.close();
  });
});
