// One entry for the CLI and the control API: pick a rendering by name.
import type { SessionLine } from '../session/events.js';
import type { Report } from '../judge/report-types.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderText } from './text.js';

export const REPORT_FORMATS = ['text', 'json', 'html', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

export interface RenderOptions {
  /** ANSI colours in the text format (the CLI passes stdout.isTTY). */
  color?: boolean;
}

/** `lines` are the session's recorded lines (header first or not); only HTML reads them. */
export function renderReport(format: ReportFormat, report: Report, lines: readonly SessionLine[], opts: RenderOptions = {}): string {
  switch (format) {
    case 'text':
      return renderText(report, { color: opts.color ?? false });
    case 'json':
      return renderJson(report);
    case 'html':
      return renderHtml(report, lines);
    case 'junit':
      return renderJunit(report);
  }
}

export { renderHtml, renderJson, renderJunit, renderText };
export { reportJson } from './json.js';
export { failOn, isSeverity } from './fail-on.js';
export type { TextOptions } from './text.js';
