// Downloads of the viewed session: HAR and rendered reports.
import { basename } from 'node:path';
import { isReportFormat, REPORT_FORMATS, renderReport, type ReportFormat } from '../report/index.js';
import type { SessionEvent } from '../session/events.js';
import { toHar } from '../session/har.js';
import { HttpError } from './http-util.js';
import type { SessionView } from './session-view.js';

export interface Download {
  data: Buffer | string;
  fileName: string;
  contentType: string;
}

/** With headers and bodies: evicted lines of a long live session are read back from its file. */
async function events(view: SessionView): Promise<SessionEvent[]> {
  return (await view.fullLines()).filter((l): l is SessionEvent => l.type !== 'session');
}

/** `2024-05-01T10-00-00.pinprobe.jsonl` -> `2024-05-01T10-00-00` */
function stem(view: SessionView): string {
  return basename(view.info().file).replace(/\.pinprobe\.jsonl$|\.jsonl$/i, '') || 'session';
}

export async function harDownload(view: SessionView, version: string): Promise<Download> {
  const har: unknown = toHar(await events(view), { creatorVersion: version });
  const text = typeof har === 'string' ? har : JSON.stringify(har, null, 2);
  return { data: text, fileName: `pinprobe-${stem(view)}.har`, contentType: 'application/json; charset=utf-8' };
}

const REPORT_FILES: Record<ReportFormat, { ext: string; type: string }> = {
  html: { ext: 'html', type: 'text/html; charset=utf-8' },
  json: { ext: 'json', type: 'application/json; charset=utf-8' },
  junit: { ext: 'junit.xml', type: 'application/xml; charset=utf-8' },
  text: { ext: 'txt', type: 'text/plain; charset=utf-8' },
};

export function reportDownload(view: SessionView, format: string | null): Download {
  const f = format ?? 'html';
  if (!isReportFormat(f)) {
    throw new HttpError(400, `format must be one of ${REPORT_FORMATS.join(', ')} (got "${format}")`);
  }
  const text = renderReport(f, view.report(), view.lines());
  const file = REPORT_FILES[f];
  return { data: text, fileName: `pinprobe-report-${stem(view)}.${file.ext}`, contentType: file.type };
}

/** What `POST /api/export/save` accepts: HAR or a report format. */
export const EXPORT_FORMATS = ['har', ...REPORT_FORMATS] as const;

export async function exportDownload(view: SessionView, version: string, format: unknown): Promise<Download> {
  if (format === 'har') return harDownload(view, version);
  // Reports use no headers or bodies, so the in-memory lines serve.
  if (typeof format === 'string' && isReportFormat(format)) return reportDownload(view, format);
  throw new HttpError(400, `"format" must be one of ${EXPORT_FORMATS.join(', ')} (got ${JSON.stringify(format ?? null)})`);
}
