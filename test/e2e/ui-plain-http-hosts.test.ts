// One host on :80 (cleartext) and :443 (TLS) through the real engine (issue 13, defects 4-7):
// the hosts board names host:port when the port is not 443; a plain-HTTP socket is no
// "CONNECT … — tunnel" row; advice fits a cleartext-only host (no "make N more
// connections", no probe-mtls https://host:80/); an info finding ("mTLS: Not enforced")
// is coloured as info everywhere; and the board fits a 390 px phone-width window.
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../proxy/api/index.js';
import { judge } from '../../proxy/judge/index.js';
import { renderReport } from '../../proxy/report/index.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { startEngine, type TestEngine } from '../helpers/engine.js';
import { testPki } from '../helpers/pki.js';
import { curl } from '../helpers/run.js';
import { startUi } from './ui-harness.js';

const SHOTS = process.env['PINPROBE_SHOTS_DIR'] ?? mkdtempSync(join(tmpdir(), 'pinprobe-plain-shots-'));
let plain: http.Server;
let tls: https.Server;
let proxy: TestEngine;
let api: ControlApi;
let browser: TestBrowser;

beforeAll(async () => {
  const pki = testPki();
  plain = http.createServer((_q, s) => s.end('plain hi\n'));
  tls = https.createServer({ cert: pki.serverCert, key: pki.serverKey }, (_q, s) => s.end('tls hi\n'));
  await new Promise<void>((ok) => plain.listen(0, '127.0.0.1', ok));
  await new Promise<void>((ok) => tls.listen(0, '127.0.0.1', ok));
  proxy = await startEngine({
    upstreamInsecure: true,
    mapRemote: [
      { from: 'plain.example:80', to: `127.0.0.1:${(plain.address() as AddressInfo).port}` },
      { from: 'plain.example:443', to: `127.0.0.1:${(tls.address() as AddressInfo).port}` },
    ],
  });
  expect((await curl(proxy.proxyUrl, 'http://plain.example/a')).stdout).toBe('plain hi\n');
  expect((await curl(proxy.proxyUrl, 'https://plain.example/b', ['--cacert', proxy.caPath])).stdout).toBe('tls hi\n');
  await proxy.waitFor((l) => l.type === 'upstream' && l.port === 443);
  api = await startUi(proxy.engine);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await proxy?.close();
  plain?.close();
  tls?.close();
});

describe('a host on :80 and :443', () => {
  it('the HTML report gives a cleartext-only host no probe-mtls https://host:80/ and colours info as info', () => {
    const lines = proxy.engine.lines();
    const html = renderReport('html', judge(lines, { file: 'x' }), lines);
    expect(html).not.toContain('probe-mtls https://plain.example:80/');
    expect(html).toMatch(/mTLS<\/b>: does not apply: only cleartext HTTP was seen on plain\.example:80/);
    // The :443 host's "Not enforced" is an info finding: the info colour, never warn/bad.
    expect(html).toMatch(/<span class="badge info"[^>]*>Not enforced<\/span>/);
    expect(html).not.toMatch(/<span class="badge (?:warn|bad)"[^>]*>Not enforced<\/span>/);
  });

  for (const width of [1440, 390]) {
    it(`at ${width} px: host:port rows, severity colours, advice that fits, no CONNECT row for HTTP`, async () => {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width, height: 800 });
      await page.goto(api.url);
      const board = page.getByRole('listbox', { name: 'Hosts, most severe first' });
      const row80 = board.getByRole('option').filter({ hasText: 'plain.example:80' });
      await row80.waitFor();
      const rows = await board.getByRole('option').locator('.col-host').allTextContents();
      // The :443 host reached its backend through --map-remote (the test origin): tagged so.
      expect(rows.map((t) => t.trim()).sort()).toEqual(['plain.example:80', 'plain.examplemapped']);
      const row443 = board.getByRole('option').filter({ hasNotText: 'plain.example:80' });
      expect(await row443.locator('.col-host .tag').textContent()).toBe('mapped');
      const mtls = row443.getByText('mTLS: Not enforced');
      expect(await mtls.getAttribute('class')).toContain('tone-sev-info');
      expect(await row443.getByText('Not pinned').getAttribute('class')).toContain('tone-sev-medium');
      // Nothing on the board is cut off: the page does not scroll sideways, every column shows.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await expect(row80.locator('.col-findings').isVisible()).resolves.toBe(true);
      const box = await row80.locator('.col-findings').boundingBox();
      expect(box && box.x + box.width).toBeLessThanOrEqual(width);
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(SHOTS, `hosts-${width}.png`) });

      await row80.click();
      const detail = page.getByRole('article');
      await detail.getByRole('heading', { name: 'plain.example:80' }).waitFor();
      const text = (await detail.textContent()) ?? '';
      expect(text).toContain('Only cleartext HTTP was seen on plain.example:80');
      expect(text).not.toMatch(/more connection/);
      await page.screenshot({ path: join(SHOTS, `host-80-${width}.png`) });

      await page.getByRole('tab', { name: 'Traffic' }).click();
      const list = page.getByRole('listbox', { name: 'Connections and requests' });
      await list.getByRole('option').first().waitFor();
      const plainRow = list.getByRole('option').filter({ hasText: 'plain.example:80' }).first();
      expect(await plainRow.textContent()).toMatch(/HTTP.*cleartext/);
      expect(await list.getByRole('option').filter({ hasText: 'CONNECTplain.example:80' }).count()).toBe(0);
      expect(await list.textContent()).not.toMatch(/CONNECT\s*plain\.example:80/);
      await page.screenshot({ path: join(SHOTS, `traffic-${width}.png`) });
      await page.close();
    });
  }
});
