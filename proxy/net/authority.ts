// host[:port] as a URL or a Host header writes it: an IPv6 address in brackets, the port
// left out when it is the scheme's default. Request lines' URLs, the Host of resends and
// probes, and h2's :authority turned into Host all use this one spelling.

export function authority(host: string, port: number, scheme: 'http' | 'https'): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return port === (scheme === 'https' ? 443 : 80) ? h : `${h}:${port}`;
}
