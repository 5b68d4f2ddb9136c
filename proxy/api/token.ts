// The per-run secret that every data channel of the control API requires. It is only ever
// handed to the UI through the URL fragment (or the Electron preload), never logged.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** 256 random bits, URL-safe so it can travel in a fragment or a query parameter. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Constant-time comparison. Both sides are hashed first so inputs of different lengths
 * still take the same path and the length of the secret is not revealed.
 */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/**
 * The token a request carries: `Authorization: Bearer`, or — for channels a browser
 * cannot add headers to (WebSocket, EventSource, download links) — a `token` query value.
 * Query tokens are accepted for GET/HEAD only, so state-changing calls always need the
 * header, which a foreign page cannot set without a CORS preflight we never answer.
 */
export function requestToken(req: IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1] ?? null;
  }
  if (req.method === 'GET' || req.method === 'HEAD') return url.searchParams.get('token');
  return null;
}
