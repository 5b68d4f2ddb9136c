// Real TLS stacks as clients through the proxy: JDK HttpsURLConnection (single-file source,
// no jars), wget (GnuTLS) and Debian's Chromium (BoringSSL — the closest stack here to
// Android's Conscrypt and Cronet) trusting the CA through an NSS db in a temp HOME, with a
// PAC file that sends only the test hosts to Pinprobe.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run, type RunResult } from './run.js';
import { CHROMIUM_PATH } from './browser.js';

export function javaFetch(proxyPort: number, url: string, extra: string[] = []): Promise<RunResult> {
  return run('java', [
    `-Dhttps.proxyHost=127.0.0.1`, `-Dhttps.proxyPort=${proxyPort}`, ...extra,
    join(ROOT, 'test', 'fixtures', 'java', 'Fetch.java'), url,
  ], { timeoutMs: 60_000 });
}

/** wget through the proxy from `bind` (a loopback address); `ca`: trust that CA file. */
export function wget(proxyPort: number, url: string, opts: { ca?: string; bind?: string } = {}): Promise<RunResult> {
  return run('wget', [
    '-q', '-O', '-', '--tries=1', '--timeout=10', '-e', 'use_proxy=yes', '-e', `https_proxy=http://127.0.0.1:${proxyPort}`,
    ...(opts.bind ? [`--bind-address=${opts.bind}`] : []),
    ...(opts.ca ? [`--ca-certificate=${opts.ca}`] : []),
    url,
  ]);
}

export interface ChromiumProfile {
  home: string;
  close(): void;
}

/** A temp HOME whose NSS db trusts `caPath` (made by certutil from libnss3-tools), or trusts nothing. */
export async function chromiumProfile(caPath: string | null): Promise<ChromiumProfile> {
  const home = mkdtempSync(join(tmpdir(), 'pinprobe-chromium-'));
  const db = `sql:${join(home, '.pki', 'nssdb')}`;
  await run('mkdir', ['-p', join(home, '.pki', 'nssdb')]);
  const created = await run('certutil', ['-d', db, '-N', '--empty-password']);
  if (created.code !== 0) throw new Error(`certutil -N failed: ${created.stderr}`);
  if (caPath) {
    const added = await run('certutil', ['-d', db, '-A', '-t', 'C,,', '-n', 'Pinprobe test CA', '-i', caPath]);
    if (added.code !== 0) throw new Error(`certutil -A failed: ${added.stderr}`);
  }
  return { home, close: () => rmSync(home, { recursive: true, force: true }) };
}

/** Headless Chromium loading `url` with only `*.app.test` sent to the proxy. */
export function chromium(profile: ChromiumProfile, proxyPort: number, url: string): Promise<RunResult> {
  const pac = `function FindProxyForURL(url, host) { return dnsDomainIs(host, ".app.test") ? "PROXY 127.0.0.1:${proxyPort}" : "DIRECT"; }`;
  // Chromium reads a PAC from a data: URL (a file:// PAC is ignored in headless mode).
  const pacUrl = `data:application/x-ns-proxy-autoconfig;base64,${Buffer.from(pac).toString('base64')}`;
  return run(CHROMIUM_PATH, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
    '--no-first-run', '--disable-extensions', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${join(profile.home, 'profile')}`, `--proxy-pac-url=${pacUrl}`,
    '--dump-dom', url,
  ], { env: { ...process.env, HOME: profile.home }, timeoutMs: 60_000 });
}
