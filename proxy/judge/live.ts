// The live verdicts: the judge fed event by event. Per host it keeps what judgeHost needs —
// TLS outcomes and upstream attempts (a few per connection), counts, the passive-findings
// tally, check-auth requests, per-connection answer counts — and re-judges only the hosts
// that changed (all of them when something session-wide changed: device trust, the expected
// mTLS hosts, which clients trusted which hosts). Nothing per request is kept beyond a
// request still waiting for its answer, so a long session costs no memory here.
//
// The answer is the very same report `judge()` gives for the whole file (the property test
// in test/unit/live-verdicts.test.ts checks it byte for byte). A session the incremental
// form cannot follow exactly (a request id seen twice, a second answer to one request, a
// header after events…) is marked irregular and judged whole from then on.
import type { ClientTlsEvent, ErrorEvent, RequestEvent, ResponseEvent, SessionHeader, SessionLine, UpstreamEvent } from '../session/events.js';
import { isReservedName } from '../onboarding/host.js';
import { hostPortKey } from '../host-key.js';
import { mapRulesSeen, sessionAdvice, type RecordedMapRule } from './advice.js';
import type { Answers } from './backend-active.js';
import { PassiveTally } from './backend-passive.js';
import { DeviceTrust } from './device-trust.js';
import { compareHosts, judge, judgeHost, trustedAcceptances, type HostFacts } from './judge.js';
import { REPORT_SCHEMA, type HostVerdict, type Report } from './report-types.js';

/** Where the live verdicts read lines they did not keep. */
export interface LineSource {
  /** Index of the last line of this type with this id, or -1. */
  lastIndexOf(type: 'request' | 'response', id: string): number;
  /** Line `index` with its headers and bodies (read back when not kept in memory), or null. */
  full(index: number): SessionLine | null;
  /** Every line in full: for judging the whole session when it is irregular. */
  all(): readonly SessionLine[];
}

const ID = /^([a-z]+)(\d{1,9})$/;

/**
 * Whether `id` matches ID; its prefix and number are left in idPrefix/idNumber. By hand:
 * two per request, and the regex's match array showed in the per-request profile.
 */
function parseId(id: unknown): boolean {
  if (typeof id !== 'string') {
    const m = ID.exec(id as string);
    if (m) [idPrefix, idNumber] = [m[1]!, Number(m[2])];
    return m !== null;
  }
  const end = id.length;
  let i = 0;
  while (i < end) {
    const c = id.charCodeAt(i);
    if (c < 0x61 || c > 0x7a) break;
    i++;
  }
  if (i === 0 || end - i < 1 || end - i > 9) return false;
  let n = 0;
  for (let j = i; j < end; j++) {
    const d = id.charCodeAt(j) - 0x30;
    if (d < 0 || d > 9) return false;
    n = n * 10 + d;
  }
  idPrefix = id.slice(0, i);
  idNumber = n;
  return true;
}
let idPrefix = '';
let idNumber = 0;
/** Ids the engine's bus gives (EngineBus.nextId): errors with these ids are never a check's. */
const BUS_ID = /^[rcuw]\d+$/;

/** One bit per numbered id of one prefix. */
class IdBits {
  private readonly bits = new Map<string, Uint8Array>();

  has(prefix: string, n: number): boolean {
    const b = this.bits.get(prefix);
    return b !== undefined && n >> 3 < b.length && (b[n >> 3]! & (1 << (n & 7))) !== 0;
  }

  add(prefix: string, n: number): void {
    let b = this.bits.get(prefix);
    if (!b || n >> 3 >= b.length) {
      const next = new Uint8Array(Math.max(1024, (n >> 3) * 2 + 1));
      if (b) next.set(b);
      this.bits.set(prefix, (b = next));
    }
    b[n >> 3] = b[n >> 3]! | (1 << (n & 7));
  }
}

