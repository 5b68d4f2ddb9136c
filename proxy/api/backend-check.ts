// POST /api/backend-check: the UI's "Check without credentials" and "Burst N" on one host
// (SPEC "Backend"), with check-auth's limits. The request must name the host it confirms
// (`confirm: "host:port"`, what the UI's confirmation showed), so nothing is sent to a host
// the tester did not name. Lines go where the viewed session lives: through the engine into
// the live session (the UI sees them arrive), or appended to the opened file (re-read at
// the end, as a reopened session).
import { formatHostPort } from '../judge/judge.js';
import { LIMITS, planChecks } from '../check-auth/plan.js';
import { runPlan, type RunSummary } from '../check-auth/run.js';
import type { CheckLine } from '../check-auth/send.js';
import { UpstreamPool, type MapRemoteEntry } from '../net/upstream.js';
import { mapRulesInForce, recordedMapEntries, rulesKey } from '../check-auth/map-rules.js';
import type { RequestEvent, SessionEvent } from '../session/events.js';
import { recordedElsewhereMessage, recordedHere } from '../session/recording-lock.js';
import { SessionWriter } from '../session/writer.js';
import type { ViewInfo } from './protocol.js';
import type { EngineControl } from './engine-port.js';
import { HttpError } from './http-util.js';
import type { SessionView } from './session-view.js';

export interface BackendCheckRequest {
  host: string;
  port: number;
  kind: 'auth' | 'burst';
  /** Burst size (1..100). */
  burst: number;
  confirm: string;
}

export interface BackendCheckStarted {
  started: true;
  host: string;
  /** Replays (auth) or copies (burst) about to be sent. */
  planned: number;
}

export function parseBackendCheck(body: Record<string, unknown>): BackendCheckRequest {
  const { host, port, kind, burst, confirm } = body;
  if (typeof host !== 'string' || host === '' || typeof port !== 'number' || !Number.isInteger(port)) throw new HttpError(400, '"host" (string) and "port" (number) name the host to check');
  if (kind !== 'auth' && kind !== 'burst') throw new HttpError(400, '"kind" must be "auth" (check without credentials) or "burst"');
  const n = kind === 'burst' ? burst : 0;
  if (kind === 'burst' && (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > LIMITS.burstCeiling)) throw new HttpError(400, `"burst" must be a whole number from 1 to ${LIMITS.burstCeiling}`);
  const name = formatHostPort(host, port);
  if (confirm !== name) throw new HttpError(400, `"confirm" must repeat the host being checked ("${name}"): backend checks send requests, and only to a host the tester confirmed`);
  return { host, port, kind, burst: n as number, confirm: name };
}

/**
 * What the engine offers backend checks (proxy/engine.ts `backendChecks`): the upstream
 * settings to send with, and a way to append lines to the live session. Kept off
 * EngineControl so the UI's type imports never reach the socket code's types.
 */
export interface BackendCheckHooks {
  pool(): UpstreamPool;
  record(line: SessionEvent): void;
}

export function hooksOf(engine: EngineControl): BackendCheckHooks | null {
  const hooks = (engine as EngineControl & { backendChecks?: BackendCheckHooks }).backendChecks;
  return hooks && typeof hooks.pool === 'function' && typeof hooks.record === 'function' ? hooks : null;
}

/**
 * Whether lines sent from the viewed session join the live session — viewing it, an imported
 * HAR (someone else's format, read-only), or this engine's own file opened as a file (its
 * recording writes it) — rather than being appended to the opened file. Refused (409) before
 * anything is sent when another running Pinprobe records that file (recording-lock.ts).
 */
export function joinsLiveSession(info: ViewInfo, instead: string): boolean {
  if (info.mode === 'live' || info.source === 'har' || recordedHere(info.file)) return true;
  const elsewhere = recordedElsewhereMessage(info.file, instead);
  if (elsewhere !== null) throw new HttpError(409, elsewhere);
  return false;
}

