// Validation of what the renderer may ask of the file dialogs (through the preload). The
// renderer is untrusted input as far as the main process is concerned: only a title, a
// suggested file name and extension filters get through. Pure (no Electron import).
import { basename } from 'node:path';

export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface OpenDialogRequest {
  title: string;
  filters: FileFilter[];
}

export interface SaveDialogRequest extends OpenDialogRequest {
  /** a file name only; the directory is chosen by main */
  fileName: string;
}

const MAX_TITLE = 200;
const MAX_FILTERS = 10;
const EXTENSION = /^(\*|[A-Za-z0-9][A-Za-z0-9.]{0,15})$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function cleanText(v: unknown, fallback: string, max: number): string {
  if (typeof v !== 'string') return fallback;
  const t = v.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, max);
  return t === '' ? fallback : t;
}

function cleanFilters(v: unknown): FileFilter[] {
  if (!Array.isArray(v)) return [];
  const out: FileFilter[] = [];
  for (const f of v.slice(0, MAX_FILTERS)) {
    if (!isRecord(f) || !Array.isArray(f.extensions)) continue;
    const extensions = f.extensions
      .filter((e): e is string => typeof e === 'string')
      .map((e) => e.replace(/^\./, ''))
      .filter((e) => EXTENSION.test(e))
      .slice(0, 20);
    if (extensions.length === 0) continue;
    out.push({ name: cleanText(f.name, extensions.join(', '), 80), extensions });
  }
  return out;
}

/** Returns a safe request, or throws if the argument is not an options object at all. */
export function parseOpenRequest(v: unknown): OpenDialogRequest {
  if (v !== undefined && !isRecord(v)) throw new TypeError('openFile expects an options object');
  const o = v ?? {};
  return { title: cleanText(o.title, 'Open', MAX_TITLE), filters: cleanFilters(o.filters) };
}

export function parseSaveRequest(v: unknown): SaveDialogRequest {
  if (v !== undefined && !isRecord(v)) throw new TypeError('saveFile expects an options object');
  const o = v ?? {};
  // Only the last path segment: the renderer suggests a name, never a location.
  const raw = typeof o.defaultPath === 'string' ? basename(o.defaultPath.replaceAll('\\', '/')) : '';
  const fileName = cleanText(raw.replace(/^\.+/, ''), 'pinprobe-export', 120);
  return { title: cleanText(o.title, 'Save', MAX_TITLE), filters: cleanFilters(o.filters), fileName };
}

/** True when `frameUrl` belongs to the UI's origin (`http://127.0.0.1:PORT`). */
export function isUiOrigin(frameUrl: string | undefined | null, uiOrigin: string | null): boolean {
  if (!frameUrl || !uiOrigin) return false;
  try {
    return new URL(frameUrl).origin === uiOrigin;
  } catch {
    return false;
  }
}

/** External links that may be handed to the system browser. */
export function isExternalWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}