class HostState {
  readonly tls: ClientTlsEvent[] = [];
  readonly upstream: UpstreamEvent[] = [];
  passthroughs = 0;
  requests = 0;
  cleartext = 0;
  readonly passive = new PassiveTally();
  /** check-auth requests with their line indexes, in line order. */
  readonly checks: Array<{ request: RequestEvent; index: number }> = [];
  /** Per client connection: requests on it, and how many got a complete answer. */
  readonly conns = new Map<string, { requests: number; clean: number }>();
  /** Intercepted connections (id -> line index) with no TLS outcome (yet). */
  readonly intercepts = new Map<string, number>();
  /** Tunnelled connections (id -> line index); counted while they moved bytes or are open. */
  readonly tunnels = new Map<string, number>();
  /** Smallest line index of the host's lasting events (TLS, upstream, passthrough, requests). */
  first = Infinity;
  verdict: HostVerdict | null = null;

  constructor(readonly host: string, readonly port: number) {}
}

interface Pending {
  host: HostState | null;
  conn: string;
  /** A request to the proxy's own port: onboarding or not is known from its answer. */
  held?: { request: RequestEvent; index: number };
  /** Its connection closed without an answer, so it was counted as an app's request. */
  unanswered?: true;
}

export class LiveVerdicts {
  private header: SessionHeader | null = null;
  /** --map-remote rules seen so far (header, settings lines): session advice. */
  private readonly mapRules: RecordedMapRule[] = [];
  private sawEvent = false;
  private irregular = false;
  /** Why it gave up (for tests and debugging). */
  why: string | null = null;
  private readonly hosts = new Map<string, HostState>();
  private readonly judged = new Set<string>();
  private readonly closeBytes = new Map<string, number>();
  private readonly interceptOf = new Map<string, HostState>();
  private readonly tunnelOf = new Map<string, HostState>();
  private readonly pending = new Map<string, Pending>();
  private held = 0;
  /** Held requests by client connection (their ids), resolved when it closes unanswered. */
  private readonly heldOn = new Map<string, string[]>();
  private readonly seen = new IdBits();
  private readonly answered = new IdBits();
  private readonly checkHost = new Map<string, HostState>();
  private readonly checkResponses = new Map<string, ResponseEvent>();
  private readonly errors = new Map<string, ErrorEvent>();
  private readonly originals = new Map<string, { request: RequestEvent | undefined; response: ResponseEvent | undefined }>();
  private readonly deviceLines = new Map<string, boolean>();
  private devices = DeviceTrust.of([]);
  private devicesChanged = true;
  private expectMtls: readonly string[] = [];
  private expectChanged = true;
  private trustedKey = '';
  private connections = 0;
  private ended: string | null = null;

  constructor(private readonly source: LineSource) {}

