// Session and export actions that need a file chosen in a native dialog: the desktop
// app's File menu and the Controls buttons both use these. The dialog (preload) returns
// a path; the control API does the file I/O (the sandboxed window cannot write files).
import { api } from '../api/client';
import type { StatusResponse } from '../api/types';
import { bridge, type FileFilter } from '../bridge';

export const SESSION_FILTERS: FileFilter[] = [{ name: 'Pinprobe session', extensions: ['jsonl'] }];
/** Open also takes HAR (imported read-only: traffic only, no verdicts). */
export const OPEN_FILTERS: FileFilter[] = [{ name: 'Pinprobe session or HAR', extensions: ['jsonl', 'har'] }, ...SESSION_FILTERS, { name: 'HAR', extensions: ['har'] }];

export type ExportFormat = 'har' | 'html' | 'json' | 'junit' | 'text';

export const EXPORTS: Record<ExportFormat, { label: string; ext: string; filter: FileFilter; href: string }> = {
  har: { label: 'HAR', ext: 'har', filter: { name: 'HAR', extensions: ['har'] }, href: '/api/export/har' },
  html: { label: 'HTML report', ext: 'html', filter: { name: 'HTML report', extensions: ['html'] }, href: '/api/export/report?format=html' },
  json: { label: 'JSON report', ext: 'json', filter: { name: 'JSON report', extensions: ['json'] }, href: '/api/export/report?format=json' },
  junit: { label: 'JUnit XML', ext: 'junit.xml', filter: { name: 'JUnit XML', extensions: ['xml'] }, href: '/api/export/report?format=junit' },
  text: { label: 'Text report', ext: 'txt', filter: { name: 'Text', extensions: ['txt'] }, href: '/api/export/report?format=text' },
};

/** The outcome of an action, for a notice; null when the user cancelled the dialog. */
export type ActionResult = { message: string; status?: StatusResponse } | null;

/** `…/2025-06-03T14-02-11.pinprobe.jsonl` -> `2025-06-03T14-02-11` (as the API names downloads). */
export function sessionStem(file: string | undefined): string {
  const name = (file ?? '').split(/[\\/]/).pop() ?? '';
  return name.replace(/\.pinprobe\.jsonl$|\.jsonl$/i, '') || 'session';
}

export function suggestedExportName(format: ExportFormat, sessionFile: string | undefined): string {
  const stem = sessionStem(sessionFile);
  return format === 'har' ? `pinprobe-${stem}.har` : `pinprobe-report-${stem}.${EXPORTS[format].ext}`;
}

/** True when the native dialogs are there (desktop app). */
export function hasNativeDialogs(): boolean {
  const b = bridge();
  return typeof b?.openFile === 'function' && typeof b.saveFile === 'function';
}

async function currentStatus(): Promise<StatusResponse> {
  return api.get<StatusResponse>('/api/status');
}

export async function newSession(): Promise<ActionResult> {
  const res = await api.post<StatusResponse & { file: string }>('/api/session/new');
  return { message: `New session: ${res.file}`, status: res };
}

export async function openSession(path: string): Promise<ActionResult> {
  await api.post('/api/session/open', { path });
  return { message: `Opened ${path} (read-only)`, status: await currentStatus() };
}

export async function pickAndOpenSession(): Promise<ActionResult> {
  const path = await bridge()?.openFile?.({ title: 'Open a Pinprobe session or HAR file', filters: OPEN_FILTERS });
  return path ? openSession(path) : null;
}

/** `overwrite`: the native save dialog has already asked before replacing a file. */
export async function saveSessionAs(path: string, overwrite: boolean): Promise<ActionResult> {
  const res = await api.post<{ saved: string }>('/api/session/save-as', { path, overwrite });
  return { message: `Saved a copy of the session to ${res.saved}` };
}

export async function pickAndSaveSession(): Promise<ActionResult> {
  const { view } = await currentStatus();
  const name = (view.file.split(/[\\/]/).pop() ?? '') || 'session.pinprobe.jsonl';
  const path = await bridge()?.saveFile?.({ title: 'Save session as', defaultPath: name, filters: SESSION_FILTERS });
  return path ? saveSessionAs(path, true) : null;
}

export async function pickAndExport(format: ExportFormat): Promise<ActionResult> {
  const { view } = await currentStatus();
  const spec = EXPORTS[format];
  const path = await bridge()?.saveFile?.({ title: `Export ${spec.label}`, defaultPath: suggestedExportName(format, view.file), filters: [spec.filter] });
  if (!path) return null;
  const res = await api.post<{ saved: string }>('/api/export/save', { format, path, overwrite: true });
  return { message: `Exported ${spec.label} to ${res.saved}` };
}
