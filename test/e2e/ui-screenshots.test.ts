// Screenshots of the main screens, light and dark, from a realistic recorded session,
// for docs/screenshots and the README. They double as a smoke test of each screen.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../proxy/api/index.js';
import { FakeEngine, tlsConnection } from '../helpers/fake-engine.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { DEMO_BASE, demoSession } from './demo-session.js';
import { CertCheckingEngine, ROOT, startUi } from './ui-harness.js';

// `PINPROBE_SCREENSHOTS=1 npx vitest run test/e2e/ui-screenshots.test.ts` refreshes the
// docs; an ordinary test run writes to a temp dir so the working tree stays clean.
const OUT = process.env['PINPROBE_SCREENSHOTS'] ? join(ROOT, 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'pinprobe-shots-'));
let browser: TestBrowser;

/** A fresh engine per theme, so both themes show the very same session. */
async function demoUi(): Promise<{ engine: FakeEngine; api: ControlApi }> {
  const engine = new CertCheckingEngine({
    events: demoSession(),
    lanAddresses: ['192.168.1.23', 'fd00::5a2c:80ff:fe12:3456'],
    port: 8080,
    sessionFile: '/home/tester/.local/share/pinprobe/sessions/2025-06-03T14-02-11.pinprobe.jsonl',
  });
  return { engine, api: await startUi(engine) };
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe.each(['light', 'dark'] as const)('screenshots (%s)', (scheme) => {
  it('hosts board, host evidence, traffic and setup', async () => {
    const { engine, api } = await demoUi();
    const page = await browser.context.newPage();
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(api.url);
    await page.getByRole('option').filter({ hasText: 'auth.shopfast.example' }).waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(OUT, `hosts-${scheme}.png`) });

    await page.getByRole('option').filter({ hasText: 'api.shopfast.example' }).click();
    await page.getByRole('heading', { name: 'api.shopfast.example' }).waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(OUT, `host-evidence-${scheme}.png`) });

    await page.getByRole('tab', { name: 'Traffic' }).click();
    const list = page.getByRole('listbox', { name: 'Connections and requests' });
    await list.getByRole('option').first().waitFor();
    await list.evaluate((el) => {
      el.scrollTop = 0;
    });
    const row = page.getByRole('option').filter({ hasText: 'api.shopfast.example/v2/session' });
    await row.waitFor();
    await row.click();
    await page.getByRole('button', { name: 'Copy as curl', exact: true }).waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(OUT, `traffic-${scheme}.png`) });

    await page.getByRole('tab', { name: 'Setup' }).click();
    await page.locator('img.qr').waitFor();
    engine.push(...tlsConnection({ host: 'api.shopfast.example', scenario: 'trusted', result: 'accepted', client: '192.168.1.81', base: DEMO_BASE, at: 95_000 }).events);
    await page.locator('.new-device').waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(OUT, `setup-${scheme}.png`) });
    expect(await page.locator('.address').count()).toBe(2);

    // Controls, with an error shown where it happened: a client certificate that is not there.
    // Taller, so the whole screen fits.
    await page.getByRole('tab', { name: 'Controls' }).click();
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.setViewportSize({ width: 1280, height: 1080 });
    const certs = page.getByRole('form', { name: 'Client certificates (mTLS)' });
    await certs.getByRole('button', { name: 'Add client certificate' }).click();
    await certs.getByRole('textbox', { name: 'Host glob' }).fill('payments.bankly.example');
    await certs.getByRole('textbox', { name: 'Certificate (PEM) or .p12' }).fill('/home/tester/certs/device-001.pem');
    await certs.getByRole('textbox', { name: 'Key (PEM; empty for .p12)' }).fill('/home/tester/certs/device-001-key.pem');
    await certs.getByRole('button', { name: 'Apply' }).click();
    await certs.locator('.field-error').waitFor();
    await page.locator('.controls').evaluate((el) => {
      el.scrollTop = 0;
    });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(OUT, `controls-${scheme}.png`) });
    await page.close();
    await api.close();
  });

  it('empty hosts board', async () => {
    const engine = new FakeEngine({ lanAddresses: ['192.168.1.23'], port: 8080 });
    const api = await startUi(engine);
    const page = await browser.context.newPage();
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(api.url);
    await page.getByRole('heading', { name: 'No hosts yet' }).waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(OUT, `empty-${scheme}.png`) });
    await page.close();
    await api.close();
  });
});
