// mTLS `unknown` says why, in every report and in the UI: curl (OpenSSL) trusts Pinprobe's
// CA and asks two hosts whose backends Pinprobe cannot use — one port where nothing
// listens, one whose certificate Pinprobe does not trust — and a third that answers. The
// text report's "mTLS notes", the HTML host section, the JUnit skip and the UI's host view
// name the cause and what would settle it (judge/mtls-words.ts), for those two hosts only.
import { mkdtempSync } from 'node:fs';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../proxy/api/index.js';
import type { UpstreamEvent } from '../../proxy/session/events.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { startEngine, type TestEngine } from '../helpers/engine.js';
import { testPki } from '../helpers/pki.js';
import { curl, pinprobe } from '../helpers/run.js';
import { freePort } from '../helpers/tls-servers.js';
import { startUi } from './ui-harness.js';

const SHOTS = process.env['PINPROBE_SHOTS_DIR'] ?? mkdtempSync(join(tmpdir(), 'pinprobe-mtls-shots-'));
let proxy: TestEngine;
let api: ControlApi;
let browser: TestBrowser;
let file: string;
let untrusted: https.Server;
let answering: https.Server;
let halfMtls: https.Server;
let nobodyPort: number;

beforeAll(async () => {
  const pki = testPki();
  // Signed by the client-certificate CA, which Pinprobe is not told to trust upstream.
  untrusted = https.createServer({ cert: pki.clientCert, key: pki.clientKey }, (_q, s) => s.end('hi\n'));
  answering = https.createServer({ cert: pki.serverCert, key: pki.serverKey }, (_q, s) => s.end('hi\n'));
  // Serves a client certificate from the client CA; without one it answers bytes that are not HTTP.
  halfMtls = https.createServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.clientCaCert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    if ((req.socket as TLSSocket).authorized) return void res.end('hi\n');
    req.socket.end('NOT HTTP AT ALL\r\n\r\n');
  });
  await new Promise<void>((ok) => untrusted.listen(0, '127.0.0.1', ok));
  await new Promise<void>((ok) => answering.listen(0, '127.0.0.1', ok));
  await new Promise<void>((ok) => halfMtls.listen(0, '127.0.0.1', ok));
  nobodyPort = await freePort();
  proxy = await startEngine({
    mapRemote: [
      { from: 'gone.app.test', to: `127.0.0.1:${nobodyPort}` },
      { from: 'odd-cert.app.test', to: `127.0.0.1:${(untrusted.address() as AddressInfo).port}` },
      { from: 'fine.app.test', to: `127.0.0.1:${(answering.address() as AddressInfo).port}` },
      { from: 'half.app.test', to: `127.0.0.1:${(halfMtls.address() as AddressInfo).port}` },
    ],
    clientCerts: [{ host: 'half.app.test', cert: pki.clientCertPath, key: pki.clientKeyPath }],
  });
  const ask = async (host: string) => (await curl(proxy.proxyUrl, `https://${host}/`, ['--cacert', proxy.caPath, '-o', '/dev/null', '-w', '%{http_code}'])).stdout;
  // curl took Pinprobe's certificate each time: the 502s are Pinprobe's answer for a backend it could not use.
  expect(await ask('gone.app.test')).toBe('502');
  expect(await ask('odd-cert.app.test')).toBe('502');
  expect(await ask('fine.app.test')).toBe('200');
  // Pinprobe presents the configured certificate: the app is served; its own probe without one is not.
  expect(await ask('half.app.test')).toBe('200');
  await proxy.waitFor((l) => l.type === 'upstream' && l.host === 'fine.app.test');
  await proxy.waitFor((l) => l.type === 'upstream' && l.host === 'half.app.test' && l.probe);
  const upstream = proxy.engine.lines().filter((l): l is UpstreamEvent => l.type === 'upstream');
  expect(upstream.find((u) => u.host === 'gone.app.test')).toMatchObject({ outcome: 'error', stage: 'connect', error: 'ECONNREFUSED' });
  expect(upstream.find((u) => u.host === 'odd-cert.app.test')).toMatchObject({ outcome: 'error', stage: 'handshake' });
  // status() writes the lines still batched: the reports read the session file as it is now.
  file = proxy.engine.status().sessionFile;
  api = await startUi(proxy.engine);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await proxy?.close();
  untrusted?.close();
  answering?.close();
  halfMtls?.close();
});

