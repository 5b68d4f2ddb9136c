// How a host and port are written wherever they are shown or sent: an IPv6 address in
// brackets (as in a URL), or `::1:443` reads as a longer address. `authority` is the URL
// and Host header form (the scheme's default port left out: request lines' URLs, Host on
// resends and probes, h2's :authority turned into Host); `hostPort` always names the port
// (messages, findings, the addresses a phone is told to use, WebSocket URLs).

const bracketed = (host: string): string => (host.includes(':') ? `[${host}]` : host);

export function authority(host: string, port: number, scheme: 'http' | 'https'): string {
  return port === (scheme === 'https' ? 443 : 80) ? bracketed(host) : `${bracketed(host)}:${port}`;
}

export function hostPort(host: string, port: number): string {
  return `${bracketed(host)}:${port}`;
}
