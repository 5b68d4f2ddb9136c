// The control API's data endpoints. Every route here runs only after the Host, Origin
// and token checks in server.ts have passed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { listSessions } from './session-list.js';
import { caDownload } from './ca-download.js';
import type { EngineControl, EngineSettings } from './engine-port.js';
import { HttpError, errorMessage, readJsonObject, sendDownload, sendJson } from './http-util.js';
import { onboardingInfo } from './onboarding-info.js';
import { saveSettings, type SettingSources } from './saved-settings.js';
import type { FileWrites } from './file-writes.js';
import { assertReadableFile, copySession, userPath, writeExport } from './session-files.js';
import { SettingError, problemField } from '../setting-error.js';
import { isSettingKey, SETTING_KEYS } from '../settings.js';
import type { EventsResponse, StatusResponse } from './protocol.js';
import type { SessionView } from './session-view.js';
import { parseBackendCheck, type BackendChecks } from './backend-check.js';
import { parseResendBody, type Resender } from './resend.js';

export interface RouteContext {
  engine: EngineControl;
  view: SessionView;
  version: string;
  /** Where each setting came from, and where UI changes are saved (none: they are not saved). */
  settingSources?: SettingSources;
  /** Backend checks on the viewed session (POST /api/backend-check). */
  checks?: BackendChecks;
  /** Resend from Traffic (POST /api/resend). */
  resender?: Resender;
  /** Exports and save-as copies being written (a stop waits for them). */
  fileWrites?: FileWrites;
}

type Handler = (ctx: RouteContext, req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

function tracked<T>(ctx: RouteContext, write: Promise<T>): Promise<T> {
  return ctx.fileWrites ? ctx.fileWrites.track(write) : write;
}

// The accepted keys come from the settings table; re-exported for apply-saved-settings.ts.
export { SETTING_KEYS };

function pickKeys(settings: EngineSettings, keys: string[]): Partial<EngineSettings> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in settings) out[k] = settings[k as keyof EngineSettings];
  return out as Partial<EngineSettings>;
}

function statusBody(ctx: RouteContext): StatusResponse {
  return { version: ctx.version, engine: ctx.engine.status(), view: ctx.view.info() };
}

