import { describe, expect, it } from 'vitest';
import { endToEndHeaders, flatHeaders } from '../../proxy/net/http-forward.js';

// The rule spelled out plainly (RFC 9110 §7.6.1): hop-by-hop names and those the Connection
// header lists are dropped, in any case; everything else is kept in order, as received.
const HOP = ['connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'proxy-authenticate'];
function reference(raw: string[]): Array<[string, string]> {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === 'connection') for (const t of raw[i + 1].split(',')) named.add(t.trim().toLowerCase());
  const out: Array<[string, string]> = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP.includes(raw[i].toLowerCase()) && !named.has(raw[i].toLowerCase())) out.push([raw[i], raw[i + 1]]);
  return out;
}

describe('end-to-end headers', () => {
  it('drops hop-by-hop and Connection-named headers in any case, keeping the rest in order', () => {
    expect(endToEndHeaders(['Host', 'a.test', 'Connection', 'keep-alive, X-Hop', 'x-hop', '1', 'TE', 'trailers', 'Transfer-Encoding', 'chunked', 'Accept', '*/*', 'Proxy-Authorization', 'Basic x', 'Upgrade', 'h2c', 'Keep-Alive', 'timeout=5', 'Trailer', 'X-T', 'Content-Type', 'text/plain'])).toEqual([
      ['Host', 'a.test'], ['Accept', '*/*'], ['Content-Type', 'text/plain'],
    ]);
  });

  it('agrees with the plain rule over generated header lists', () => {
    const names = [...HOP, 'Host', 'Accept', 'Cookie', 'content-length', 'Cache-Control', 'X-Custom', 'x-custom', 'Pragma', 'Upgrade-Insecure-Requests', 'TEA', 'Keep', 'Public', 'User-Agent', 'u'];
    const cases = (n: number) => names[n % names.length];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let checked = 0;
    for (let round = 0; round < 500; round++) {
      const raw: string[] = [];
      const count = Math.floor(rnd() * 12);
      for (let i = 0; i < count; i++) {
        let name = cases(Math.floor(rnd() * 1000));
        if (rnd() < 0.3) name = name.toUpperCase();
        const value = name.toLowerCase() === 'connection' ? [cases(Math.floor(rnd() * 1000)), 'close'].join(rnd() < 0.5 ? ', ' : ',') : `v${i}`;
        raw.push(name, value);
      }
      const got = endToEndHeaders(raw);
      expect(got).toEqual(reference(raw));
      expect(flatHeaders(got)).toEqual(got.flat());
      checked++;
    }
    expect(checked).toBe(500);
  });
});
