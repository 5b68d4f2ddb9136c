// Runs a plan (plan.ts) at the limits SPEC sets: replays one at a time and at most 5 per
// second; a burst of N ≤ 100 copies, all started within 10 s. Every line goes to `sink` as
// soon as it exists, so the session file (or the live engine) has it even if the run stops.
import { endpointPath } from '../judge/credentials.js';
import { classifyReplay } from '../judge/backend-active.js';
import type { AuthResult, RateLimit } from '../judge/report-types.js';
import type { UpstreamPool } from '../net/upstream.js';
import type { RequestEvent, ResponseEvent, SessionLine } from '../session/events.js';
import { LIMITS, type Plan } from './plan.js';
import { sendCheck, type CheckLine } from './send.js';

export interface RunOptions {
  /** The pool a replay of this request goes through (the session's --map-remote rules when it was made: map-rules.ts). */
  poolFor: (original: RequestEvent) => UpstreamPool;
  /** The session's lines so far: the originals' answers, and new ids continue after the ones in it. */
  lines: readonly SessionLine[];
  /** The lines new ids must not clash with, when the check goes to another session than `lines`
   * (run from an imported HAR, it joins the live session). */
  idLines?: readonly SessionLine[];
  sink: (line: CheckLine) => void;
  burst: number;
  timeoutMs?: number;
  bodyCap?: number;
  /** Minimum gap between replays; 1000 / 5 per SPEC (tests never go faster). */
  gapMs?: number;
  /** Called as each result is known (the UI shows progress). */
  onResult?: (row: ResultRow) => void;
}

export interface ResultRow {
  kind: 'auth' | 'burst';
  host: string;
  port: number;
  method: string;
  path: string;
  /** auth: protected/unprotected/unknown; burst: throttled/not-throttled/untested. */
  result: AuthResult | RateLimit;
  /** auth: the replay's status; burst: "n answered, m × 429". */
  detail: string;
}

export interface RunSummary {
  rows: ResultRow[];
  sent: number;
}

/** k1, k2, …: check ids, continuing after any in the session (never clash with the engine's c/r/u/w ids). */
export function checkIdCounter(lines: readonly SessionLine[]): () => string {
  let n = 0;
  for (const line of lines) {
    const m = 'id' in line && typeof line.id === 'string' ? /^k(\d+)$/.exec(line.id) : null;
    if (m) n = Math.max(n, Number(m[1]));
  }
  return () => `k${++n}`;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

function responseIn(lines: readonly CheckLine[]): ResponseEvent | undefined {
  return lines.find((l): l is ResponseEvent => l.type === 'response');
}

export async function runPlan(plan: Plan, opts: RunOptions): Promise<RunSummary> {
  const nextId = checkIdCounter(opts.idLines ?? opts.lines);
  const responses = new Map<string, ResponseEvent>();
  for (const l of opts.lines) if (l.type === 'response') responses.set(l.id, l);
  const gap = Math.max(opts.gapMs ?? 1000 / LIMITS.perSecond, 1000 / LIMITS.perSecond);
  const send = (original: RequestEvent, kind: 'auth' | 'burst') =>
    sendCheck(original, { pool: opts.poolFor(original), id: nextId(), kind, timeoutMs: opts.timeoutMs ?? 10_000, bodyCap: opts.bodyCap ?? 1024 * 1024 });
  const rows: ResultRow[] = [];
  let sent = 0;
  let lastStart = -Infinity;
  for (const replay of plan.replays) {
    const wait = lastStart + gap - Date.now();
    if (wait > 0) await sleep(wait);
    lastStart = Date.now();
    const lines = await send(replay.original, 'auth');
    // Pace from the time the request line records (it is taken a little after lastStart when
    // the machine is busy), so the recorded sends, not just the timers, are a gap apart.
    const recorded = lines.find((l) => l.type === 'request');
    if (recorded) lastStart = Math.max(lastStart, Date.parse(recorded.time));
    sent += 1;
    for (const l of lines) opts.sink(l);
    const answer = responseIn(lines);
    const row: ResultRow = {
      kind: 'auth', host: replay.original.host, port: replay.original.port, method: replay.original.method,
      path: endpointPath(replay.original.url), result: classifyReplay(replay.original.method, responses.get(replay.original.id), answer),
      detail: answer ? String(answer.status) : 'no answer',
    };
    rows.push(row);
    opts.onResult?.(row);
  }
  for (const original of plan.bursts) {
    const row = await runBurst(original, opts.burst, (r) => send(r, 'burst'), opts.sink);
    sent += row.sent;
    rows.push(row.row);
    opts.onResult?.(row.row);
  }
  return { rows, sent };
}

/** N copies, 10 in flight at most, none started after the 10 s window. */
async function runBurst(original: RequestEvent, n: number, send: (r: RequestEvent) => Promise<CheckLine[]>, sink: (l: CheckLine) => void): Promise<{ row: ResultRow; sent: number }> {
  const count = Math.min(n, LIMITS.burstCeiling);
  const deadline = Date.now() + LIMITS.burstWindowMs;
  const statuses: Array<number | null> = [];
  let started = 0;
  const worker = async () => {
    while (started < count && Date.now() < deadline) {
      started += 1;
      const lines = await send(original);
      for (const l of lines) sink(l);
      statuses.push(responseIn(lines)?.status ?? null);
    }
  };
  await Promise.all(Array.from({ length: Math.min(10, count) }, worker));
  const answered = statuses.filter((s) => s !== null).length;
  const limited = statuses.filter((s) => s === 429).length;
  const firstAnswer = statuses.findIndex((s) => s !== null);
  const refusedAfter = firstAnswer >= 0 && statuses.slice(firstAnswer).some((s) => s === null);
  const result: RateLimit = limited > 0 || refusedAfter ? 'throttled' : answered > 0 ? 'not-throttled' : 'untested';
  return {
    sent: started,
    row: {
      kind: 'burst', host: original.host, port: original.port, method: original.method, path: endpointPath(original.url), result,
      detail: `${answered} of ${started} answered, ${limited} × 429`,
    },
  };
}