  /** Line `index` of the session, in order (header first). */
  add(line: SessionLine, index: number): void {
    if (this.irregular) return;
    if (line.type === 'session') {
      if (this.header !== null) return; // judge() uses the first header only
      if (this.sawEvent) return this.giveUp('a session header after events');
      this.header = line;
      this.expectMtls = line.options?.expectMtls ?? [];
      mapRulesSeen(this.mapRules, line.options?.mapRemote);
      return;
    }
    this.sawEvent = true;
    switch (line.type) {
      case 'client-tls': {
        this.judged.add(line.id);
        const waiting = this.interceptOf.get(line.id);
        if (waiting) {
          waiting.intercepts.delete(line.id);
          waiting.verdict = null;
          this.interceptOf.delete(line.id);
        }
        const b = this.bucket(line.host, line.port);
        if (b) {
          b.tls.push(line);
          this.touch(b, index);
        }
        break;
      }
      case 'request':
        this.request(line, index);
        break;
      case 'response':
        this.response(line);
        break;
      case 'upstream': {
        const b = this.bucket(line.host, line.port);
        if (b) {
          b.upstream.push(line);
          this.touch(b, index);
        }
        break;
      }
      case 'passthrough': {
        const b = this.bucket(line.host, line.port);
        if (b) {
          b.passthroughs++;
          this.touch(b, index);
        }
        break;
      }
      case 'connection':
        this.connection(line.id, line.mode, line.target, index);
        break;
      case 'close': {
        this.closeBytes.set(line.id, (line.bytesFromClient ?? 0) + (line.bytesToClient ?? 0));
        const t = this.tunnelOf.get(line.id);
        if (t) t.verdict = null;
        this.closeHeld(line.id);
        break;
      }
      case 'error':
        if (line.id !== null && (this.checkHost.has(line.id) || !BUS_ID.test(line.id))) {
          this.errors.set(line.id, line);
          const h = this.checkHost.get(line.id);
          if (h) h.verdict = null;
        }
        break;
      case 'device-trust':
        this.deviceLines.set(line.device.trim(), line.trustsCa === true);
        this.devicesChanged = true;
        break;
      case 'settings':
        mapRulesSeen(this.mapRules, line.options.mapRemote);
        if (Array.isArray(line.options.expectMtls)) {
          this.expectMtls = line.options.expectMtls;
          this.expectChanged = true;
        }
        break;
      case 'session-end':
        this.ended = line.time;
        break;
      default:
        // Kinds the judge does not read (and kinds added later) change no verdict.
        break;
    }
  }

  /** The report judge() would give for every line added so far. */
  report(file: string): Report {
    if (this.irregular || this.held > 0) return judge(this.source.all(), { file });
    const ordered: Array<{ state: HostState; first: number }> = [];
    for (const state of this.hosts.values()) {
      let first = state.first;
      for (const at of state.intercepts.values()) first = Math.min(first, at);
      for (const [id, at] of state.tunnels) if (hadTraffic(this.closeBytes.get(id))) first = Math.min(first, at);
      if (first !== Infinity) ordered.push({ state, first });
    }
    ordered.sort((a, b) => a.first - b.first);
    const states = ordered.map((o) => o.state);
    const trustedBy = trustedAcceptances(states);
    const trustedKey = JSON.stringify([...trustedBy].map(([address, byJa4]) => [address, [...byJa4]]));
    let all = trustedKey !== this.trustedKey || this.expectChanged;
    this.trustedKey = trustedKey;
    this.expectChanged = false;
    if (this.devicesChanged) {
      this.devices = DeviceTrust.of([...this.deviceLines].filter(([, on]) => on).map(([spec]) => spec));
      this.devicesChanged = false;
      all = true;
    }
    const hosts: HostVerdict[] = [];
    for (const state of states) {
      if (all || state.verdict === null) {
        state.verdict = judgeHost(this.factsOf(state), this.header, trustedBy, this.devices, this.answersFor(state), this.expectMtls);
      }
      hosts.push(state.verdict);
    }
    hosts.sort(compareHosts);
    return {
      schema: REPORT_SCHEMA,
      session: { file, started: this.header?.time ?? null, ended: this.ended, connections: this.connections },
      hosts,
      advice: sessionAdvice(hosts, this.mapRules),
    };
  }

  /** Whether the incremental form gave up on this session (it is judged whole). */
  get isIrregular(): boolean {
    return this.irregular;
  }

  /** Whether the next report judges the whole session (irregular, or a request to the proxy port awaits its answer). */
  get judgesWhole(): boolean {
    return this.irregular || this.held > 0;
  }

  private giveUp(why: string): void {
    this.irregular = true;
    this.why = why;
  }

  private bucket(host: string, port: number): HostState | null {
    // Requests come in runs to one host: the last one's state, without building its key.
    if (host === this.lastHost && port === this.lastPort && this.lastState !== null) return this.lastState;
    // A hand-edited or foreign file may carry events without a usable host (as groupByHost).
    if (typeof host !== 'string' || host === '' || typeof port !== 'number') return null;
    const key = hostPortKey(host, port);
    let found = this.hosts.get(key);
    if (!found) {
      found = new HostState(host.toLowerCase(), port);
      this.hosts.set(key, found);
    }
    this.lastHost = host;
    this.lastPort = port;
    this.lastState = found;
    return found;
  }
  private lastHost: string | null = null;
  private lastPort = -1;
  private lastState: HostState | null = null;

