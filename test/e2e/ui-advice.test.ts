// The hosts board tells a tester when the device does not trust Pinprobe's CA at all —
// the most common setup mistake (Android user CA, iOS without full trust).
import { describe, expect, it } from 'vitest';
import { tlsConnection } from '../helpers/fake-engine.js';
import { useFakeUi } from './ui-harness.js';

const ui = useFakeUi();


describe('CA trust advice on the hosts board', () => {
  it('appears while every trusted connection is refused in the handshake, and goes once one is accepted', async () => {
    const page = await ui.browser.context.newPage();
    await page.goto(ui.api.url);
    await page.getByRole('heading', { name: 'No hosts yet' }).waitFor();
    for (const host of ['api.bank.example', 'cdn.bank.example']) {
      ui.engine.push(...tlsConnection({ host, scenario: 'trusted', result: 'rejected', stage: 'handshake', alert: 'certificate_unknown' }).events);
    }
    const advice = page.locator('[data-advice="ca-not-trusted"]');
    await advice.waitFor({ timeout: 3000 });
    await expect(advice.textContent()).resolves.toMatch(/device most likely does not trust the CA/);
    await advice.getByRole('button', { name: 'Open Setup' }).click();
    await expect.poll(() => page.getByRole('tab', { name: 'Setup' }).getAttribute('aria-selected'), { timeout: 5000 }).toBe('true');

    await page.getByRole('tab', { name: /Hosts/ }).click();
    ui.engine.push(...tlsConnection({ host: 'www.other.example', scenario: 'trusted', result: 'accepted' }).events);
    await advice.waitFor({ state: 'detached', timeout: 3000 });
    await page.close();
  });
});
