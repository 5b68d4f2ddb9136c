// Resend and WebSocket messages in the UI, in Chromium against a real engine and a real
// mTLS-capable origin (Node https with requestCert, plus a `ws` server on it): the tester
// clicks Resend and sees the answer beside the original; edits the method and a header;
// a bad URL is named at its field; the client-certificate variant reaches the origin
// without the certificate; a WebSocket's messages are listed under its upgrade request.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls, { type TLSSocket } from 'node:tls';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { ControlApi } from '../../proxy/api/index.js';
import { Engine } from '../../proxy/engine.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { testPki } from '../helpers/pki.js';
import { startUi } from './ui-harness.js';

const run = promisify(execFile);
const SHOTS = process.env['PINPROBE_SHOTS_DIR'] ?? mkdtempSync(join(tmpdir(), 'pinprobe-resend-shots-'));

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; clientCn: string | null }

let engine: Engine;
let api: ControlApi;
let browser: TestBrowser;
let origin: https.Server;
let dataDir: string;
const seen: Seen[] = [];

function tunnelTls(proxyPort: number, host: string, ca: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: `${host}:443` });
    req.on('connect', (_res, socket) => {
      const t = tls.connect({ socket, servername: host, ca, ALPNProtocols: ['http/1.1'] });
      t.once('secureConnect', () => resolve(t));
      t.once('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const pki = testPki();
  origin = https.createServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.clientCaCert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    req.resume();
    req.on('end', () => {
      const socket = req.socket as TLSSocket;
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, clientCn: socket.authorized ? String(socket.getPeerCertificate().subject.CN) : null });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ answer: seen.length, method: req.method, cert: socket.authorized }));
    });
  });
  const wss = new WebSocketServer({ server: origin });
  wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`echo: ${d.toString()}`)));
  await new Promise<void>((ok) => origin.listen(0, '127.0.0.1', ok));
  dataDir = mkdtempSync(join(tmpdir(), 'pinprobe-e2e-resend-'));
  engine = await Engine.create({
    port: 0, listen: '127.0.0.1', dataDir, version: '0.1.0-test',
    settings: {
      upstreamCa: [pki.caCertPath], scenario: 'trusted',
      mapRemote: [{ from: 'api.app.test', to: `127.0.0.1:${(origin.address() as AddressInfo).port}` }],
      clientCerts: [{ host: 'api.app.test', cert: pki.clientCertPath, key: pki.clientKeyPath }],
    },
  });
  await engine.start();
  api = await startUi(engine);
  engine.ownPorts.add(api.port);
  browser = await launchBrowser({ width: 1440, height: 900 });
  const proxy = `http://127.0.0.1:${engine.status().port}`;
  await run('curl', ['-sS', '--max-time', '10', '-x', proxy, '--cacert', engine.status().caCertPath, '-H', 'Authorization: Bearer tok-0123456789abcdef',
    '-H', 'Content-Type: application/json', '--data', '{"item":42}', 'https://api.app.test/v1/orders']);
  const socket = await tunnelTls(engine.status().port, 'api.app.test', readFileSync(engine.status().caCertPath, 'utf8'));
  const ws = new WebSocket('wss://api.app.test/live', { createConnection: () => socket });
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ws.send('hello from the app'));
    ws.once('message', () => {
      ws.close(1000, 'done');
      ok();
    });
    ws.once('error', fail);
  });
  await new Promise((ok) => ws.once('close', ok));
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await engine?.close();
  origin?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('Resend from the Traffic detail', () => {
  it('Resend sends it again through Pinprobe and shows the answer beside the original', async () => {
    const page = await browser.context.newPage();
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Traffic' }).click();
    await page.getByRole('option').filter({ hasText: 'api.app.test/v1/orders' }).first().click();
    const count = seen.length;
    await page.getByRole('button', { name: 'Resend', exact: true }).click();
    const result = page.getByRole('region', { name: 'Resend result' });
    await result.waitFor();
    await expect(result.getByRole('region', { name: 'Original response' }).getByText('200 OK').isVisible()).resolves.toBe(true);
    const resent = result.getByRole('region', { name: 'Resend → response' });
    await resent.getByText('200 OK').waitFor();
    await expect(resent.getByText('client certificate CN=test-device-001').isVisible()).resolves.toBe(true);
    await expect(resent.getByText(`"answer": ${count + 1}`).isVisible()).resolves.toBe(true);
    expect(seen.length).toBe(count + 1);
    expect(seen[count]).toMatchObject({ method: 'POST', url: '/v1/orders', clientCn: 'test-device-001' });
    expect(seen[count]!.headers['authorization']).toBe('Bearer tok-0123456789abcdef');
    // The resent request is its own Traffic row, marked resent.
    await page.getByRole('option').filter({ hasText: 'resent' }).first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'resend-1440.png'), fullPage: true });
    await page.close();
  });

  it('Edit and resend: method and a header changed, a bad URL named at its field', async () => {
    const page = await browser.context.newPage();
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Traffic' }).click();
    await page.getByRole('option').filter({ hasText: 'api.app.test/v1/orders' }).first().click();
    await page.getByRole('button', { name: 'Edit and resend' }).click();
    const form = page.getByRole('form', { name: 'Edit request' });
    await form.getByLabel('URL', { exact: true }).fill('ftp://api.app.test/v1/orders');
    const count = seen.length;
    await form.getByRole('button', { name: 'Send' }).click();
    await form.getByRole('alert').filter({ hasText: 'ftp: is not supported' }).waitFor();
    await expect(form.getByLabel('URL', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    expect(seen.length).toBe(count);
    await form.getByLabel('URL', { exact: true }).fill('https://api.app.test/v1/orders/7');
    await form.getByLabel('Method', { exact: true }).fill('PATCH');
    const headers = form.getByLabel(/Headers/);
    await headers.fill(`${await headers.inputValue()}\nX-Tester: edited`);
    await form.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('region', { name: 'Edited → response' }).getByText('200 OK').waitFor();
    expect(seen[count]).toMatchObject({ method: 'PATCH', url: '/v1/orders/7' });
    expect(seen[count]!.headers['x-tester']).toBe('edited');
    await page.screenshot({ path: join(SHOTS, 'resend-edit-1440.png'), fullPage: true });
    await page.close();
  });

  it('variants: without credentials and without the client certificate reach the origin that way (390 px)', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Traffic' }).click();
    await page.getByRole('option').filter({ hasText: 'api.app.test/v1/orders' }).first().click();
    let count = seen.length;
    await page.getByRole('button', { name: 'Resend without client certificate' }).click();
    await page.getByRole('region', { name: 'Resend without client certificate → response' }).getByText('no client certificate').waitFor();
    expect(seen[count]).toMatchObject({ method: 'POST', clientCn: null });
    count = seen.length;
    await page.getByRole('button', { name: 'Resend without credentials' }).click();
    await page.getByRole('region', { name: 'Resend without credentials → response' }).getByText('without authorization').waitFor();
    expect(seen[count]!.headers['authorization']).toBeUndefined();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'resend-390.png'), fullPage: true });
    await page.close();
  });
});

