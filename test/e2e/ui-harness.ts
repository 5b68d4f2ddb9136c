// Shared set-up for UI tests: the built renderer, the control API over a fake engine,
// and a Chromium page opened on the tokenised URL.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import jsQRModule from 'jsqr';
import { startControlApi, type ControlApi } from '../../proxy/api/index.js';
import type { EngineControl, EngineSettings } from '../../proxy/api/engine-port.js';
import { buildPool } from '../../proxy/net/upstream-settings.js';
import { DEFAULT_SETTINGS } from '../../proxy/settings.js';
import { afterAll, beforeAll } from 'vitest';
import { FakeEngine } from '../helpers/fake-engine.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';

// jsqr is CommonJS whose exports are the function itself (with .default too); NodeNext
// types the default import as the module, so take the function explicitly.
const jsQR = (jsQRModule as unknown as { default: typeof import('jsqr').default }).default;

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const UI_DIR = join(ROOT, 'renderer', 'dist');

/** `npm test` builds first; a lone `vitest run` of this file builds if nothing is there. */
export function ensureUiBuilt(): void {
  if (existsSync(join(UI_DIR, 'index.html'))) return;
  execFileSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts'], { cwd: ROOT, stdio: 'pipe' });
}

/** The fake engine, plus the real engine's client-certificate loading (and its errors). */
export class CertCheckingEngine extends FakeEngine {
  override async updateSettings(patch: Partial<EngineSettings>): Promise<EngineSettings> {
    // The pool builder's loading: its errors name the row and the part that is wrong.
    if (patch.clientCerts) (await buildPool({ ...DEFAULT_SETTINGS, clientCerts: patch.clientCerts })).destroy();
    return super.updateSettings(patch);
  }
}

export async function startUi(engine: EngineControl): Promise<ControlApi> {
  ensureUiBuilt();
  return startControlApi({ engine, port: 0, uiDir: UI_DIR, version: '0.1.0-test' });
}

export interface FakeUi {
  engine: FakeEngine;
  api: ControlApi;
  browser: TestBrowser;
}

/**
 * Registers the usual hooks for a UI test file: a fake engine whose proxy a phone reaches
 * at 192.168.1.23:8080, its control API, and Chromium. The fields are set once beforeAll ran.
 */
export function useFakeUi(): FakeUi {
  const ui = {} as FakeUi;
  beforeAll(async () => {
    ui.engine = new FakeEngine({ lanAddresses: ['192.168.1.23'], port: 8080 });
    ui.api = await startUi(ui.engine);
    ui.browser = await launchBrowser();
  });
  afterAll(async () => {
    await ui.browser?.close();
    await ui.api?.close();
  });
  return ui;
}

/** Decodes the QR image in the page: drawn onto a canvas there, decoded here with jsQR. */
export async function decodeQr(page: Page, selector: string): Promise<string | null> {
  const pixels = await page.$eval(selector, async (node) => {
    const img = node as HTMLImageElement;
    await img.decode();
    const size = 320;
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = size;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d canvas');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    ctx.drawImage(img, 32, 32, size - 64, size - 64);
    // Base64 crosses the DevTools protocol far faster than a JSON array of numbers.
    const bytes = ctx.getImageData(0, 0, size, size).data;
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { width: size, height: size, data: btoa(bin) };
  });
  const code = jsQR(new Uint8ClampedArray(Buffer.from(pixels.data, 'base64')), pixels.width, pixels.height);
  return code?.data ?? null;
}
