// Is host:port Pinprobe's own listener or control API? Compared on one canonical spelling
// per address, so numeric and bracketed forms of loopback cannot slip past (SPEC safety).
import { lanAddresses } from './lan-addresses.js';
import { isLoopbackAddress } from './upstream.js';

/**
 * One spelling per address, as a resolver reads it: numeric IPv4 forms (2130706433,
 * 0x7f000001, 0177.0.0.1, 127.1, 0) and IPv6 ones ([0:0:0:0:0:0:0:1], ::ffff:127.0.0.1)
 * normalised by the URL parser, no brackets, no trailing dot.
 */
export function canonicalHost(host: string): string {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  try {
    return new URL(`http://${h.includes(':') ? `[${h}]` : h}/`).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return h;
  }
}

export function isOwnEndpoint(host: string, port: number, own: { ports: ReadonlySet<number>; listen: string }): boolean {
  if (!own.ports.has(port)) return false;
  const h = canonicalHost(host);
  return h === 'localhost' || h.endsWith('.localhost') || h === '0.0.0.0' || h === '::' || h === '::ffff:0:0' || isLoopbackAddress(h) ||
    lanAddresses().map(canonicalHost).includes(h) || h === canonicalHost(own.listen);
}
