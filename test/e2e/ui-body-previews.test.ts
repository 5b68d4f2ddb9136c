// Body previews in the Traffic detail (issue 13, Build 4), in Chromium at 1440 and 390 px:
// an image drawn from the captured bytes, a folding JSON tree that stays fast on a big
// answer, JWTs decoded with their expiry in words (in a header and in a response body), a
// urlencoded and a multipart form as tables, and a hex dump only for binary that is
// nothing else. Screenshots of each go to PINPROBE_SHOTS_DIR.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent, SessionEvent } from '../../proxy/session/events.js';
import { exchange, tlsConnection } from '../helpers/fake-engine.js';
import { useFakeUi } from './ui-harness.js';

const ui = useFakeUi();
const SHOTS = process.env['PINPROBE_SHOTS_DIR'] ?? mkdtempSync(join(tmpdir(), 'pinprobe-previews-shots-'));

/** A real 48×48 PNG (a blue square with a red diagonal), so the browser has to decode it. */
function png(): Buffer {
  const w = 48;
  const rows: Buffer[] = [];
  for (let y = 0; y < w; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) row.set(Math.abs(x - y) < 3 ? [220, 30, 30] : [30, 90, 200], 1 + x * 3);
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(w, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const sentAt = Date.parse('2026-12-02T10:00:00Z');
const jwt = (claims: Record<string, unknown>) => `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.c2ln`;

/** Replaces a request's body and Content-Type (the fake exchange sends JSON by default). */
function withRequestBody(events: SessionEvent[], type: string, body: Buffer | string): SessionEvent[] {
  const req = events[0] as RequestEvent;
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const binary = Buffer.isBuffer(body);
  req.method = 'POST';
  req.headers = [...req.headers.filter(([n]) => !/^content-(type|length)$/i.test(n)), ['Content-Type', type], ['Content-Length', String(buf.length)]];
  req.body = { size: buf.length, encoding: binary ? 'base64' : 'utf8', data: binary ? buf.toString('base64') : buf.toString('utf8'), truncated: false };
  return events;
}

beforeAll(() => {
  const c = tlsConnection({ host: 'api.preview.example', scenario: 'trusted', result: 'accepted', base: sentAt });
  const big = { items: Array.from({ length: 3000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'], nested: { deep: { deeper: i } } })), total: 3000 };
  const boundary = '----pinprobe42';
  const multipart = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="caption"\r\n\r\nMy cat\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="cat.png"\r\nContent-Type: image/png\r\n\r\n`),
    png(),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const now = Math.floor(sentAt / 1000);
  ui.engine.push(
    ...c.events,
    ...exchange({ conn: c.id, host: 'api.preview.example', path: '/img/logo.png', responseType: 'image/png', responseBody: png(), base: sentAt, at: 10 }),
    ...exchange({ conn: c.id, host: 'api.preview.example', path: '/v1/items', responseBody: JSON.stringify(big), base: sentAt, at: 20 }),
    ...exchange({
      conn: c.id, host: 'api.preview.example', path: '/v1/session', base: sentAt, at: 30,
      requestHeaders: [['Authorization', `Bearer ${jwt({ sub: 'user-7', iat: now - 60, exp: now + 3540 })}`]],
      responseBody: JSON.stringify({ access_token: jwt({ sub: 'user-7', iat: now, exp: now + 90 * 86400 }), token_type: 'Bearer' }),
    }),
    ...withRequestBody(exchange({ conn: c.id, host: 'api.preview.example', path: '/login', base: sentAt, at: 40, responseBody: '{"ok":true}' }), 'application/x-www-form-urlencoded', 'user=ann+lee&password=s3cr%26t&remember=on'),
    ...withRequestBody(exchange({ conn: c.id, host: 'api.preview.example', path: '/upload', base: sentAt, at: 50, responseBody: '{"ok":true}' }), `multipart/form-data; boundary=${boundary}`, multipart),
    ...exchange({ conn: c.id, host: 'api.preview.example', path: '/blob.bin', responseType: 'application/octet-stream', responseBody: Buffer.from([0, 1, 2, 3, 0xde, 0xad, 0xbe, 0xef, 0x50, 0x4b]), base: sentAt, at: 60 }),
  );
});

async function openRow(page: Page, path: string): Promise<void> {
  // At 390 px an open detail takes the whole width: close it to get back to the list.
  const close = page.getByRole('button', { name: 'Close detail' });
  if (await close.isVisible()) await close.click();
  const row = page.getByRole('option').filter({ hasText: `api.preview.example${path}` });
  await row.waitFor();
  await row.click();
  await page.getByRole('heading', { name: new RegExp(path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')) }).waitFor();
}

const shot = (page: Page, name: string, width: number) => page.screenshot({ path: join(SHOTS, `preview-${name}-${width}.png`), fullPage: false });

describe('body previews in Traffic', () => {
  for (const width of [1440, 390]) {
    it(`image, JSON tree, JWTs, forms and hex each get their preview (${width} px)`, async () => {
      const page = await ui.browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.setViewportSize({ width, height: 900 });
      await page.goto(ui.api.url);
      await page.getByRole('tab', { name: 'Traffic' }).click();
      const response = page.getByRole('region', { name: 'Response body' });
      const request = page.getByRole('region', { name: 'Request body' });

      // Image: decoded by the browser from the captured bytes (data: URL).
      await openRow(page, '/img/logo.png');
      const img = response.getByRole('img', { name: 'Response body: image/png' });
      await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(48);
      expect(await img.getAttribute('src')).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
      await shot(page, 'image', width);

      // JSON: folded big array, unfolding renders one page of it, quickly.
      await openRow(page, '/v1/items');
      const tree = response.getByRole('tree', { name: 'Response body JSON' });
      await tree.waitFor();
      const items = tree.getByRole('button', { name: 'Unfold items (3000 items)' });
      expect(await tree.textContent()).toMatch(/"total": 3000/);
      const started = Date.now();
      await items.click();
      await tree.getByRole('button', { name: 'Show 200 more of 2800 left' }).waitFor();
      const unfoldMs = Date.now() - started;
      expect(unfoldMs).toBeLessThan(3000);
      expect(await tree.locator('[role=treeitem][aria-level="3"]').count()).toBe(200);
      await tree.getByRole('button', { name: 'Unfold 0 (4 keys)' }).click();
      expect(await tree.textContent()).toMatch(/"name": "item 0"/);
      await shot(page, 'json', width);
      await response.getByRole('button', { name: 'Raw' }).click();
      expect(await response.locator('pre.code-text').textContent()).toMatch(/^\{"items":\[\{"id":0,/);

      // JWTs: the Authorization header's and the one in the answer, expiry in words.
      await openRow(page, '/v1/session');
      const headerJwt = page.getByRole('region', { name: 'JSON Web Tokens', exact: true });
      expect(await headerJwt.textContent()).toMatch(/in header authorization.*RS256 · expires 59 minutes after it was sent \(exp 2026-12-02T10:59:00\.000Z\); issued for 1 hour/);
      const bodyJwt = response.getByRole('region', { name: 'JSON Web Tokens in the response body' });
      expect(await bodyJwt.textContent()).toMatch(/in body · valid 2160 h \(over 24 h\)RS256 · expires 90 days after it was sent/);
      expect(await bodyJwt.getByLabel('JWT claims').textContent()).toContain('"sub": "user-7"');
      await shot(page, 'jwt', width);

      // Forms as tables.
      await openRow(page, '/login');
      const fields = request.getByRole('table', { name: 'Form fields' });
      expect(await fields.locator('tbody tr').allTextContents()).toEqual(['userann lee', 'passwords3cr&t', 'rememberon']);
      await shot(page, 'form', width);
      await openRow(page, '/upload');
      const parts = request.getByRole('table', { name: 'Form fields' });
      const rows = await parts.locator('tbody tr').allTextContents();
      expect(rows[0]).toBe('captionMy cat');
      expect(rows[1]).toMatch(/^photofile cat\.png · image\/png · \d+ B$/);
      await shot(page, 'multipart', width);

      // Binary that is no image: hex, and nothing else on offer.
      await openRow(page, '/blob.bin');
      expect(await response.locator('pre.code-hex').textContent()).toMatch(/^00000000 {2}00 01 02 03 de ad be ef 50 4b/);
      expect(await response.getByRole('button', { name: 'Preview' }).count()).toBe(0);
      expect(await response.textContent()).toMatch(/binary \(hex\)/);
      await shot(page, 'hex', width);

      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      expect(errors).toEqual([]);
      console.log(`unfold of a 3000-item array at ${width} px: ${unfoldMs} ms`);
      await page.close();
    });
  }
});
