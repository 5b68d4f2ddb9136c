// What the timeout and limit settings are, as data: flag, unit, default and wording. No
// imports, so both the settings table (limit-settings.ts builds its entries from this)
// and the renderer's Controls screen (one field per entry) read the same list: a new limit
// added here gets its CLI option, API check and UI field together.

export type LimitFieldKey = 'idleTimeout' | 'handshakeTimeout' | 'headersTimeout' | 'upstreamTimeout' | 'tunnelIdleTimeout' | 'maxConnections' | 'maxConnectionsPerClient';

export interface LimitField {
  key: LimitFieldKey;
  /** the CLI option */
  flag: string;
  /** seconds (fractions allowed) or a whole number of connections, null = automatic */
  unit: 'seconds' | 'connections';
  /** seconds for a timeout; null (automatic) for a limit */
  default: number | null;
  /** short name, for the UI */
  label: string;
  /** what it does, for --help and the UI */
  help: string;
  /** what automatic means, for limits */
  auto?: string;
}

/** A day: longer would only hide a typo (ms given as seconds). */
export const MAX_TIMEOUT_S = 86_400;
export const MAX_CONNECTIONS = 1_000_000;

export const LIMIT_FIELDS: readonly LimitField[] = [
  { key: 'idleTimeout', flag: '--idle-timeout', unit: 'seconds', default: 30, label: 'Idle timeout', help: 'close a connection that sends nothing for this long after opening or after its TLS handshake' },
  { key: 'handshakeTimeout', flag: '--handshake-timeout', unit: 'seconds', default: 10, label: 'TLS handshake timeout', help: "close an intercepted connection whose client's TLS handshake takes longer" },
  { key: 'headersTimeout', flag: '--headers-timeout', unit: 'seconds', default: 30, label: 'Request headers timeout', help: "close a connection whose request's headers take longer once started" },
  { key: 'upstreamTimeout', flag: '--upstream-timeout', unit: 'seconds', default: 30, label: 'Backend answer timeout', help: "answer 502 when a backend has not accepted the connection or sent its answer's headers (or a WebSocket upgrade's answer) within this long; raise it for long-polling APIs" },
  { key: 'tunnelIdleTimeout', flag: '--tunnel-idle-timeout', unit: 'seconds', default: 1800, label: 'Tunnel idle timeout', help: 'close a relayed tunnel after this long without a byte either way' },
  { key: 'maxConnections', flag: '--max-connections', unit: 'connections', default: null, label: 'Max connections', help: 'client connections at once; beyond it the oldest one that sent nothing is closed', auto: 'from the open-files limit' },
  { key: 'maxConnectionsPerClient', flag: '--max-connections-per-client', unit: 'connections', default: null, label: 'Max connections per client address', help: 'client connections from one address at once', auto: 'half of --max-connections' },
];

export function limitField(key: LimitFieldKey): LimitField {
  const f = LIMIT_FIELDS.find((x) => x.key === key);
  if (!f) throw new Error(`no limit field ${key}`);
  return f;
}
