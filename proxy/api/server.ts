// startControlApi: the loopback HTTP + WebSocket server the UI talks to. Order of checks
// for every data request: Host (DNS rebinding) -> Origin (cross-site) -> token.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EngineControl } from './engine-port.js';
import { HttpError, baseHeaders, errorMessage, sendError } from './http-util.js';
import { LiveSocket } from './live-socket.js';
import { checkHost, checkOrigin } from './request-guard.js';
import { findRoute, type RouteContext } from './routes.js';
import { BackendChecks } from './backend-check.js';
import { FileWrites } from './file-writes.js';
import { Resender } from './resend.js';
import { SessionView } from './session-view.js';
import { shellHeaders } from './shell-headers.js';
import { serveStatic } from './static-files.js';
import type { SettingSources } from './saved-settings.js';
import { createToken, requestToken, tokenMatches } from './token.js';

export interface ControlApiOptions {
  engine: EngineControl;
  /** 0 (default) = any free port */
  port?: number;
  /** The built renderer (renderer/dist). */
  uiDir: string;
  version: string;
  /** Use this token instead of a random one (e.g. handed over by a parent process). */
  token?: string;
  /** Where each setting came from; UI changes are saved to its file (`pinprobe ui`, the desktop app). */
  settingSources?: SettingSources;
}

export interface ControlApi {
  /** http://127.0.0.1:PORT/#token=... — the fragment never reaches a server or a log. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
  /** Exports and save-as copies still being written (close() does not wait for them). */
  fileWrites: FileWrites;
}

export async function startControlApi(opts: ControlApiOptions): Promise<ControlApi> {
  const token = opts.token ?? createToken();
  if (token.length < 22) throw new Error('control API token must carry at least 128 bits');
  const view = new SessionView(opts.engine);
  const fileWrites = new FileWrites();
  const ctx: RouteContext = { engine: opts.engine, view, version: opts.version, settingSources: opts.settingSources, checks: new BackendChecks(opts.engine, view), resender: new Resender(opts.engine, view), fileWrites };
  let port = 0;
  const live = new LiveSocket({ view, token, port: () => port });

  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) sendError(res, err.status, err.message, err.field);
      else sendError(res, 500, `internal error: ${errorMessage(err)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    baseHeaders(res);
    const hostFailure = checkHost(req, port);
    if (hostFailure) return sendError(res, hostFailure.status, hostFailure.error);
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (!url.pathname.startsWith('/api/')) {
      shellHeaders(res, port);
      return serveStatic(req, res, opts.uiDir, url.pathname);
    }
    const originFailure = checkOrigin(req, port);
    if (originFailure) return sendError(res, originFailure.status, originFailure.error);
    if (!tokenMatches(token, requestToken(req, url))) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return sendError(res, 401, 'missing or wrong token; open the URL Pinprobe printed (it carries #token=...)');
    }
    const route = findRoute(req.method ?? 'GET', url.pathname);
    if (typeof route !== 'function') return sendError(res, route.status, route.error);
    await route(ctx, req, res, url);
  }

  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    live.handleUpgrade(req, socket, head);
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: unknown) => {
    live.close();
    view.close();
    throw new Error(`control API cannot listen on 127.0.0.1:${opts.port ?? 0}: ${errorMessage(err)}`);
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    close: async () => {
      live.close();
      view.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    fileWrites,
  };
}
