import { describe, expect, it } from 'vitest';
import { parseSessionText } from '../../proxy/session/reader.js';
import { judge } from '../../proxy/judge/judge.js';

const header = { type: 'session', schema: 'pinprobe.session/1', time: '2026-11-29T10:00:00.000Z', version: '0.1.0', proxy: { listen: '0.0.0.0', port: 8080 }, caSubject: 'x', options: {} };
const tls = { type: 'client-tls', time: '2026-11-29T10:00:01.000Z', id: 'c1', host: 'api.example.com', port: 443, sni: 'api.example.com', clientAddress: '10.0.0.5', scenario: 'trusted', result: 'accepted', stage: null, alert: null, alertCode: null, tlsVersion: 'TLSv1.3', alpn: null, detail: null, timings: { handshakeMs: 5, firstByteMs: 6, closeMs: null, windowMs: 2000 } };

describe('session lines of the wrong shape (a crafted or damaged file)', () => {
  it('are skipped with a warning naming the line and the field, and the rest still judges', () => {
    const lines = [
      header,
      { type: 'connection', time: tls.time, id: 'c0', client: null, target: { host: 'x', port: 443 }, mode: 'intercept', scenario: 'trusted' },
      { type: 'request', time: tls.time, id: 'r1', conn: 'c1', scheme: 'https', method: 'GET', url: 'https://api.example.com/', host: 'api.example.com', port: 443, httpVersion: '1.1', headers: 'x', body: { size: 0, encoding: 'utf8', data: '', truncated: false } },
      { ...tls, scenario: 'bogus' },
      tls,
    ];
    const read = parseSessionText(lines.map((l) => JSON.stringify(l)).join('\n') + '\n', 'crafted.jsonl');
    expect(read.events).toHaveLength(1);
    expect(read.warnings).toEqual([
      expect.stringMatching(/crafted\.jsonl:2: .*"connection" event with a missing or malformed "client"/),
      expect.stringMatching(/crafted\.jsonl:3: .*"request" event with a missing or malformed "headers"/),
      expect.stringMatching(/crafted\.jsonl:4: .*"client-tls" event with a missing or malformed "scenario"/),
    ]);
    expect(judge({ header: read.header, events: read.events }, { file: 'crafted.jsonl' }).hosts[0]?.pinning).toBe('not-pinned');
  });
});
