// Header conversions between Node's HTTP/2 header objects, raw pair lists (what sessions
// record) and HTTP/1.1 header lists, for the HTTP/2 relay and its translations.
import http2 from 'node:http2';
import type { HeaderList } from '../session/events.js';

/** Fields RFC 9113 §8.2.2 forbids in HTTP/2 (connection-specific): never sent on an h2 stream. */
const CONNECTION_SPECIFIC = new Set(['connection', 'proxy-connection', 'keep-alive', 'transfer-encoding', 'upgrade']);
/** Hop-by-hop in HTTP/1.1 as well (not forwarded to an HTTP/1.1 backend). */
const H1_HOP_BY_HOP = new Set([...CONNECTION_SPECIFIC, 'te', 'trailer', 'proxy-authorization', 'proxy-authenticate', 'host', 'http2-settings']);

/** Node's raw header array [name, value, name, value…] as pairs, pseudo-headers kept in order. */
export function rawPairs(raw: readonly string[]): HeaderList {
  const out: HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
}

/** A header object (as Node hands trailers and responses) as pairs; arrays become repeated fields. */
export function objectPairs(headers: http2.IncomingHttpHeaders | http2.IncomingHttpStatusHeader): HeaderList {
  const out: HeaderList = [];
  for (const name of Object.keys(headers)) {
    const value = (headers as Record<string, string | string[] | number | undefined>)[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.push([name, v]);
    else out.push([name, String(value)]);
  }
  return out;
}

/** Pairs as an outgoing h2 header object: lower-case names, repeats joined into arrays, connection-specific fields left out. */
export function h2Outgoing(pairs: HeaderList, drop: (name: string) => boolean = () => false): http2.OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (const [rawName, value] of pairs) {
    const name = rawName.toLowerCase();
    if (CONNECTION_SPECIFIC.has(name) || drop(name)) continue;
    // `te` may only be "trailers" in HTTP/2 (gRPC sends it); anything else is dropped.
    if (name === 'te' && value.trim().toLowerCase() !== 'trailers') continue;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

/** The regular (non-pseudo) fields of an h2 request, as an HTTP/1.1 request carries them. */
export function h1FromH2(pairs: HeaderList): HeaderList {
  return pairs.filter(([name]) => !name.startsWith(':') && !H1_HOP_BY_HOP.has(name.toLowerCase()));
}

export function pseudo(pairs: HeaderList, name: string): string | undefined {
  return pairs.find(([n]) => n === name)?.[1];
}

export const END_STREAM_FLAG = http2.constants.NGHTTP2_FLAG_END_STREAM;
