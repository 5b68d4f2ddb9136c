// Turns whatever names the target (SNI, CONNECT authority) into the one canonical form a
// leaf is issued and cached for, so "Example.com.", "[::1]" and "0:0::1" share a leaf.
import { isIPv4, isIPv6 } from 'node:net';

export interface LeafName {
  /** Canonical host: lower-case DNS name, dotted IPv4, or compressed IPv6 without brackets. */
  host: string;
  /** Address bytes for an iPAddress SAN, or null for a DNS name. */
  ip: Buffer | null;
}

const DIGITS_AND_DOTS = /^[0-9.]+$/;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

export function leafName(raw: string): LeafName {
  let host = raw.trim().toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  // A zone id (fe80::1%eth0) is local routing, not part of the address a client checks.
  if (host.includes(':')) host = host.replace(/%.*$/, '');
  if (host.endsWith('.')) host = host.slice(0, -1);
  // Only strings that could be addresses go through isIPv4/isIPv6: isIPv6's large regex
  // costs 3–14 ms to compile on its first uses, which landed on the first hosts of a burst.
  if (DIGITS_AND_DOTS.test(host) && isIPv4(host)) return { host, ip: Buffer.from(host.split('.').map(Number)) };
  if (host.includes(':') && isIPv6(host)) {
    const canonical = new URL(`http://[${host}]/`).hostname.slice(1, -1);
    return { host: canonical, ip: ipv6Bytes(canonical) };
  }
  if (!DNS_NAME.test(host)) {
    throw new Error(`Cannot issue a certificate for ${JSON.stringify(raw)}: it is neither a host name nor an IP address.`);
  }
  return { host, ip: null };
}

/** Expects the compressed, hex-only form WHATWG URL produces (embedded IPv4 already folded to hex). */
function ipv6Bytes(canonical: string): Buffer {
  const [head, tail] = canonical.includes('::') ? canonical.split('::') : [canonical, undefined];
  const groups = (s: string | undefined): string[] => (s ? s.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
