// The compact form of an evicted request/response line: a few numbers in typed arrays plus
// one shared "tuple" of the values that repeat per connection (method, host, conn, status
// text…), so a long session costs tens of bytes per old line instead of a JS object with its
// strings (~0.5 KiB per request, measured by heap snapshot at 60,000 requests). A compact
// row turns back into exactly the light copy it replaced (`lightCopy`): same keys, same
// order, same values — only lines of the usual shape are compacted (`compact` says no to the
// rest, which then stay light objects).
import { BlockColumn } from './block-column.js';
import type { BodyRecord, HeaderList, RequestEvent, ResponseEvent } from './events.js';

/** Shared by every evicted line (never mutated: a light copy's headers are not edited). */
export const NO_HEADERS: HeaderList = Object.freeze([]) as unknown as HeaderList;

/** Light copies of bodies of one size and encoding share one frozen record. */
const EVICTED_BODIES = new Map<string, BodyRecord>();
export function evictedBody(size: number, encoding: BodyRecord['encoding']): BodyRecord {
  const key = `${encoding}${size}`;
  let body = EVICTED_BODIES.get(key);
  if (!body) {
    if (EVICTED_BODIES.size >= 4096) EVICTED_BODIES.clear();
    body = Object.freeze({ size, encoding, data: '', truncated: true });
    EVICTED_BODIES.set(key, body);
  }
  return body;
}

/** Timings are a few small integers and repeat a lot: equal ones share one frozen object. */
const TIMINGS = new Map<string, ResponseEvent['timings']>();
export function sharedTimings(t: ResponseEvent['timings']): ResponseEvent['timings'] {
  // Only the three known fields; anything richer is kept as it is.
  if (!t || typeof t !== 'object' || Object.keys(t).length !== 3) return t;
  const key = `${t.sendMs},${t.waitMs},${t.receiveMs}`;
  let hit = TIMINGS.get(key);
  if (!hit) {
    if (TIMINGS.size >= 4096) TIMINGS.clear();
    hit = Object.freeze({ sendMs: t.sendMs, waitMs: t.waitMs, receiveMs: t.receiveMs });
    TIMINGS.set(key, hit);
  }
  return hit;
}

/** A compact row's numbers (what its typed-array columns hold for it). */
export interface RowValues {
  tuple: number;
  /** ms after the rows' base time */
  time: number;
  id: number;
  size: number;
  /** F_BASE64 | F_CLOSED_EARLY */
  flags: number;
  send: number;
  wait: number;
  receive: number;
}

interface RequestTuple {
  prefix: string;
  conn: string;
  scheme: RequestEvent['scheme'];
  method: string;
  host: string;
  port: number;
  httpVersion: string;
  clientAddress: string;
}

interface ResponseTuple {
  prefix: string;
  status: number;
  statusText: string;
  httpVersion: string;
  synthetic: boolean | undefined;
}

// The keys of copyRequest's and copyResponse's literals (memory.ts), `evicted` included: a
// line with any other key (a newer or hand-edited file) is not of the usual shape. Checked on
// the line itself or on its in-memory copy (the copy has exactly these keys plus the line's others).
const REQUEST_KEYS = new Set(['type', 'time', 'id', 'conn', 'scheme', 'method', 'url', 'host', 'port', 'httpVersion', 'headers', 'body', 'clientAddress', 'evicted']);
const RESPONSE_KEYS = new Set(['type', 'time', 'id', 'status', 'statusText', 'httpVersion', 'headers', 'body', 'synthetic', 'timings', 'evicted']);

/** Whether every key of `line` is one of `keys`, `clientClosedEarly: true` allowed besides when `early` is. */
function usualKeys(line: object, keys: ReadonlySet<string>, early: boolean): boolean {
  for (const k of Object.keys(line)) {
    if (keys.has(k)) continue;
    if (early && k === 'clientClosedEarly' && (line as ResponseEvent).clientClosedEarly === true) continue;
    return false;
  }
  return true;
}
const ID = /^([a-z])(0|[1-9]\d{0,8})$/;
const F_BASE64 = 1;
const F_CLOSED_EARLY = 2;
const U32 = 0xffff_ffff;

const isU32 = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= U32;

/** ISO time as epoch ms when the string is exactly what toISOString gives back for it. */
function timeMs(time: unknown): number | null {
  // Lines of one millisecond share one time string (engine-bus `now()`): parse it once.
  if (time === lastTime) return lastMs;
  if (typeof time !== 'string' || time.length !== 24) return null;
  const ms = Date.parse(time);
  const ok = Number.isFinite(ms) && new Date(ms).toISOString() === time ? ms : null;
  lastTime = time;
  lastMs = ok;
  return ok;
}
let lastTime: string | null = null;
let lastMs: number | null = null;

