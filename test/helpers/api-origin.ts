// A small API origin for the backend-check tests, on loopback: HTTPS (the test PKI's
// server certificate, valid for localhost and 127.0.0.1) with endpoints that need a bearer
// token, a cookie, an access_token parameter, one that answers to anyone, one that
// rate-limits (429 after `limit` requests, for Host 127.0.0.1), and a plain-HTTP login.
// It counts what it was sent, so tests can tell what check-auth did and did not send.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { testPki } from './pki.js';

export const TOKEN = jwt({ alg: 'HS256', typ: 'JWT' }, { sub: 'user-1', iat: 1_700_000_000, exp: 1_700_000_000 + 48 * 3600 });
export const NONE_TOKEN = jwt({ alg: 'none' }, { sub: 'user-1' });
export const SESSION_COOKIE = 'session=s3cr3t-session-value-1234';
export const GOOGLE_KEY = `AIza${'Sy'}${'A'.repeat(33)}`;

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
export function jwt(header: object, claims: object): string {
  return `${b64(header)}.${b64(claims)}.${header && (header as { alg?: string }).alg === 'none' ? '' : 'c2lnbmF0dXJl'}`;
}

export interface Seen {
  method: string;
  url: string;
  host: string;
  auth: boolean;
  at: number;
}

export interface ApiOrigin {
  port: number;
  httpPort: number;
  seen: Seen[];
  reset(): void;
  close(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

export async function startApiOrigin(limit = 5): Promise<ApiOrigin> {
  const seen: Seen[] = [];
  let limitedCount = 0;
  const handler: http.RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    const bearer = req.headers.authorization === `Bearer ${TOKEN}`;
    const cookie = (req.headers.cookie ?? '').includes(SESSION_COOKIE);
    const host = (req.headers.host ?? '').split(':')[0] ?? '';
    seen.push({ method: req.method ?? '', url: req.url ?? '', host, auth: bearer || cookie || url.searchParams.has('access_token'), at: Date.now() });
    req.resume();
    if (host === '127.0.0.1') {
      limitedCount += 1;
      return limitedCount > limit ? json(res, 429, { error: 'slow down' }) : json(res, 200, { ok: true, n: limitedCount });
    }
    switch (url.pathname) {
      case '/v1/me':
        return bearer ? json(res, 200, { id: 'user-1', name: 'Ada', email: 'ada@example.com' }) : json(res, 401, { error: 'token required' });
      case '/v1/cart':
        if (cookie) return json(res, 200, { items: [1, 2], total: 42 });
        res.writeHead(302, { location: '/login?next=/v1/cart' });
        return res.end();
      case '/v1/feed':
        return url.searchParams.get('access_token') === NONE_TOKEN ? json(res, 200, { posts: ['a', 'b'] }) : json(res, 403, { error: 'forbidden' });
      case '/v1/catalog':
        // Answers whatever the caller sends: the open endpoint check-auth must find.
        return json(res, 200, { products: ['p1', 'p2', 'p3'], page: url.searchParams.get('page') });
      case '/v1/orders':
        return bearer ? json(res, 201, { order: 'o-1' }) : json(res, 401, { error: 'token required' });
      default:
        return json(res, 404, { error: 'no such endpoint' });
    }
  };
  const pki = testPki();
  const server = https.createServer({ cert: pki.serverCert, key: pki.serverKey }, handler);
  const plain = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', host: 'plain', auth: Boolean(req.headers.authorization), at: Date.now() });
    req.resume();
    req.on('end', () => json(res, 200, { session: 'ok' }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  await new Promise<void>((ok) => plain.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port,
    httpPort: (plain.address() as AddressInfo).port,
    seen,
    reset: () => {
      seen.length = 0;
      limitedCount = 0;
    },
    close: async () => {
      for (const s of [server, plain]) {
        s.closeAllConnections();
        await new Promise<void>((ok) => s.close(() => ok()));
      }
    },
  };
}
