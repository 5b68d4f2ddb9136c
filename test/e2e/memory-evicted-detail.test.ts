// Traffic detail of a request whose headers and bodies the engine no longer keeps in memory
// (a long live session): the UI fetches the full lines from /api/line and shows them, or
// says in place why it could not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../proxy/api/index.js';
import type { RequestEvent, ResponseEvent, SessionLine } from '../../proxy/session/events.js';
import { exchange, FakeEngine, tlsConnection } from '../helpers/fake-engine.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { startUi } from './ui-harness.js';

/** Answers nothing for the lines of one request, as if the session file had gone. */
class LosingEngine extends FakeEngine {
  lost = new Set<number>();
  override async fullLine(index: number): Promise<SessionLine | null> {
    return this.lost.has(index) ? null : super.fullLine(index);
  }
}

let api: ControlApi;
let engine: LosingEngine;
let browser: TestBrowser;

beforeAll(async () => {
  engine = new LosingEngine({ port: 8080 });
  const c = tlsConnection({ host: 'old.app.test', scenario: 'trusted', result: 'accepted' });
  engine.push(...c.events);
  const [req, res] = exchange({ conn: c.id, host: 'old.app.test', path: '/v1/evicted', method: 'POST', requestBody: '{"card":"4111"}', responseBody: '{"evictedButShown":true}', requestHeaders: [['X-Trace', 'trace-42']] }) as [RequestEvent, ResponseEvent];
  engine.pushEvicted(req, res);
  const [req2, res2] = exchange({ conn: c.id, host: 'old.app.test', path: '/v1/gone', responseBody: '{"never":"seen"}' }) as [RequestEvent, ResponseEvent];
  engine.lost.add(engine.lines().length);
  engine.pushEvicted(req2, res2);
  engine.push(...exchange({ conn: c.id, host: 'old.app.test', path: '/v1/recent', responseBody: '{"recent":1}' }));
  api = await startUi(engine);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('Traffic detail of evicted requests', () => {
  it('fetches and shows the full headers and bodies of an evicted request', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Traffic' }).click();
    const row = page.getByRole('option').filter({ hasText: 'old.app.test/v1/evicted' });
    await row.waitFor();
    await row.click();
    await page.getByRole('heading', { name: /\/v1\/evicted/ }).waitFor();
    await page.getByText('trace-42').waitFor();
    await expect(page.locator('.code-json').allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining('"card": "4111"'), expect.stringContaining('"evictedButShown": true')]),
    );
    await expect(page.getByRole('button', { name: 'Copy as curl', exact: true }).isEnabled()).resolves.toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says in place when the full lines cannot be read back', async () => {
    const page = await browser.context.newPage();
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Traffic' }).click();
    const row = page.getByRole('option').filter({ hasText: 'old.app.test/v1/gone' });
    await row.waitFor();
    await row.click();
    const alert = page.getByRole('alert').filter({ hasText: 'Could not load the full headers and body' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('could not be read back');
    await expect(page.getByText('"never"').count()).resolves.toBe(0);
    // A recent request is shown straight from memory.
    await page.getByRole('option').filter({ hasText: 'old.app.test/v1/recent' }).click();
    await expect(page.locator('.code-json').first().textContent()).resolves.toContain('"recent": 1');
    await expect(page.getByRole('alert').filter({ hasText: 'Could not load' }).count()).resolves.toBe(0);
    await page.close();
  });
});