/** The engine's upstream settings (trust, client certificates, its own-port guard) with other map-remote rules. */
function poolWithRules(engine: UpstreamPool, mapRemote: MapRemoteEntry[]): UpstreamPool {
  const pool = new UpstreamPool({ ...engine.config, mapRemote });
  pool.ownEndpoint = engine.ownEndpoint;
  return pool;
}

export class BackendChecks {
  private running: Promise<RunSummary> | null = null;

  constructor(private readonly engine: EngineControl, private readonly view: SessionView) {}

  /** Starts a check; resolves once it is planned (the run goes on; its lines show it). */
  async start(req: BackendCheckRequest): Promise<BackendCheckStarted> {
    const hooks = hooksOf(this.engine);
    if (!hooks) throw new HttpError(501, 'this engine cannot run backend checks');
    if (this.running) throw new HttpError(409, 'a backend check is already running; wait for it to finish');
    const lines = await this.view.fullLines();
    const events = lines.filter((l): l is SessionEvent => l.type !== 'session');
    const plan = planChecks(events, { hosts: [req.confirm], max: LIMITS.maxDefault, methods: ['GET', 'HEAD'], burst: req.kind === 'burst' ? req.burst : 0 });
    if (req.kind === 'burst') plan.replays = [];
    const planned = req.kind === 'burst' ? Math.min(plan.bursts.length, 1) * req.burst : plan.replays.length;
    if (planned === 0) {
      throw new HttpError(400, req.kind === 'burst'
        ? `no recorded GET or HEAD request to ${req.confirm} to repeat`
        : `no recorded GET or HEAD request to ${req.confirm} carried credentials (Authorization, Cookie, an API-key header or parameter); nothing to check`);
    }
    const info = this.view.info();
    const intoLive = joinsLiveSession(info, 'run the check from that Pinprobe\'s UI, or stop it first');
    let sink: (line: CheckLine) => void;
    let done: () => Promise<void> = async () => {};
    if (intoLive) {
      sink = (line) => hooks.record(line);
      // Viewing this engine's own file: show it again with the new lines once the run ends.
      if (info.mode === 'file' && info.source !== 'har') {
        done = async () => {
          if (this.view.info().mode !== 'file' || this.view.info().file !== info.file) return;
          this.engine.status();
          await this.view.open(info.file);
        };
      }
    } else {
      const writer = SessionWriter.appendTo(info.file);
      sink = (line) => writer.append(line);
      done = async () => {
        writer.close();
        // Still looking at that file: show it with the new lines, as a reopened session would.
        if (this.view.info().file === info.file && this.view.info().mode === 'file') await this.view.open(info.file);
      };
    }
    // Joining the live session from another view: its ids go on from the live session's.
    const idLines = info.mode !== 'live' && intoLive ? this.engine.lines() : undefined;
    // Each replay goes to the server its request was sent to: by the --map-remote rules the
    // session recorded as they stood when that request was made (as `pinprobe check-auth`
    // does), with the engine's other upstream settings. The live session's requests made
    // under the engine's rules now use its own pool; a HAR records no rules (the engine's apply).
    const engine = hooks.pool();
    const inForce = info.source !== 'har' ? mapRulesInForce(lines) : null;
    const latestKey = inForce ? rulesKey(inForce.latest) : '';
    const own = new Map<string, UpstreamPool>();
    const poolFor = (original: RequestEvent): UpstreamPool => {
      if (!inForce) return engine;
      const rules = inForce.forRequest(original.id);
      const key = rulesKey(rules);
      if (info.mode === 'live' && key === latestKey) return engine;
      let pool = own.get(key);
      if (!pool) own.set(key, (pool = poolWithRules(engine, recordedMapEntries(rules))));
      return pool;
    };
    const run = runPlan(plan, { poolFor, lines, idLines, sink, burst: req.burst });
    this.running = run;
    void run.then(done, done).finally(() => {
      this.running = null;
      for (const pool of own.values()) pool.destroy();
    }).catch(() => {});
    return { started: true, host: req.confirm, planned };
  }

  /** Tests and shutdown: the run in flight, if any. */
  settle(): Promise<unknown> {
    return this.running ?? Promise.resolve();
  }
}