/** One row per line index; only rows of compacted lines hold meaningful values. */
export class CompactRows {
  /** ms after `base` (the first compacted line's time): 4 bytes instead of 8. */
  private readonly times = new BlockColumn((n) => new Uint32Array(n));
  private base: number | null = null;
  private readonly ids = new BlockColumn((n) => new Uint32Array(n));
  private readonly tuples = new BlockColumn((n) => new Uint32Array(n));
  private readonly sizes = new BlockColumn((n) => new Uint32Array(n));
  private readonly flags = new BlockColumn((n) => new Uint8Array(n));
  private readonly send = new BlockColumn((n) => new Uint32Array(n));
  private readonly wait = new BlockColumn((n) => new Uint32Array(n));
  private readonly receive = new BlockColumn((n) => new Uint32Array(n));
  private readonly tupleIndex = new Map<string, number>();
  private readonly tupleList: Array<RequestTuple | ResponseTuple> = [];
  /**
   * The last request tuple per connection id, and the last response tuple: a line almost
   * always has the same values as its connection's previous one, so comparing the fields
   * spares building and hashing the key string per line (a hit is the tuple the key names).
   */
  private readonly requestTupleOf = new Map<string, number>();
  private lastResponseTuple = -1;

  /**
   * Stores line `i` as a row (from the line itself or its light copy: only the values a light
   * copy keeps are read); returns the request's URL (kept by the caller) or '' for a
   * response; null when the line is not of the usual shape (kept as an object).
   */
  compact(i: number, line: RequestEvent | ResponseEvent): string | null {
    if (line.type === 'request') return this.compactRequest(i, line);
    return this.compactResponse(i, line) ? '' : null;
  }

  /** The light copy that row `i` stands for; `url` is what compact returned for a request. */
  lightCopy(i: number, url: string | null): RequestEvent | ResponseEvent {
    return this.fromRow(this.valuesOf(i), url);
  }

  /** Row `i`'s numbers, to be kept elsewhere (sealed-blocks.ts) before its block is dropped. */
  valuesOf(i: number): RowValues {
    return {
      tuple: this.tuples.get(i), time: this.times.get(i), id: this.ids.get(i), size: this.sizes.get(i), flags: this.flags.get(i),
      send: this.send.get(i), wait: this.wait.get(i), receive: this.receive.get(i),
    };
  }

  /** The light copy a row's numbers stand for (from `row`, or kept elsewhere). */
  fromRow(v: RowValues, url: string | null): RequestEvent | ResponseEvent {
    const t = this.tupleList[v.tuple]!;
    const time = new Date((this.base ?? 0) + v.time).toISOString();
    const id = `${t.prefix}${v.id}`;
    const body = evictedBody(v.size, v.flags & F_BASE64 ? 'base64' : 'utf8');
    if (url !== null && 'conn' in t) {
      return {
        type: 'request', time, id, conn: t.conn, scheme: t.scheme, method: t.method, url, host: t.host, port: t.port,
        httpVersion: t.httpVersion, headers: NO_HEADERS, body, clientAddress: t.clientAddress, evicted: true,
      };
    }
    const r = t as ResponseTuple;
    const copy: ResponseEvent = {
      type: 'response', time, id, status: r.status, statusText: r.statusText, httpVersion: r.httpVersion, headers: NO_HEADERS, body,
      synthetic: r.synthetic, timings: sharedTimings({ sendMs: v.send, waitMs: v.wait, receiveMs: v.receive }), evicted: true,
    };
    if (v.flags & F_CLOSED_EARLY) copy.clientClosedEarly = true;
    return copy;
  }

  /** The id a row's numbers stand for. */
  idFromRow(tuple: number, id: number): string {
    return `${this.tupleList[tuple]!.prefix}${id}`;
  }

  /** Frees the rows of block `b` (kept elsewhere from now on). */
  drop(b: number): void {
    for (const c of [this.times, this.ids, this.tuples, this.sizes, this.flags, this.send, this.wait, this.receive]) c.drop(b);
  }

  /** The id of row `i` (a compacted line). */
  idOf(i: number): string {
    return `${this.tupleList[this.tuples.get(i)]!.prefix}${this.ids.get(i)}`;
  }

  /** Forgets every row (a new session); tuples stay (they are few and may repeat). */
  reset(): void {
    this.base = null;
    for (const c of [this.times, this.ids, this.tuples, this.sizes, this.flags, this.send, this.wait, this.receive]) c.clear();
  }

