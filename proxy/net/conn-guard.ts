// Keeps sockets that send nothing from locking devices out (SPEC: one device must not take
// the proxy down). Four parts, with the numbers read from `limits()` at each use (settings):
// - a first-request timer: a connection must send a complete request head (or CONNECT)
//   within `idleTimeoutMs` of opening, else it is closed (Node's headersTimeout only starts
//   at the first byte, so a silent socket stayed for ever);
// - a connection limit below the process's file-descriptor limit, with headroom for the
//   backend sockets and files: at the limit, a new client takes the slot of the oldest
//   connection that has not sent a request yet, taken first from the address holding most;
// - a per-address limit: an address over it gives up its own oldest silent connection, or
//   the new one is refused, so one device cannot take every slot;
// - running out of descriptors: accepting pauses (new connections are closed on arrival, no
//   per-accept work), the oldest silent connections are shed, and a backoff timer resumes
//   accepting once descriptors are free again. One warning line per episode (at most one a
//   minute); the listener itself is never closed, so the port cannot be lost.
//   libuv hides EMFILE on accept: it accepts with a spare descriptor and closes at once
//   (measured on Node 20: no 'error' event), so new clients are silently cut. Hence a watch:
//   once client connections reach a quarter of the open-files limit, /proc/self/fd is
//   counted every 500 ms, and fewer than LOW_WATER free is an episode (so is an EMFILE or
//   ENFILE 'error' when libuv does report one).
import { readdirSync } from 'node:fs';
import type http from 'node:http';
import type net from 'node:net';
import { openFilesLimit, type ConnLimits } from './conn-limits.js';

/** Descriptors that must be free before accepting resumes (files, backend sockets, DNS). */
export const FD_HEADROOM = 64;
/** Fewer free descriptors than this starts an episode. */
export const LOW_WATER = 16;
const WATCH_MS = 500;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2000;

export interface ConnGuardOptions {
  limits: () => Pick<ConnLimits, 'idleTimeoutMs' | 'maxConnections' | 'maxConnectionsPerClient'>;
  /** one line for the user (stderr and the session), at most once a minute */
  warn: (message: string) => void;
  /** a line when accepting resumes after a warned pause */
  notice?: (message: string) => void;
  /** Free descriptors under `limit` now; 0 when that cannot even be looked at (EMFILE), null when unknown (no /proc). */
  freeDescriptors?: (limit: number) => number | null;
  /** The open-files limit (default: read once from /proc); null = unknown, no watch. */
  fdLimit?: number | null;
}

/**
 * Free descriptors under the open-files limit, from /proc/self/fd (Linux). The limit is
 * passed in: reading /proc/self/limits needs a descriptor too, so it is read once at start.
 */
export function freeDescriptors(limit: number): number | null {
  try {
    // The listing itself holds one descriptor while it runs.
    return limit - (readdirSync('/proc/self/fd').length - 1);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EMFILE' || code === 'ENFILE' ? 0 : null;
  }
}

interface Tracked {
  address: string;
  /** still waiting for its first request */
  idle: boolean;
  timer: NodeJS.Timeout | null;
}

export class ConnGuard {
  private sockets = new Map<net.Socket, Tracked>();
  private perAddress = new Map<string, number>();
  private lastWarn = -Infinity;
  /** set while accepting is paused after EMFILE/ENFILE */
  private pause: { since: number; backoffMs: number; timer: NodeJS.Timeout; dropped: number; shed: number; warned: boolean } | null = null;

  private readonly fdLimit: number | null;

  constructor(private readonly o: ConnGuardOptions) {
    this.fdLimit = o.fdLimit === undefined ? openFilesLimit() : o.fdLimit;
  }

  get count(): number {
    return this.sockets.size;
  }

  get paused(): boolean {
    return this.pause !== null;
  }

