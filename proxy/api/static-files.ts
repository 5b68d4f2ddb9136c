// Serves the built renderer (index.html + hashed assets). These files are public by
// design: they never contain the token, which the page reads from its own URL fragment.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { sendError } from './http-util.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Pinprobe</title>
<p>The Pinprobe UI has not been built. Run <code>npm run build:ui</code> and reload.</p>`;

/** Resolves a URL path inside uiDir, refusing anything that would escape it. */
function fileFor(uiDir: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const root = resolve(uiDir);
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = resolve(root, rel);
  if (full !== root && !full.startsWith(root + sep)) return null;
  return full;
}

export async function serveStatic(req: IncomingMessage, res: ServerResponse, uiDir: string, pathname: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, 405, `${req.method ?? '?'} is not allowed on ${pathname}`);
    return;
  }
  const file = fileFor(uiDir, pathname);
  if (file === null) {
    sendError(res, 404, `no such file: ${pathname}`);
    return;
  }
  const info = await stat(file).catch(() => null);
  if (info === null || !info.isFile()) {
    if (pathname === '/' || pathname === '/index.html') {
      res.statusCode = 503;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(NOT_BUILT);
      return;
    }
    sendError(res, 404, `no such file: ${pathname}`);
    return;
  }
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.statusCode = 200;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', info.size);
  // Hashed assets never change; the shell must be re-read so a rebuilt UI is picked up.
  res.setHeader('Cache-Control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
