// `pinprobe check-auth FILE --host GLOB …` (SPEC "Command line", "Backend"): opt-in backend
// checks on a recorded session. Nothing is sent unless a host is named; what is sent and
// answered is appended to FILE itself, so `pinprobe report FILE` and the UI show it.
import { readFileSync } from 'node:fs';
import { loadClientCert, parseClientCertSpec } from '../net/client-certs.js';
import { parseMapRemote, UpstreamPool, type MapRemoteEntry } from '../net/upstream.js';
import { notASessionMessage } from '../session/not-a-session.js';
import { readSession } from '../session/reader.js';
import type { RequestEvent, SessionLine } from '../session/events.js';
import { CHECK_FROM_THE_UI, recordedElsewhereMessage } from '../session/recording-lock.js';
import { SessionWriter } from '../session/writer.js';
import { DEFAULT_METHODS, LIMITS, planChecks } from './plan.js';
import { runPlan } from './run.js';
import { mapRulesInForce, ruleSpecs } from './map-rules.js';
import { renderTable } from './table.js';
import { terminalSafe } from '../report/terminal-safe.js';

export interface CheckAuthArgs {
  file: string;
  hosts: string[];
  max?: string;
  burst?: string;
  methods?: string;
  upstreamCa: string[];
  clientCert: string[];
  /**
   * --map-remote rules for the replays. Absent: the rules the session recorded (header and
   * settings lines), so a replay goes where the app's requests went; `false`: none.
   */
  mapRemote?: string[] | false;
  /** Tests only: a longer gap than SPEC's minimum (never shorter). */
  gapMs?: number;
}

/** A user error: one line, exit 2 (the CLI's UsageError contract). */
export class CheckAuthUsage extends Error {}

function count(value: string | undefined, option: string, fallback: number, ceiling: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > ceiling) throw new CheckAuthUsage(`${option} must be a whole number from 1 to ${ceiling} (got "${value}")`);
  return Number(value);
}

function methodList(value: string | undefined): string[] {
  if (value === undefined) return [...DEFAULT_METHODS];
  const list = value.split(',').map((m) => m.trim().toUpperCase()).filter(Boolean);
  const bad = list.find((m) => !/^[A-Z]+$/.test(m));
  if (list.length === 0 || bad) throw new CheckAuthUsage(`--methods must be a comma-separated list such as GET,HEAD,POST (got "${value}")`);
  return list;
}

function mapEntries(specs: readonly string[], origin: string): MapRemoteEntry[] {
  return specs.map((spec) => {
    try {
      return parseMapRemote(spec);
    } catch (err) {
      throw new CheckAuthUsage(`${(err as Error).message}${origin}`);
    }
  });
}

/** --upstream-ca and --client-cert, read once (usage errors name the option): what every replay's pool trusts and presents. */
async function upstreamSettings(args: CheckAuthArgs): Promise<Omit<ConstructorParameters<typeof UpstreamPool>[0], 'mapRemote'>> {
  const extraCa = args.upstreamCa.map((file) => {
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CheckAuthUsage(`--upstream-ca ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new CheckAuthUsage(`--upstream-ca ${file}: not a PEM certificate file`);
    return pem;
  });
  const clientCerts = await Promise.all(args.clientCert.map(async (spec) => {
    try {
      return await loadClientCert(parseClientCertSpec(spec));
    } catch (err) {
      throw new CheckAuthUsage((err as Error).message);
    }
  }));
  return { extraCa, insecure: false, clientCerts };
}

/** Runs the command; returns the exit code (0; findings gate CI through `report --fail-on`). */
export async function runCheckAuthCommand(args: CheckAuthArgs, out: (line: string) => void): Promise<number> {
  if (args.hosts.length === 0) {
    throw new CheckAuthUsage('check-auth sends requests to a backend, so it runs only on hosts you name: add --host GLOB (e.g. --host api.example.com)');
  }
  const max = count(args.max, '--max', LIMITS.maxDefault, LIMITS.maxCeiling);
  const burst = args.burst === undefined ? 0 : count(args.burst, '--burst', 0, LIMITS.burstCeiling);
  const methods = methodList(args.methods);
  const session = await readSession(args.file).catch((e: Error) => {
    throw new CheckAuthUsage(e.message);
  });
  if (!session.header) {
    // Say what the file holds (a HAR file, a report, a PEM…) when it is no session at all.
    const wrong = await notASessionMessage(args.file, session);
    throw new CheckAuthUsage(wrong ? `${wrong}; check-auth appends to recorded sessions only` : `${args.file} is not a Pinprobe session (no session header); check-auth appends to recorded sessions only`);
  }
  // Before anything is sent: a session that a running Pinprobe records is appended to through it.
  const recorded = recordedElsewhereMessage(args.file, CHECK_FROM_THE_UI);
  if (recorded !== null) throw new CheckAuthUsage(`check-auth: ${recorded}`);
  const lines: SessionLine[] = [session.header, ...session.events];
  const fromSession = args.mapRemote === undefined;
  const plan = planChecks(session.events, { hosts: args.hosts, max, methods, burst });
  const upstream = await upstreamSettings(args);
  // One pool per rule set: each replay goes by the rules in force when its request was made
  // (a rule the UI changed mid-session sent the later requests elsewhere). Every rule used is
  // checked before anything is sent.
  const inForce = mapRulesInForce(lines);
  const specsFor = (r: RequestEvent): string[] => (args.mapRemote === false ? [] : args.mapRemote ?? ruleSpecs(inForce.forRequest(r.id)));
  const origin = fromSession ? ` (a rule recorded in ${args.file}; give --map-remote or --no-map-remote)` : '';
  // A bad --map-remote is an error even when nothing is planned.
  if (Array.isArray(args.mapRemote)) mapEntries(args.mapRemote, origin);
  const sets = new Map<string, { specs: string[]; entries: MapRemoteEntry[] }>();
  for (const r of [...plan.replays.map((p) => p.original), ...plan.bursts]) {
    const specs = specsFor(r);
    const key = specs.join('\n');
    if (!sets.has(key)) sets.set(key, { specs, entries: mapEntries(specs, origin) });
  }
  const pools = new Map([...sets].map(([key, set]) => [key, { specs: set.specs, pool: new UpstreamPool({ ...upstream, mapRemote: set.entries }) }]));
  const writer = SessionWriter.appendTo(args.file);
  try {
    const poolFor = (r: RequestEvent) => pools.get(specsFor(r).join('\n'))!.pool;
    const summary = await runPlan(plan, { poolFor, lines, sink: (l) => writer.append(l), burst, gapMs: args.gapMs });
    const sets = [...pools.values()].map((p) => p.specs);
    if (sets.some((s) => s.length > 0)) {
      const shown = sets.map((s) => (s.length > 0 ? s.map((m) => m.replace('=', ' → ')).join(', ') : '(none)')).join(', then ');
      const how = sets.length > 1 ? ' (as recorded in the session, the rules in force when each request was made; --no-map-remote to connect directly)' : ' (as recorded in the session; --no-map-remote to connect directly)';
      out(`map-remote${fromSession ? how : ''}: ${terminalSafe(shown)}`);
    }
    for (const line of renderTable(plan, summary, args)) out(line);
    return 0;
  } finally {
    writer.close();
    for (const { pool } of pools.values()) pool.destroy();
  }
}
