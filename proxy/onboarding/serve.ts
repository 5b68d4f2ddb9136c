// The phone-facing onboarding page, served by the proxy listener itself (never
// forwarded): for a request sent straight to the proxy port (`GET /`, origin-form), and
// for a proxied request to the reserved name `pinprobe.invalid`. It offers the CA file
// that suits the phone's platform; the same function serves those files under /ca/.
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CaFormat } from '../ca/export.js';
import { onboardingPage, type CaLinks, type Platform } from './page.js';
import { isOnboardingHost, ONBOARDING_HOST } from './host.js';
import { hostPort } from '../net/authority.js';

export { isOnboardingHost, ONBOARDING_HOST };

/**
 * What the page needs of the engine (the engine and the control API's EngineControl both
 * fit): its own folder, so the engine serves it without importing the control API.
 */
export interface OnboardingSource {
  status(): { caSubject: string; lanAddresses: readonly string[]; port: number };
  exportCa(format: CaFormat): { data: Buffer; fileName: string };
}

export interface OnboardingContext {
  engine: OnboardingSource;
}

type RequestHead = Pick<IncomingMessage, 'url' | 'headers'>;

/**
 * True when the proxy listener should answer this request with the onboarding page
 * instead of forwarding it: an origin-form target (`/…`, so the client talked to the
 * proxy as a web server), or an absolute-form URL / Host naming `pinprobe.invalid`.
 */
export function isOnboardingRequest(req: RequestHead): boolean {
  const target = req.url ?? '';
  if (target.startsWith('/')) return true;
  try {
    const url = new URL(target);
    if (isOnboardingHost(url.host)) return true;
  } catch {
    // Not absolute-form either: let the proxy answer it as malformed.
  }
  const host = req.headers.host;
  return typeof host === 'string' && isOnboardingHost(host);
}

/** Paths (under /ca/) of each CA export; the Android one is named after the subject hash. */
export function caLinks(engine: OnboardingSource): CaLinks {
  return {
    pem: '/ca/pinprobe-ca.pem',
    der: '/ca/pinprobe-ca.cer',
    android: `/ca/${engine.exportCa('android').fileName}`,
    ios: '/ca/pinprobe.mobileconfig',
  };
}

export function detectPlatform(userAgent: string | undefined): Platform {
  const ua = userAgent ?? '';
  if (/Android/i.test(ua)) return 'android';
  if (/iPhone|iPad|iPod/i.test(ua)) return 'ios';
  return 'other';
}

/** Answers the onboarding page or one of its CA files. Never throws. */
export function serveOnboarding(req: IncomingMessage, res: ServerResponse, ctx: OnboardingContext): void {
  try {
    answer(req, res, ctx.engine);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    }
    res.end(`Pinprobe could not answer this page: ${message}\n`);
  }
}

const CA_TYPES: Record<CaFormat, string> = {
  pem: 'application/x-pem-file',
  der: 'application/x-x509-ca-cert',
  android: 'application/octet-stream',
  // Safari only offers to install a profile served with this type.
  ios: 'application/x-apple-aspen-config',
};

function answer(req: IncomingMessage, res: ServerResponse, engine: OnboardingSource): void {
  const path = pathOf(req.url ?? '/');
  const links = caLinks(engine);
  const head = req.method === 'HEAD';
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (req.method !== 'GET' && !head) {
    plain(res, 405, `The Pinprobe setup page only answers GET; ${req.method ?? '?'} is not forwarded.\n`);
    return;
  }
  const format = (Object.keys(links) as CaFormat[]).find((f) => links[f] === path);
  if (format) {
    const { data } = engine.exportCa(format);
    const name = path.slice('/ca/'.length);
    res.statusCode = 200;
    res.setHeader('Content-Type', CA_TYPES[format]);
    res.setHeader('Content-Length', data.length);
    res.setHeader('Content-Disposition', `${format === 'ios' ? 'inline' : 'attachment'}; filename="${name}"`);
    res.end(head ? undefined : data);
    return;
  }
  if (path !== '/' && path !== '/index.html') {
    plain(res, 404, `Nothing at ${path} here. Open / for the Pinprobe setup page.\n`);
    return;
  }
  const status = engine.status();
  const html = onboardingPage({
    platform: detectPlatform(req.headers['user-agent']),
    links,
    caSubject: status.caSubject,
    fingerprint: caFingerprint(engine),
    proxy: proxyAddressFor(req, status.lanAddresses, status.port),
  });
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  // The page has no scripts at all; only its own inline stylesheet may apply.
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
  res.setHeader('Content-Length', Buffer.byteLength(html));
  res.end(head ? undefined : html);
}

function pathOf(target: string): string {
  try {
    return new URL(target, 'http://x').pathname;
  } catch {
    return '/';
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(text);
}

function caFingerprint(engine: OnboardingSource): string | null {
  try {
    return new X509Certificate(engine.exportCa('der').data).fingerprint256;
  } catch {
    return null;
  }
}

/**
 * The HOST:PORT to type into the phone's proxy settings. When the phone reached us
 * directly, the Host it used is an address that works from that phone.
 */
function proxyAddressFor(req: IncomingMessage, lan: readonly string[], port: number): string {
  const host = req.headers.host ?? '';
  if ((req.url ?? '').startsWith('/') && host !== '' && !isOnboardingHost(host)) {
    return /:\d+$/.test(host) ? host : `${host}:${port}`;
  }
  const first = lan.find((a) => !a.includes(':')) ?? lan[0];
  if (!first) return `<this computer's address>:${port}`;
  return hostPort(first, port);
}
