// The timeouts and limits the listener applies, in the units net/ uses, resolved from the
// engine settings (seconds, null = automatic). Read again for each connection, so a change
// through the control API applies without restarting the listener.
import { readFileSync } from 'node:fs';
import type { EngineSettings } from '../settings-types.js';

export interface ConnLimits {
  /** a new connection until its first request or CONNECT; an intercepted one after its handshake */
  idleTimeoutMs: number;
  /** the client's side of an intercepted TLS handshake */
  handshakeTimeoutMs: number;
  /** a request's headers, once started */
  headersTimeoutMs: number;
  /** a backend's connect and the head of its answer (a WebSocket upgrade's too) */
  upstreamTimeoutMs: number;
  /** a relayed tunnel with no byte either way */
  tunnelIdleTimeoutMs: number;
  /** client connections at once */
  maxConnections: number;
  /** client connections from one address at once */
  maxConnectionsPerClient: number;
}

/** The engine settings the limits are resolved from (declared once, in settings-types). */
export type LimitSettings = Pick<EngineSettings, 'idleTimeout' | 'handshakeTimeout' | 'headersTimeout' | 'upstreamTimeout' | 'tunnelIdleTimeout' | 'maxConnections' | 'maxConnectionsPerClient'>;

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

/** Half the slots: one device cannot take every one, and two busy devices still fit. */
export function defaultMaxPerClient(maxConnections: number): number {
  return Math.max(1, Math.floor(maxConnections / 2));
}

export function resolveLimits(s: LimitSettings, autoMax: number): ConnLimits {
  const maxConnections = s.maxConnections ?? autoMax;
  return {
    idleTimeoutMs: Math.round(s.idleTimeout * 1000),
    handshakeTimeoutMs: Math.round(s.handshakeTimeout * 1000),
    headersTimeoutMs: Math.round(s.headersTimeout * 1000),
    upstreamTimeoutMs: Math.round(s.upstreamTimeout * 1000),
    tunnelIdleTimeoutMs: Math.round(s.tunnelIdleTimeout * 1000),
    maxConnections,
    maxConnectionsPerClient: s.maxConnectionsPerClient ?? defaultMaxPerClient(maxConnections),
  };
}