  private touch(b: HostState, index: number): void {
    if (index < b.first) b.first = index;
    b.verdict = null;
  }

  private request(r: RequestEvent, index: number): void {
    if (!parseId(r.id)) return this.giveUp(`request id ${r.id}`);
    const prefix = idPrefix;
    const n = idNumber;
    // A request id twice, or an answer before its request: grouping by id is ambiguous.
    if (this.seen.has(prefix, n) || this.answered.has(prefix, n)) return this.giveUp(`request ${r.id} twice or after its answer`);
    this.seen.add(prefix, n);
    this.forgetOriginal(r.id);
    // A request the tester resent from Traffic (group.ts): never judged; onboarding pages neither.
    if (r.resend || (typeof r.host === 'string' && isReservedName(r.host))) {
      this.pending.set(r.id, { host: null, conn: r.conn });
      return;
    }
    if (this.header !== null && r.port === this.header.proxy.port) {
      // Onboarding when its answer is Pinprobe's own (synthetic): hold it until then.
      this.pending.set(r.id, { host: null, conn: r.conn, held: { request: r, index } });
      this.held++;
      const list = this.heldOn.get(r.conn);
      if (list) list.push(r.id);
      else this.heldOn.set(r.conn, [r.id]);
      return;
    }
    this.pending.set(r.id, { host: this.apply(r, index), conn: r.conn });
  }

  private apply(r: RequestEvent, index: number): HostState | null {
    const b = this.bucket(r.host, r.port);
    if (!b) return null;
    b.requests++;
    if (r.scheme === 'http') b.cleartext++;
    b.passive.add(r, index);
    if (r.check) {
      // In line order (one held until its answer may come after later ones).
      let at = b.checks.length;
      while (at > 0 && b.checks[at - 1]!.index > index) at--;
      b.checks.splice(at, 0, { request: r, index });
      this.checkHost.set(r.id, b);
    }
    const conn = b.conns.get(r.conn);
    if (conn) conn.requests++;
    else b.conns.set(r.conn, { requests: 1, clean: 0 });
    this.touch(b, index);
    return b;
  }

  private response(res: ResponseEvent): void {
    if (!parseId(res.id)) return this.giveUp(`response id ${res.id}`);
    const prefix = idPrefix;
    const n = idNumber;
    this.forgetOriginal(res.id);
    if (!this.seen.has(prefix, n)) {
      // An answer without a request so far: only a later request could use it (that gives up).
      this.answered.add(prefix, n);
      return;
    }
    // A second answer to one request replaces the first: give up rather than undo.
    if (this.answered.has(prefix, n)) return this.giveUp(`a second answer to ${res.id}`);
    this.answered.add(prefix, n);
    const p = this.pending.get(res.id);
    this.pending.delete(res.id);
    if (!p) return;
    let host = p.host;
    // Counted as an app's request at its connection's close; an onboarding answer now would undo that.
    if (p.unanswered && res.synthetic === true) return this.giveUp(`onboarding answer to ${res.id} after its connection closed`);
    if (p.held) {
      this.held--;
      if (res.synthetic === true) return; // the onboarding page: never an app's host
      host = this.apply(p.held.request, p.held.index);
    }
    if (!host) return;
    if (res.clientClosedEarly !== true) {
      const conn = host.conns.get(p.conn);
      if (conn) conn.clean++;
    }
    if (this.checkHost.has(res.id)) {
      // What a check's answer is judged by (backend-active.ts): status, headers, body.
      this.checkResponses.set(res.id, res);
    }
    host.verdict = null;
  }

