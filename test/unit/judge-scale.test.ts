import { describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/judge.js';
import { SCENARIOS } from '../../proxy/session/events.js';
import type { SessionEvent } from '../../proxy/session/events.js';
import { EventBuilder } from '../fixtures/events.js';

describe('judge at scale', () => {
  it('judges a 100k-event session', () => {
    const b = new EventBuilder();
    // 200 hosts; every connection yields three events (connection, client-tls, close),
    // plus a request/response pair on every accepted one.
    let i = 0;
    while (b.lines.length < 100_000) {
      const host = `h${i % 200}.example.com`;
      const scenario = SCENARIOS[Math.floor(i / 200) % SCENARIOS.length] ?? 'trusted';
      const accepted = scenario === 'trusted';
      b.tls({ host, scenario, result: accepted ? 'accepted' : 'rejected', alert: 'unknown_ca', clientAddress: `10.0.${i % 3}.1` });
      if (accepted) b.response(b.request({ host }));
      i += 1;
    }
    const events = b.events as SessionEvent[];
    expect(events.length).toBeGreaterThanOrEqual(99_999);
    const report = judge({ header: b.header, events }, { file: 'big' });
    expect(report.hosts).toHaveLength(200);
    expect(report.hosts.every((h) => h.validation === 'ok')).toBe(true);
    expect(report.hosts.every((h) => h.pinning === 'not-pinned')).toBe(true);
  });
});
