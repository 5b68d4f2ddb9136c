// Controls → "Timeouts and connection limits" against the real engine: one field per entry
// of proxy/limit-fields.ts, automatic limits shown with what they are now, the origin of the
// values, a value applied for real (GET /api/settings, and a silent socket is then closed
// after the new idle timeout) and a bad value shown at its own field from the API's
// structured error. Also a 1440 px screenshot of the section.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlApi, type ControlApi } from '../../proxy/api/index.js';
import type { EngineSettings } from '../../proxy/api/engine-port.js';
import { Engine } from '../../proxy/engine.js';
import { LIMIT_FIELDS } from '../../proxy/limit-fields.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { ensureUiBuilt, UI_DIR } from './ui-harness.js';

// `PINPROBE_LIMITS_SHOT=path.png` keeps the screenshot (for looking at it); else a temp dir.
const SHOT = process.env['PINPROBE_LIMITS_SHOT'] ?? join(mkdtempSync(join(tmpdir(), 'pinprobe-limits-shot-')), 'limits.png');
let engine: Engine;
let api: ControlApi;
let browser: TestBrowser;
let dataDir: string;

beforeAll(async () => {
  ensureUiBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'pinprobe-e2e-limits-'));
  engine = await Engine.create({ port: 0, listen: '127.0.0.1', dataDir, settings: { handshakeTimeout: 5 }, version: '0.1.0-test' });
  await engine.start();
  api = await startControlApi({
    engine,
    port: 0,
    uiDir: UI_DIR,
    version: '0.1.0-test',
    settingSources: { file: join(dataDir, 'settings.json'), sources: { handshakeTimeout: 'command line' } },
  });
  engine.ownPorts.add(api.port);
  browser = await launchBrowser({ width: 1440, height: 1000 });
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await engine?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function settings(): Promise<EngineSettings> {
  const res = await fetch(`http://127.0.0.1:${api.port}/api/settings`, { headers: { authorization: `Bearer ${api.token}` } });
  return (await res.json()) as EngineSettings;
}

/** How long the proxy leaves a connection that sends nothing open (ms), up to `maxMs`. */
function silentSocketLife(maxMs: number): Promise<number> {
  return new Promise((resolve) => {
    const start = performance.now();
    const s = net.connect({ port: engine.port, host: '127.0.0.1' });
    const timer = setTimeout(() => s.destroy(), maxMs);
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - start);
    });
  });
}

describe('Controls: timeouts and connection limits (real engine)', () => {
  it('applies a value for real, shows a bad one at its field, says where values came from', async () => {
    const page = await browser.context.newPage();
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Controls' }).click();
    const form = page.getByRole('form', { name: 'Timeouts and connection limits' });
    await form.waitFor();

    // Every limit the settings table has, with its default or "auto" and its CLI option.
    for (const f of LIMIT_FIELDS) {
      const box = form.getByRole('textbox', { name: f.label, exact: true });
      expect(await box.getAttribute('placeholder')).toBe(f.default === null ? 'auto' : String(f.default));
      expect(await form.locator(`[data-field="${f.key}"] .hint`).textContent()).toContain(f.flag);
    }
    expect(await form.getByRole('textbox', { name: 'TLS handshake timeout', exact: true }).inputValue()).toBe('5');
    const auto = engine.status().connectionLimits!;
    // "now N" comes from /api/status, which can answer after the form first draws.
    await form.locator('[data-field="maxConnections"] .hint', { hasText: 'now ' }).waitFor({ timeout: 5000 });
    expect(await form.locator('[data-field="maxConnections"] .hint').textContent()).toContain(`now ${auto.maxConnections.toLocaleString('en-US')}`);
    expect(await form.locator('[data-field="maxConnectionsPerClient"] .hint').textContent()).toContain(`now ${auto.maxConnectionsPerClient.toLocaleString('en-US')}`);
    const origin = await form.locator('.setting-origin').textContent();
    expect(origin).toContain('handshakeTimeout from the command line');
    expect(origin).toContain('defaults');

    // Before: a silent socket outlives half a second (the default idle timeout is 30 s).
    expect(await silentSocketLife(1500)).toBeGreaterThanOrEqual(1400);

    await form.getByRole('textbox', { name: 'Idle timeout', exact: true }).fill('0.5');
    await form.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toMatch(/Applied: applies to new connections from now on/);
    expect((await settings()).idleTimeout).toBe(0.5);
    // Applied to the engine: the next silent connection is closed after about 0.5 s
    // (the idle check runs at least once a second).
    const life = await silentSocketLife(5000);
    expect(life).toBeGreaterThanOrEqual(400);
    expect(life).toBeLessThan(2500);
    // Only the changed field is now "saved from the UI"; the others keep their origin.
    await expect.poll(() => form.locator('.setting-origin').textContent()).toContain('idleTimeout saved from the UI in');
    expect(await form.locator('.setting-origin').textContent()).toContain('handshakeTimeout from the command line');

    // A bad value: the API's message under that field, nothing applied.
    const max = form.getByRole('textbox', { name: 'Max connections', exact: true });
    await max.fill('lots');
    await form.getByRole('button', { name: 'Apply' }).click();
    const error = form.locator('[data-field="maxConnections"] .field-error');
    await expect.poll(() => error.textContent()).toMatch(/must be a whole number from 1 to 1000000, or null \(automatic\)/);
    expect(await max.getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('.not-applied').textContent()).toContain('Not applied');
    expect(await form.locator('.field-error').count()).toBe(1);
    expect((await settings()).maxConnections).toBeNull();

    await form.scrollIntoViewIfNeeded();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: SHOT, fullPage: true });
    await page.close();
  }, 60_000);
});