  /** A connection closed: its held requests got no answer, so they are an app's requests. */
  private closeHeld(conn: string): void {
    const ids = this.heldOn.get(conn);
    if (!ids) return;
    this.heldOn.delete(conn);
    for (const id of ids) {
      const p = this.pending.get(id);
      if (!p?.held) continue;
      this.held--;
      this.pending.set(id, { host: this.apply(p.held.request, p.held.index), conn: p.conn, unanswered: true });
    }
  }

  private connection(id: string, mode: string, target: { host: string; port: number } | undefined, index: number): void {
    this.connections++;
    const { host, port } = target ?? { host: '', port: 0 };
    if (this.interceptOf.has(id) || this.tunnelOf.has(id)) return this.giveUp(`connection ${id} twice`);
    if (mode === 'intercept') {
      if (this.judged.has(id)) return;
      const b = this.bucket(host, port);
      if (!b) return;
      b.intercepts.set(id, index);
      b.verdict = null;
      this.interceptOf.set(id, b);
    } else if (mode === 'tunnel') {
      const b = this.bucket(host, port);
      if (!b) return;
      b.tunnels.set(id, index);
      b.verdict = null;
      this.tunnelOf.set(id, b);
    }
  }

  private factsOf(s: HostState): HostFacts {
    let tunnels = 0;
    for (const id of s.tunnels.keys()) if (hadTraffic(this.closeBytes.get(id))) tunnels++;
    return {
      host: s.host,
      port: s.port,
      tls: s.tls,
      upstream: s.upstream,
      passthroughs: s.passthroughs,
      tunnels,
      intercepts: s.intercepts.size,
      requests: s.requests,
      cleartextRequests: s.cleartext,
      passive: s.passive.findings(),
      checks: s.checks.map((c) => c.request),
      lateRefusal: lateRefusal(s),
    };
  }

  /** Answers for the host's check-auth requests: their own, and the originals they copy. */
  private answersFor(s: HostState): Answers {
    const responses = new Map<string, ResponseEvent>();
    const errors = new Map<string, ErrorEvent>();
    const requests = new Map<string, RequestEvent>();
    for (const { request: c } of s.checks) {
      const own = this.checkResponses.get(c.id);
      if (own) responses.set(c.id, own);
      const error = this.errors.get(c.id);
      if (error) errors.set(c.id, error);
      const of = c.check?.of;
      if (of) {
        const original = this.original(of);
        if (original.response) responses.set(of, original.response);
        if (original.request) requests.set(of, original.request);
      }
    }
    return { responses, errors, requests };
  }

  /** The recorded request a check copies, and its answer, read back once. */
  private original(id: string): { request: RequestEvent | undefined; response: ResponseEvent | undefined } {
    let hit = this.originals.get(id);
    if (!hit) {
      const at = (type: 'request' | 'response') => {
        const i = this.source.lastIndexOf(type, id);
        const line = i < 0 ? null : this.source.full(i);
        return line && line.type === type ? line : undefined;
      };
      hit = { request: at('request') as RequestEvent | undefined, response: at('response') as ResponseEvent | undefined };
      this.originals.set(id, hit);
    }
    return hit;
  }

  /** A new line with this id: an original read before may no longer be the last one. */
  private forgetOriginal(id: string): void {
    if (!this.originals.delete(id)) return;
    for (const h of this.checkHost.values()) h.verdict = null;
  }
}

/** late-refusal.ts on the kept counts: every trusted connection carried requests, none answered in full. */
function lateRefusal(s: HostState): boolean {
  const trustedConns = new Set(s.tls.filter((e) => e.scenario === 'trusted' && e.result === 'accepted').map((e) => e.id));
  if (trustedConns.size === 0) return false;
  for (const id of trustedConns) {
    const c = s.conns.get(id);
    if (!c || c.requests === 0 || c.clean > 0) return false;
  }
  return true;
}

/** As groupByHost: a tunnel still open (no close) may well have carried data. */
function hadTraffic(bytes: number | undefined): boolean {
  return bytes === undefined || bytes > 0;
}