const routes: Record<string, Handler> = {
  'GET /api/status': async (ctx, _req, res) => sendJson(res, 200, statusBody(ctx)),

  'GET /api/verdicts': async (ctx, _req, res) => sendJson(res, 200, ctx.view.report()),

  'GET /api/events': async (ctx, _req, res, url) => {
    const raw = url.searchParams.get('since') ?? '0';
    const since = Number.parseInt(raw, 10);
    if (!Number.isInteger(since) || since < 0) throw new HttpError(400, `"since" must be a line index ≥ 0 (got "${raw}")`);
    const next = ctx.view.lineCount();
    const body: EventsResponse = { view: ctx.view.info(), from: since, next, lines: [...ctx.view.linesFrom(since, next)] };
    sendJson(res, 200, body);
  },

  // One line in full: the live session keeps only recent headers/bodies in memory and marks
  // older lines `evicted`; the UI fetches those here when the tester opens one.
  'GET /api/line': async (ctx, _req, res, url) => {
    const raw = url.searchParams.get('index') ?? '';
    const index = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(index)) throw new HttpError(400, `"index" must be a line index ≥ 0 (got "${raw}")`);
    const line = await ctx.view.fullLine(index);
    if (line === null) {
      const count = ctx.view.lineCount();
      throw new HttpError(404, index >= count ? `no line ${index}: the session has ${count} line(s)` : `line ${index} could not be read back from ${ctx.view.info().file}`);
    }
    sendJson(res, 200, line);
  },

  'GET /api/settings': async (ctx, _req, res) => sendJson(res, 200, ctx.engine.settings()),

  'PUT /api/settings': async (ctx, req, res) => {
    const body = await readJsonObject(req);
    const unknown = Object.keys(body).filter((k) => !isSettingKey(k));
    if (unknown.length > 0) throw new HttpError(400, `unknown setting(s): ${unknown.join(', ')}`);
    const patch = body as Partial<EngineSettings>;
    try {
      const applied = await ctx.engine.updateSettings(patch);
      const saved = ctx.settingSources;
      if (saved) {
        // Saved only once the engine accepted them, so a bad value never comes back at start.
        saveSettings(saved.file, pickKeys(applied, Object.keys(patch)), SETTING_KEYS);
        for (const k of Object.keys(patch) as Array<keyof EngineSettings>) saved.sources[k] = 'ui';
      }
      sendJson(res, 200, applied);
    } catch (err) {
      // A SettingError says which field it is about; anything else is shown for the section.
      const message = errorMessage(err);
      throw new HttpError(400, message, err instanceof SettingError ? { field: problemField(err.problem), detail: err.problem.message } : undefined);
    }
  },

  'GET /api/sessions': async (ctx, _req, res) => {
    const status = ctx.engine.status();
    // Without a data dir (an embedded engine), the folder of the live session file.
    const dir = status.dataDir ? join(status.dataDir, 'sessions') : dirname(status.sessionFile);
    sendJson(res, 200, { dir, sessions: await listSessions(dir) });
  },

  // Two recorded sessions compared host by host (the same diff as `pinprobe diff A B`).
  'GET /api/diff': async (_ctx, _req, res, url) => {
    const files = (['a', 'b'] as const).map((k) => userPath(url.searchParams.get(k), k));
    for (const f of files) await assertReadableFile(f);
    const { judgeSessionFile } = await import('../report/diff-load.js');
    const { diffReports } = await import('../report/diff.js');
    try {
      const [a, b] = await Promise.all(files.map((f) => judgeSessionFile(f)));
      sendJson(res, 200, { diff: diffReports(a!.report, b!.report), warnings: [...a!.warnings, ...b!.warnings] });
    } catch (err) {
      throw new HttpError(400, errorMessage(err));
    }
  },

  'GET /api/settings/sources': async (ctx, _req, res) => sendJson(res, 200, ctx.settingSources ?? null),

  'POST /api/proxy/start': async (ctx, _req, res) => {
    await engineCall('could not start the proxy', () => ctx.engine.start());
    sendJson(res, 200, statusBody(ctx));
  },

  'POST /api/proxy/stop': async (ctx, _req, res) => {
    await engineCall('could not stop the proxy', () => ctx.engine.stop());
    sendJson(res, 200, statusBody(ctx));
  },

  'POST /api/session/new': async (ctx, _req, res) => {
    const file = await engineCall('could not start a new session', () => ctx.engine.newSession());
    ctx.view.backToLive();
    ctx.view.resync();
    sendJson(res, 200, { file, ...statusBody(ctx) });
  },

  'POST /api/session/open': async (ctx, req, res) => {
    const file = userPath((await readJsonObject(req))['path']);
    await assertReadableFile(file);
    try {
      sendJson(res, 200, await ctx.view.open(file));
    } catch (err) {
      throw new HttpError(400, errorMessage(err));
    }
  },

  'POST /api/session/live': async (ctx, _req, res) => sendJson(res, 200, ctx.view.backToLive()),

  'POST /api/session/save-as': async (ctx, req, res) => {
    const body = await readJsonObject(req);
    const to = userPath(body['path']);
    await tracked(ctx, copySession(ctx.view.info().file, to, body['overwrite'] === true));
    sendJson(res, 200, { saved: to });
  },

  'GET /api/export/har': async (ctx, _req, res) => {
    const { harDownload } = await loadExports();
    const d = await harDownload(ctx.view, ctx.version);
    sendDownload(res, d.data, d.fileName, d.contentType);
  },

  'GET /api/export/report': async (ctx, _req, res, url) => {
    const { reportDownload } = await loadExports();
    const d = reportDownload(ctx.view, url.searchParams.get('format'));
    sendDownload(res, d.data, d.fileName, d.contentType);
  },

  // The desktop app's File › Export: the path comes from the native save dialog, and the
  // engine writes the file (the sandboxed window cannot).
  'POST /api/export/save': async (ctx, req, res) => {
    const body = await readJsonObject(req);
    const { exportDownload } = await loadExports();
    const d = await exportDownload(ctx.view, ctx.version, body['format']);
    const to = userPath(body['path']);
    await tracked(ctx, writeExport(to, d.data, body['overwrite'] === true));
    sendJson(res, 200, { saved: to, format: body['format'], bytes: Buffer.byteLength(d.data) });
  },

  'GET /api/ca': async (ctx, _req, res, url) => {
    const d = caDownload(ctx.engine, url.searchParams.get('format'));
    sendDownload(res, d.data, d.fileName, d.contentType);
  },

  'POST /api/backend-check': async (ctx, req, res) => {
    if (!ctx.checks) throw new HttpError(501, 'backend checks are not available here');
    const check = parseBackendCheck(await readJsonObject(req));
    sendJson(res, 202, await ctx.checks.start(check));
  },

  // "Resend" / "Edit and resend": answers with the resent request and its response (or error).
  'POST /api/resend': async (ctx, req, res) => {
    if (!ctx.resender) throw new HttpError(501, 'resend is not available here');
    const ask = parseResendBody(await readJsonObject(req));
    sendJson(res, 200, await ctx.resender.resend(ask));
  },

  'GET /api/onboarding': async (ctx, _req, res) => sendJson(res, 200, await onboardingInfo(ctx.engine)),
};

/** Report rendering and HAR are loaded on first export, keeping API start-up light. */
function loadExports(): Promise<typeof import('./exports.js')> {
  return import('./exports.js');
}

async function engineCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new HttpError(500, `${what}: ${errorMessage(err)}`);
  }
}

/** Finds the handler for a request; a known path with another method is a 405. */
export function findRoute(method: string, pathname: string): Handler | { status: number; error: string } {
  const exact = routes[`${method === 'HEAD' ? 'GET' : method} ${pathname}`];
  if (exact) return exact;
  const allowed = Object.keys(routes).filter((k) => k.endsWith(` ${pathname}`)).map((k) => k.split(' ')[0]);
  if (allowed.length > 0) return { status: 405, error: `${method} is not allowed on ${pathname}; use ${allowed.join(' or ')}` };
  return { status: 404, error: `no API endpoint ${pathname}` };
}
