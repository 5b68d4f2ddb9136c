// The short table check-auth prints: one row per endpoint replayed and per burst.
import type { Plan } from './plan.js';
import type { RunSummary } from './run.js';
import { terminalSafe } from '../report/terminal-safe.js';

/** Host names and paths come from a recorded file: never let them drive the terminal. */
const clean = terminalSafe;

export function renderTable(plan: Plan, summary: RunSummary, args: { file: string }): string[] {
  const out: string[] = [];
  if (summary.rows.length === 0) {
    out.push('check-auth: nothing to check on the named hosts — no recorded request with credentials (Authorization, Cookie, API-key header or parameter)' +
      `${plan.skippedByMethod.length ? ` in the allowed methods (left out: ${plan.skippedByMethod.map(clean).join(', ')}; add them with --methods)` : ''}`);
    return out;
  }
  const rows = summary.rows.map((r) => [r.kind === 'auth' ? 'no credentials' : 'burst', r.result, r.detail, clean(`${r.method} ${r.host}:${r.port}${r.path}`)]);
  const heads = ['CHECK', 'RESULT', 'STATUS', 'REQUEST'];
  const widths = heads.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c)).join('  ');
  out.push(line(heads));
  for (const r of rows) out.push(line(r));
  if (plan.skippedByMax > 0) out.push(`${plan.skippedByMax} more endpoint(s) not checked: --max reached`);
  if (plan.skippedByMethod.length > 0) out.push(`not replayed (method not in --methods): ${plan.skippedByMethod.map(clean).join(', ')}`);
  out.push(`${summary.sent} request(s) sent; every request and answer appended to ${clean(args.file)}`);
  return out;
}
