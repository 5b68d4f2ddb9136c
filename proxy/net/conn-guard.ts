// Keeps sockets that send nothing from locking devices out (SPEC: one device must not take
// the proxy down). Three parts:
// - a first-request timer: a connection must send a complete request head (or CONNECT)
//   within `idleTimeoutMs` of opening, else it is closed (Node's headersTimeout only starts
//   at the first byte, so a silent socket stayed for ever);
// - a connection limit below the process's file-descriptor limit, with headroom for the
//   backend sockets and files: at the limit, a new client takes the slot of the oldest
//   connection that has not sent a request yet, taken first from the address holding most;
// - EMFILE/ENFILE on accept: shed idle connections and warn once (the listener stays up).
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import type net from 'node:net';

export interface ConnGuardOptions {
  idleTimeoutMs: number;
  maxConnections: number;
  /** one line for the user (stderr), at most once a minute */
  warn: (message: string) => void;
}

/** The soft open-files limit (Linux /proc; null elsewhere). Node raises it to the hard limit at start-up. */
export function openFilesLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m && m[1] !== 'unlimited' ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Client connections the proxy accepts at once: each intercepted one also holds a backend
 * socket, and 64 descriptors stay free for files, the control API and DNS.
 */
export function defaultMaxConnections(limit = openFilesLimit()): number {
  if (limit === null) return 4096;
  return Math.max(16, Math.floor((limit - 64) / 2));
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
  private lastWarn = 0;

  constructor(private readonly o: ConnGuardOptions) {}

  get count(): number {
    return this.sockets.size;
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
  }

  private admit(s: net.Socket): void {
    const address = s.remoteAddress ?? 'unknown';
    const entry: Tracked = { address, idle: true, timer: null };
    entry.timer = setTimeout(() => s.destroy(), this.o.idleTimeoutMs);
    entry.timer.unref();
    this.sockets.set(s, entry);
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    s.once('close', () => this.forget(s));
    if (this.sockets.size > this.o.maxConnections) {
      const victim = this.oldestIdle(s);
      if (victim) victim.destroy();
      else s.destroy();
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

  /** The oldest socket without a request, from the address with most connections first. */
  private oldestIdle(except: net.Socket): net.Socket | null {
    let heaviest: string | null = null;
    let most = 0;
    for (const [addr, n] of this.perAddress) if (n > most) [heaviest, most] = [addr, n];
    let fallback: net.Socket | null = null;
    // Map order is insertion order: the first match is the oldest.
    for (const [s, e] of this.sockets) {
      if (s === except || !e.idle) continue;
      if (e.address === heaviest) return s;
      fallback ??= s;
    }
    return fallback;
  }

  private outOfDescriptors(code: string): void {
    // Free descriptors at once: half the connections that have not sent a request.
    const idle = [...this.sockets].filter(([, e]) => e.idle).map(([s]) => s);
    for (const s of idle.slice(0, Math.ceil(idle.length / 2))) s.destroy();
    const at = Date.now();
    if (at - this.lastWarn < 60_000) return;
    this.lastWarn = at;
    this.o.warn(`WARNING: out of file descriptors (${code}) with ${this.sockets.size} client connections open: closed ${Math.ceil(idle.length / 2)} that had sent nothing; raise the limit with ulimit -n`);
  }
}