  private compactRequest(i: number, l: RequestEvent): string | null {
    if (!usualKeys(l, REQUEST_KEYS, false)) return null;
    const ms = this.delta(timeMs(l.time));
    const id = typeof l.id === 'string' ? ID.exec(l.id) : null;
    if (ms === null || !id || !isU32(Number(id[2])) || !this.bodyOk(l.body)) return null;
    if (typeof l.conn !== 'string' || (l.scheme !== 'http' && l.scheme !== 'https') || typeof l.method !== 'string' || typeof l.url !== 'string'
      || typeof l.host !== 'string' || !isU32(l.port) || typeof l.httpVersion !== 'string' || typeof l.clientAddress !== 'string') return null;
    let tuple = this.requestTupleOf.get(l.conn) ?? -1;
    const t = tuple < 0 ? null : (this.tupleList[tuple] as RequestTuple);
    if (!t || t.prefix !== id[1] || t.scheme !== l.scheme || t.method !== l.method || t.host !== l.host || t.port !== l.port
      || t.httpVersion !== l.httpVersion || t.clientAddress !== l.clientAddress) {
      const key = `q\0${id[1]}\0${l.conn}\0${l.scheme}\0${l.method}\0${l.host}\0${l.port}\0${l.httpVersion}\0${l.clientAddress}`;
      tuple = this.tuple(key, () => ({ prefix: id[1]!, conn: l.conn, scheme: l.scheme, method: l.method, host: l.host, port: l.port, httpVersion: l.httpVersion, clientAddress: l.clientAddress }));
      if (this.requestTupleOf.size >= 4096) this.requestTupleOf.clear();
      this.requestTupleOf.set(l.conn, tuple);
    }
    this.row(i, ms, Number(id[2]), tuple, l.body);
    return l.url;
  }

  private compactResponse(i: number, l: ResponseEvent): boolean {
    if (!usualKeys(l, RESPONSE_KEYS, true)) return false;
    const early = l.clientClosedEarly === true;
    const ms = this.delta(timeMs(l.time));
    const id = typeof l.id === 'string' ? ID.exec(l.id) : null;
    if (ms === null || !id || !isU32(Number(id[2])) || !this.bodyOk(l.body)) return false;
    if (!isU32(l.status) || typeof l.statusText !== 'string' || typeof l.httpVersion !== 'string') return false;
    if (l.synthetic !== undefined && typeof l.synthetic !== 'boolean') return false;
    const t = l.timings;
    if (!t || typeof t !== 'object' || Object.keys(t).join() !== 'sendMs,waitMs,receiveMs' || !isU32(t.sendMs) || !isU32(t.waitMs) || !isU32(t.receiveMs)) return false;
    let tuple = this.lastResponseTuple;
    const last = tuple < 0 ? null : (this.tupleList[tuple] as ResponseTuple);
    if (!last || last.prefix !== id[1] || last.status !== l.status || last.statusText !== l.statusText || last.httpVersion !== l.httpVersion
      || last.synthetic !== l.synthetic) {
      const key = `s\0${id[1]}\0${l.status}\0${l.statusText}\0${l.httpVersion}\0${String(l.synthetic)}`;
      tuple = this.tuple(key, () => ({ prefix: id[1]!, status: l.status, statusText: l.statusText, httpVersion: l.httpVersion, synthetic: l.synthetic }));
      this.lastResponseTuple = tuple;
    }
    this.row(i, ms, Number(id[2]), tuple, l.body);
    if (early) this.flags.set(i, this.flags.get(i) | F_CLOSED_EARLY);
    this.send.set(i, t.sendMs);
    this.wait.set(i, t.waitMs);
    this.receive.set(i, t.receiveMs);
    return true;
  }

  private bodyOk(b: BodyRecord): boolean {
    return typeof b === 'object' && b !== null && isU32(b.size) && (b.encoding === 'utf8' || b.encoding === 'base64');
  }

  /** The time as ms after `base`, or null when it does not fit (before base, or 49 days on). */
  private delta(ms: number | null): number | null {
    if (ms === null) return null;
    this.base ??= ms;
    const d = ms - this.base;
    return isU32(d) ? d : null;
  }

  private tuple(key: string, make: () => RequestTuple | ResponseTuple): number {
    let n = this.tupleIndex.get(key);
    if (n === undefined) {
      n = this.tupleList.length;
      this.tupleList.push(make());
      this.tupleIndex.set(key, n);
    }
    return n;
  }

  private row(i: number, ms: number, id: number, tuple: number, body: BodyRecord): void {
    this.times.set(i, ms);
    this.ids.set(i, id);
    this.tuples.set(i, tuple);
    this.sizes.set(i, body.size);
    this.flags.set(i, body.encoding === 'base64' ? F_BASE64 : 0);
  }
}
