// Recorded traffic is attacker-controlled (host names, headers, bodies): it must show as
// text in every view, never run as script, and a hostile session file must not take the
// UI down.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exchange, fakeHeader, tlsConnection } from '../helpers/fake-engine.js';
import { useFakeUi } from './ui-harness.js';

const ui = useFakeUi();

const XSS = `"><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;


describe('hostile recorded data', () => {
  it('is shown as text in the hosts board, evidence and traffic detail', async () => {
    const host = `evil${XSS}.example`;
    const c = tlsConnection({ host, scenario: 'trusted', result: 'accepted', client: `10.0.0.9${XSS}` });
    ui.engine.push(
      ...c.events,
      ...exchange({
        conn: c.id, host, path: `/x?q=${XSS}`, method: 'POST', requestBody: XSS,
        requestHeaders: [[`X-${XSS}`, XSS], ['Referer', 'javascript:window.__pwned=3']],
        responseBody: `<html><body>${XSS}</body></html>`, responseType: 'text/html',
      }),
    );
    const page = await ui.browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(ui.api.url);
    const row = page.getByRole('option').filter({ hasText: 'onerror' });
    await row.waitFor();
    await row.click();
    await page.getByRole('tab', { name: 'Setup' }).click();
    await page.getByRole('tab', { name: 'Traffic' }).click();
    const req = page.getByRole('option').filter({ hasText: '/x?q=' }).first();
    await req.waitFor();
    await req.click();
    await page.getByRole('button', { name: 'Copy as curl', exact: true }).waitFor();
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? null)).toBeNull();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:" i]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('survives opening a session file whose lines have the wrong shapes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinprobe-sec-'));
    const file = join(dir, 'hostile.pinprobe.jsonl');
    const t = new Date().toISOString();
    const lines: unknown[] = [
      fakeHeader(8080),
      { type: 'connection', time: t, id: 'c1', client: null, target: 'x', mode: 'intercept', scenario: 'trusted' },
      { type: 'client-tls', time: t, id: 'c1', host: 7, result: 'accepted' },
      { type: 'request', time: t, id: 'r1', conn: 'c1', method: ['GET'], url: { a: 1 }, host: null, headers: 'Host: x', body: null },
      { type: 'response', time: t, id: 'r1', status: 'x', headers: [[1]], body: { size: 'big', encoding: 'zzz', data: 5 } },
    ];
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const page = await ui.browser.context.newPage();
    await page.goto(ui.api.url);
    await page.getByRole('tab', { name: 'Controls' }).click();
    await page.getByLabel('Open a session file (read-only)').fill(file);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByText('Viewing a recorded session (read-only)').waitFor();
    await page.getByRole('tab', { name: 'Hosts' }).click();
    await page.getByRole('tab', { name: 'Traffic' }).click();
    await page.waitForTimeout(500);
    // Whatever it made of the file, the page is not left blank: the way back to live is
    // on screen (a reload would otherwise show the same broken file again).
    await page.getByRole('button', { name: 'Back to live' }).first().click({ timeout: 3000 });
    const c = tlsConnection({ host: 'after.example', scenario: 'trusted', result: 'accepted' });
    ui.engine.push(...c.events);
    await page.getByRole('option').filter({ hasText: 'after.example' }).waitFor({ timeout: 5000 });
    await page.close();
  });
});
