// The phone-facing onboarding page the proxy listener serves, over real HTTP: platform
// detection by User-Agent, the right CA file per platform, and the files themselves.
// Which requests are onboarding ones: test/unit/onboarding-request.test.ts.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOnboardingRequest, serveOnboarding } from '../../../proxy/api/index.js';
import { FakeEngine } from '../../helpers/fake-engine.js';
import { testPki } from '../../helpers/pki.js';

const ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

let server: Server;
let port: number;

/** Stands in for the engine's proxy listener: onboarding requests are answered, nothing is forwarded. */
beforeAll(async () => {
  const engine = new FakeEngine({ caPem: testPki().caCert });
  server = createServer((req, res) => {
    if (isOnboardingRequest(req)) serveOnboarding(req, res, { engine });
    else {
      res.statusCode = 599;
      res.end('would forward');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function get(path: string, headers: Record<string, string>): Promise<{ status: number; type: string; disposition: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), disposition: String(res.headers['content-disposition']), body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('onboarding page', () => {
  it('offers Android the .cer first, with the system-store and adb steps', async () => {
    const page = await get('/', { host: `192.168.1.23:${port}`, 'user-agent': ANDROID });
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/text\/html/);
    const html = page.body.toString();
    const main = html.slice(0, html.indexOf('<details>'));
    expect(main).toContain('href="/ca/pinprobe-ca.cer"');
    expect(main).toContain('href="/ca/c8750f0d.0"');
    expect(main).toContain('/apex/com.android.conscrypt/cacerts');
    expect(main).toContain(`adb shell settings put global http_proxy <span class="addr">192.168.1.23:${port}</span>`);
    expect(main).not.toContain('mobileconfig');
    expect(html).not.toMatch(/<script/i);
  });

  it('offers an iPhone the configuration profile first, with the full-trust step', async () => {
    const page = await get('http://pinprobe.invalid/', { host: 'pinprobe.invalid', 'user-agent': IPHONE });
    const html = page.body.toString();
    const main = html.slice(0, html.indexOf('<details>'));
    expect(main).toContain('href="/ca/pinprobe.mobileconfig"');
    expect(main).toContain('Certificate Trust Settings');
    expect(main).toContain('VPN &amp; Device Management');
    expect(main).toContain('192.168.1.23:8080');
    expect(main).not.toContain('pinprobe-ca.cer');
  });

  it('offers PEM to other devices and shows the CA fingerprint', async () => {
    const html = (await get('/', { host: `127.0.0.1:${port}`, 'user-agent': 'curl/8' })).body.toString();
    expect(html.slice(0, html.indexOf('<details>'))).toContain('href="/ca/pinprobe-ca.pem"');
    expect(html).toMatch(/SHA-256: <code class="fp">([0-9A-F]{2}:){31}[0-9A-F]{2}<\/code>/);
  });

  it('serves the CA files with types a phone acts on', async () => {
    const h = { host: `127.0.0.1:${port}` };
    const ios = await get('/ca/pinprobe.mobileconfig', h);
    expect(ios.type).toBe('application/x-apple-aspen-config');
    const der = await get('/ca/pinprobe-ca.cer', h);
    expect(der.type).toBe('application/x-x509-ca-cert');
    expect(der.disposition).toContain('pinprobe-ca.cer');
    expect(der.body[0]).toBe(0x30);
    expect((await get('/ca/pinprobe-ca.pem', h)).body.toString()).toContain('BEGIN CERTIFICATE');
    expect((await get('/ca/c8750f0d.0', h)).status).toBe(200);
    expect((await get('/ca/other.pem', h)).status).toBe(404);
  });

  it('escapes a hostile Host header', async () => {
    const html = (await get('/', { host: '<script>x</script>:1' })).body.toString();
    expect(html).not.toContain('<script>');
  });
});