describe('WebSocket messages in Traffic', () => {
  it('lists the messages each way under the upgrade request, with the payload on click', async () => {
    const page = await browser.context.newPage();
    await page.goto(api.url);
    await page.getByRole('tab', { name: 'Traffic' }).click();
    const row = page.getByRole('option').filter({ hasText: 'api.app.test/live' });
    await row.getByText(/101 · \d+ msg/).waitFor();
    await row.click();
    const list = page.getByRole('region', { name: 'WebSocket messages' });
    await list.waitFor();
    await expect(list.getByText('hello from the app', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(list.getByText('echo: hello from the app').first().isVisible()).resolves.toBe(true);
    await expect(list.getByText(/sent by the app ↑/).textContent()).resolves.toMatch(/4 messages · 2 sent by the app ↑ · 2 received ↓ · closed/);
    await list.getByRole('button').filter({ hasText: 'close' }).first().click();
    await expect(list.getByText('1000 done').first().isVisible()).resolves.toBe(true);
    // No resend for an upgrade: a WebSocket is not a request to send again.
    await expect(page.getByRole('button', { name: 'Resend', exact: true }).count()).resolves.toBe(0);
    await page.screenshot({ path: join(SHOTS, 'websocket-1440.png'), fullPage: true });
    await page.close();
  });
});
