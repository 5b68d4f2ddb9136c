// The UI in Chromium against the control API and the in-memory engine: token handling,
// live hosts board, Setup's QR code, Traffic rows, opening a recorded file, downloads.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exchange, fakeHeader, tlsConnection } from '../helpers/fake-engine.js';
import { demoSession } from './demo-session.js';
import { decodeQr, useFakeUi } from './ui-harness.js';

const ui = useFakeUi();


describe('UI against the control API', () => {
  it('opens with the token, hides it, and shows a host pushed live without reload', async () => {
    const page = await ui.browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(ui.api.url);
    await page.getByRole('heading', { name: 'No hosts yet' }).waitFor();
    expect(page.url()).not.toContain(ui.api.token);
    // The address comes from /api/onboarding, which can answer after the board first draws.
    await page.getByText('192.168.1.23:8080').first().waitFor({ timeout: 5000 });

    const c = tlsConnection({ host: 'api.live.example', scenario: 'trusted', result: 'accepted' });
    const pushed = Date.now();
    ui.engine.push(...c.events, ...exchange({ conn: c.id, host: 'api.live.example', path: '/v1/ping', responseBody: '{"ok":true}' }));
    const row = page.getByRole('option').filter({ hasText: 'api.live.example' });
    await row.waitFor({ timeout: 2000 });
    expect(Date.now() - pushed).toBeLessThan(2000);
    await expect(row.getByText('Not pinned').isVisible()).resolves.toBe(true);
    await expect(row.getByLabel('trusted: accepted').count()).resolves.toBe(1);
    await expect(row.getByLabel('self-signed: untested').count()).resolves.toBe(1);

    // Keyboard: focus the list, Enter selects, the evidence pane opens.
    await page.getByRole('listbox', { name: /Hosts/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'api.live.example' }).waitFor();
    await expect(page.getByText(/Still untested: self-signed, wrong-host, expired, untrusted-root/).isVisible()).resolves.toBe(true);

    // A reload in the same tab keeps working (token kept in sessionStorage).
    await page.reload();
    await page.getByRole('option').filter({ hasText: 'api.live.example' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Setup is one click away and its QR code decodes to the onboarding URL', async () => {
    const page = await ui.browser.context.newPage();
    await page.goto(ui.api.url);
    await page.getByRole('tab', { name: 'Setup' }).click();
    await page.locator('.address', { hasText: '192.168.1.23:8080' }).waitFor();
    const qr = await decodeQr(page, 'img.qr');
    expect(qr).toBe('http://192.168.1.23:8080/');
    await expect(page.getByText('/apex/com.android.conscrypt/cacerts').isVisible()).resolves.toBe(true);
    await expect(page.getByText('Certificate Trust Settings', { exact: false }).first().isVisible()).resolves.toBe(true);

    // A phone's first request shows up as a new device, by address.
    const c = tlsConnection({ host: 'api.live.example', scenario: 'self-signed', result: 'rejected', client: '192.168.1.99' });
    ui.engine.push(...c.events);
    await page.getByText('New device').first().waitFor({ timeout: 2000 });
    await expect(page.locator('.new-device').textContent()).resolves.toContain('192.168.1.99');
    await page.close();
  });

  it('Traffic lists connections and requests, with a detail pane', async () => {
    // Its own traffic, so this test does not depend on the first one having pushed.
    const c = tlsConnection({ host: 'api.traffic.example', scenario: 'trusted', result: 'accepted' });
    ui.engine.push(...c.events, ...exchange({ conn: c.id, host: 'api.traffic.example', path: '/v1/ping', responseBody: '{"ok":true}' }));
    const page = await ui.browser.context.newPage();
    await page.goto(ui.api.url);
    await page.getByRole('tab', { name: 'Traffic' }).click();
    const req = page.getByRole('option').filter({ hasText: 'api.traffic.example/v1/ping' });
    await req.waitFor();
    await expect(page.getByRole('option').filter({ hasText: 'CONNECT' }).count()).resolves.toBeGreaterThan(0);
    await req.click();
    await page.getByRole('button', { name: 'Copy as curl', exact: true }).waitFor();
    // The replay through Pinprobe names its proxy and CA (issue 13).
    const via = page.getByRole('button', { name: 'Copy as curl through Pinprobe' });
    expect(await via.getAttribute('title')).toMatch(/^curl --proxy http:\/\/127\.0\.0\.1:8080 --cacert \/tmp\/pinprobe-fake\/ca\/pinprobe-ca\.pem/);
    await expect(page.locator('.code-json').textContent()).resolves.toContain('"ok": true');
    await page.close();
  });

  it('opens a recorded session read-only with its verdicts, and downloads the HAR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinprobe-e2e-'));
    const file = join(dir, 'recorded.pinprobe.jsonl');
    writeFileSync(file, [fakeHeader(8080), ...demoSession()].map((l) => JSON.stringify(l)).join('\n') + '\n');
    // A live host of its own, which the recorded view must hide and "Back to live" bring back.
    const c = tlsConnection({ host: 'api.back.example', scenario: 'trusted', result: 'accepted' });
    ui.engine.push(...c.events);
    const page = await ui.browser.context.newPage();
    await page.goto(ui.api.url);
    await page.getByRole('tab', { name: 'Controls' }).click();
    await page.getByLabel('Open a session file (read-only)').fill(file);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByText('Viewing a recorded session (read-only)').waitFor();
    await page.getByRole('tab', { name: 'Hosts' }).click();
    const auth = page.getByRole('option').filter({ hasText: 'auth.shopfast.example' });
    await auth.waitFor();
    await expect(auth.getByText('Pinned').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('option').filter({ hasText: 'api.shopfast.example' }).getByText('Not pinned').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('option').filter({ hasText: 'api.back.example' }).count()).resolves.toBe(0);

    await page.getByRole('tab', { name: 'Controls' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'HAR' }).click()]);
    const har = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { log: { entries: unknown[] } };
    expect(har.log.entries.length).toBeGreaterThan(10);

    await page.getByRole('button', { name: 'Back to live' }).first().click();
    await page.getByRole('tab', { name: 'Hosts' }).click();
    await page.getByRole('option').filter({ hasText: 'api.back.example' }).waitFor();
    await page.close();
  });
});