describe('why mTLS is unknown', () => {
  it('text: an "mTLS notes" line per host that could not be asked, with the cause and what to do', async () => {
    const r = await pinprobe(['report', file]);
    expect(r.code).toBe(0);
    const notes = r.stdout.slice(r.stdout.indexOf('mTLS notes:'));
    expect(notes).toMatch(/^ {2}gone\.app\.test:443: unknown \(error:ECONNREFUSED\) — Pinprobe could not reach the backend: the connection to gone\.app\.test:443 \(or to where a --map-remote rule sends it\) was refused: nothing listens there/m);
    expect(notes).toContain('pinprobe probe-mtls https://gone.app.test/');
    expect(notes).toMatch(/^ {2}odd-cert\.app\.test:443: unknown \(error:[A-Z_]+\) — Pinprobe does not trust the certificate of odd-cert\.app\.test:443 \([A-Z_]+\), so it asked nothing: pass the backend's CA with --upstream-ca FILE \(or --upstream-insecure\)$/m);
    // The configured certificate was served; the failure was Pinprobe's own probe: no 502 is claimed for the app.
    const half = /^ {2}half\.app\.test:443: unknown \(error:[A-Za-z_]+\) — (.*)$/m.exec(notes)?.[1] ?? '';
    expect(half).toMatch(/^half\.app\.test:443 was reached, but its answer to Pinprobe's own attempt without a client certificate \(a probe beside the app's requests, which carried the configured one and were served\) was not HTTP/);
    expect(half).not.toContain('502');
    // The host that answered has a verdict of its own, not a note.
    expect(notes).not.toContain('fine.app.test:443: unknown');
    expect(r.stdout).toMatch(/^fine\.app\.test:443 \(mapped to 127\.0\.0\.1:\d+\) +Not pinned .* Not enforced/m);
  });

  it('html: the host section says it in "Not tested", escaped', async () => {
    const r = await pinprobe(['report', file, '--format', 'html']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<li><b>mTLS</b>: unknown — Pinprobe could not reach the backend: the connection to gone.app.test:443 (or to where a --map-remote rule sends it) was refused');
    expect(r.stdout).toMatch(/<li><b>mTLS<\/b>: unknown — Pinprobe does not trust the certificate of odd-cert\.app\.test:443 \([A-Z_]+\), so it asked nothing: pass the backend&#39;s CA with --upstream-ca FILE \(or --upstream-insecure\)<\/li>/);
    expect(r.stdout).not.toContain('no upstream attempt without a client certificate was made');
  });

  it('junit: the skipped mTLS case carries the same cause', async () => {
    const r = await pinprobe(['report', file, '--format', 'junit']);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(r.stdout) as { testsuites: { testsuite: Array<{ '@_name': string; testcase: Array<{ '@_name': string; skipped?: { '@_message': string } }> }> } };
    const suite = (host: string) => xml.testsuites.testsuite.find((s) => s['@_name'].includes(host))!;
    const mtlsCase = (host: string) => suite(host).testcase.find((c) => /mtls/i.test(c['@_name']))!;
    expect(mtlsCase('gone.app.test').skipped?.['@_message']).toMatch(/^unknown: Pinprobe could not reach the backend: the connection to gone\.app\.test:443 \(or to where a --map-remote rule sends it\) was refused/);
    expect(mtlsCase('fine.app.test').skipped).toBeUndefined();
  });

  it('the UI: the host view says why and what to do', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(api.url);
    const board = page.getByRole('listbox', { name: 'Hosts, most severe first' });
    const row = board.getByRole('option').filter({ hasText: 'gone.app.test' });
    await row.waitFor();
    await row.click();
    const detail = page.getByRole('article');
    await detail.getByRole('heading', { name: 'gone.app.test' }).waitFor();
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain('mTLS is unknown: Pinprobe could not reach the backend: the connection to gone.app.test (or to where a --map-remote rule sends it) was refused');
    expect(text).toContain('pinprobe probe-mtls https://gone.app.test/');
    expect(text).not.toContain('no upstream attempt without a client certificate reached the backend yet');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SHOTS, 'host-unreachable.png') });

    // The host that answered: no such step.
    await board.getByRole('option').filter({ hasText: 'fine.app.test' }).click();
    await detail.getByRole('heading', { name: 'fine.app.test' }).waitFor();
    expect((await detail.textContent()) ?? '').not.toContain('mTLS is unknown');
    await page.close();
  });
});
