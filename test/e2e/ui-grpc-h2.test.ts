// A gRPC call recorded by the real engine, in Chromium (issue 11): @grpc/grpc-js client and
// server on loopback, the client reaching the server through Pinprobe. The Traffic list
// marks the call h2, and its detail shows the request and response decoded as gRPC
// messages (schema-less protobuf) and the grpc-status trailer.
import type * as grpc from '@grpc/grpc-js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../proxy/api/index.js';
import { Engine } from '../../proxy/engine.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { echoClientThroughProxy, startEchoServer, unaryCall } from '../helpers/grpc.js';
import { testPki } from '../helpers/pki.js';
import { startUi } from './ui-harness.js';

const SHOTS = process.env['PINPROBE_SHOTS_DIR'] ?? mkdtempSync(join(tmpdir(), 'pinprobe-grpc-shots-'));

let engine: Engine;
let api: ControlApi;
let browser: TestBrowser;
let echo: Awaited<ReturnType<typeof startEchoServer>>;
let client: grpc.Client;
let dataDir: string;

beforeAll(async () => {
  const pki = testPki();
  echo = await startEchoServer();
  dataDir = mkdtempSync(join(tmpdir(), 'pinprobe-e2e-grpc-'));
  engine = await Engine.create({ port: 0, listen: '127.0.0.1', dataDir, settings: { upstreamCa: [pki.caCertPath] }, version: '0.1.0-test' });
  await engine.start();
  api = await startUi(engine);
  engine.ownPorts.add(api.port);
  client = echoClientThroughProxy(engine.status().port, echo.port, readFileSync(engine.status().caCertPath));
  browser = await launchBrowser();
});

afterAll(async () => {
  client?.close();
  await browser?.close();
  await api?.close();
  await engine?.stop();
  await echo?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('gRPC in the Traffic view', () => {
  it('shows the call with an h2 badge, its messages decoded and the grpc-status trailer', async () => {
    expect(await unaryCall(client, 'pinprobe')).toBe('hello pinprobe');
    const page = await browser.context.newPage();
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Traffic' }).click();
    const row = page.getByRole('option').filter({ hasText: '/pinprobe.test.Echo/Say' });
    await row.waitFor({ timeout: 5000 });
    await expect(row.getByTitle('HTTP/2').textContent()).resolves.toBe('h2');
    await row.click();

    const sent = page.getByRole('region', { name: 'Request messages' });
    await sent.waitFor({ timeout: 5000 });
    await expect(sent.textContent()).resolves.toMatch(/1 gRPC message · decoded without a schema/);
    await expect(sent.locator('pre').textContent()).resolves.toBe('1: "pinprobe"');
    const got = page.getByRole('region', { name: 'Response messages' });
    await expect(got.locator('pre').textContent()).resolves.toBe('1: "hello pinprobe"');

    const trailers = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Response trailers' }) });
    await expect(trailers.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'grpc-status' }) }).locator('td').textContent()).resolves.toBe('0');

    await page.screenshot({ path: join(SHOTS, 'grpc-traffic.png'), fullPage: true });
    // The detail pane scrolls on its own: a second shot with the response messages and trailers in view.
    await page.getByRole('heading', { name: 'Response trailers' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'grpc-trailers.png') });
    await page.close();
  });
});