  /** Watches a server's connections (the outer listener). */
  attach(server: http.Server): void {
    server.on('connection', (s: net.Socket) => this.admit(s));
    const busy = (req: http.IncomingMessage) => this.active(req.socket as net.Socket);
    server.prependListener('request', busy);
    server.prependListener('connect', busy);
    server.prependListener('upgrade', busy);
    server.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EMFILE' || err.code === 'ENFILE') this.outOfDescriptors(err.code);
    });
    const limit = this.fdLimit;
    if (limit !== null) {
      const watch = setInterval(() => this.watch(limit), WATCH_MS);
      watch.unref();
      server.once('close', () => clearInterval(watch));
    }
    server.once('close', () => this.endPause());
  }

  /** Counts free descriptors only when client connections could be what exhausts them. */
  private watch(limit: number): void {
    if (this.pause || this.sockets.size < limit / 4) return;
    const free = this.free();
    if (free !== null && free < LOW_WATER) this.outOfDescriptors(`${free} of ${limit} descriptors free`);
  }

  private admit(s: net.Socket): void {
    if (this.pause) {
      // Paused: the descriptor goes straight back, nothing else is done for it.
      this.pause.dropped++;
      s.destroy();
      return;
    }
    const limits = this.o.limits();
    const address = s.remoteAddress ?? 'unknown';
    const entry: Tracked = { address, idle: true, timer: null };
    entry.timer = setTimeout(() => s.destroy(), limits.idleTimeoutMs);
    entry.timer.unref();
    this.sockets.set(s, entry);
    const fromAddress = (this.perAddress.get(address) ?? 0) + 1;
    this.perAddress.set(address, fromAddress);
    s.once('close', () => this.forget(s));
    if (fromAddress > limits.maxConnectionsPerClient) {
      // Over its own share: that address gives up its oldest silent slot, or this one.
      (this.oldestIdle(s, address) ?? s).destroy();
    } else if (this.sockets.size > limits.maxConnections) {
      (this.oldestIdle(s) ?? s).destroy();
    }
  }

  private active(s: net.Socket): void {
    const entry = this.sockets.get(s);
    if (!entry || !entry.idle) return;
    entry.idle = false;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
  }

  private forget(s: net.Socket): void {
    const entry = this.sockets.get(s);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    this.sockets.delete(s);
    const n = (this.perAddress.get(entry.address) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(entry.address);
    else this.perAddress.set(entry.address, n);
  }

  /**
   * The oldest socket without a request: from `address` only when given, else from the
   * address with most connections first, then from any.
   */
  private oldestIdle(except: net.Socket | null, address?: string): net.Socket | null {
    let heaviest = address ?? null;
    if (address === undefined) {
      let most = 0;
      for (const [addr, n] of this.perAddress) if (n > most) [heaviest, most] = [addr, n];
    }
    let fallback: net.Socket | null = null;
    // Map order is insertion order: the first match is the oldest.
    for (const [s, e] of this.sockets) {
      if (s === except || !e.idle || s.destroyed) continue;
      if (e.address === heaviest) return s;
      if (address === undefined) fallback ??= s;
    }
    return fallback;
  }

  /** Closes up to `n` silent connections, oldest first (heaviest address first); returns how many. */
  private shed(n: number): number {
    let closed = 0;
    while (closed < n) {
      const victim = this.oldestIdle(null);
      if (!victim) break;
      victim.destroy();
      closed++;
    }
    return closed;
  }

  private free(): number | null {
    return this.fdLimit === null ? null : (this.o.freeDescriptors ?? freeDescriptors)(this.fdLimit);
  }

  /** `why`: the errno (EMFILE, ENFILE) or what the watch counted. */
  private outOfDescriptors(why: string): void {
    if (this.pause) return; // already paused: the timer is on it
    const shed = this.shed(Math.max(16, FD_HEADROOM - (this.free() ?? 0)));
    const at = Date.now();
    const warned = at - this.lastWarn >= 60_000;
    this.pause = { since: at, backoffMs: FIRST_BACKOFF_MS, timer: this.resumeLater(FIRST_BACKOFF_MS), dropped: 0, shed, warned };
    if (!warned) return;
    this.lastWarn = at;
    this.o.warn(`WARNING: out of file descriptors (${why}) with ${this.sockets.size} client connections open: accepting paused, closed ${shed} that had sent nothing; accepting resumes when ${FD_HEADROOM} descriptors are free — raise the limit with ulimit -n`);
  }

  private resumeLater(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.tryResume(), ms);
    timer.unref();
    return timer;
  }

  private tryResume(): void {
    const p = this.pause;
    if (!p) return;
    const free = this.free();
    // Unknown (no /proc): resume after the backoff and let accept tell.
    if (free === null || free >= FD_HEADROOM) {
      this.pause = null;
      if (p.warned) this.o.notice?.(`accepting connections again after ${Date.now() - p.since} ms (${free ?? 'unknown'} descriptors free; ${p.shed} silent connections closed, ${p.dropped} new ones refused while paused)`);
      return;
    }
    p.shed += this.shed(Math.max(16, FD_HEADROOM - free));
    p.backoffMs = Math.min(MAX_BACKOFF_MS, p.backoffMs * 2);
    p.timer = this.resumeLater(p.backoffMs);
  }

  private endPause(): void {
    if (this.pause) clearTimeout(this.pause.timer);
    this.pause = null;
  }
}
