// Host and Origin checks shared by HTTP requests and WebSocket upgrades. They stop DNS
// rebinding (a foreign name resolving to 127.0.0.1 carries a foreign Host) and cross-site
// requests from pages the tester happens to have open (foreign Origin / Sec-Fetch-Site).
import type { IncomingMessage } from 'node:http';

export interface GuardFailure {
  status: number;
  error: string;
}

/** The only authorities the API answers to. */
export function ownHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function ownOrigins(port: number): string[] {
  return ownHosts(port).map((h) => `http://${h}`);
}

export function checkHost(req: IncomingMessage, port: number): GuardFailure | null {
  const host = (req.headers.host ?? '').toLowerCase();
  if (ownHosts(port).includes(host)) return null;
  return { status: 421, error: `Host "${host || '(none)'}" is not this UI; open http://127.0.0.1:${port}/ instead` };
}

/**
 * A request without Origin comes from a non-browser client or a top-level navigation
 * (download links); those still need the token, so they are let through here.
 */
export function checkOrigin(req: IncomingMessage, port: number): GuardFailure | null {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    return { status: 403, error: `cross-site request refused (Sec-Fetch-Site: ${site})` };
  }
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  if (ownOrigins(port).includes(origin.toLowerCase())) return null;
  return { status: 403, error: `Origin "${origin}" is not this UI; the control API only answers its own page` };
}
