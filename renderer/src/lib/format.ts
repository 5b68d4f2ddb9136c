// Display helpers shared by the views.
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

export function formatClock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleTimeString(undefined, { hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

// A host name comes off the network: a bidirectional override in it could show it as another
// name (x\u202emoc.elpmaxe reads "example.com x"). Shown as '?', as the reports do.
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const bracketed = (host: string): string => {
  const shown = host.replace(BIDI_CONTROLS, '?');
  return shown.includes(':') ? `[${shown}]` : shown;
};

/** A host as the board names it: the port is shown unless it is 443 (a host's :80 and :443 are different rows). */
export function hostPort(host: string, port: number): string {
  return port === 443 ? bracketed(host) : `${bracketed(host)}:${port}`;
}

/** host:port as the report's findings and the API name it: the port always, IPv6 in brackets. */
export function hostWithPort(host: string, port: number): string {
  return `${bracketed(host)}:${port}`;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
