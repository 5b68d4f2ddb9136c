import { describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/judge.js';
import type { Scenario } from '../../proxy/session/events.js';
import { EventBuilder } from '../fixtures/events.js';

const BAD: Scenario[] = ['self-signed', 'wrong-host', 'expired', 'untrusted-root'];

function validationOf(b: EventBuilder) {
  return judge(b.lines, { file: 's' }).hosts[0];
}

describe('validation verdict', () => {
  it('is ok when all four bad certificates were tested and rejected', () => {
    const b = new EventBuilder();
    b.tls({ host: 'a.test', scenario: 'trusted', result: 'accepted' });
    for (const s of BAD) b.tls({ host: 'a.test', scenario: s, result: 'rejected', alert: 'unknown_ca' });
    expect(validationOf(b)?.validation).toBe('ok');
    expect(validationOf(b)?.findings.filter((f) => f.id.startsWith('validation-'))).toEqual([]);
  });

  it('is broken, with a critical finding per accepted scenario', () => {
    const b = new EventBuilder();
    b.tls({ host: 'a.test', scenario: 'self-signed', result: 'accepted' });
    b.tls({ host: 'a.test', scenario: 'wrong-host', result: 'accepted' });
    b.tls({ host: 'a.test', scenario: 'expired', result: 'rejected' });
    const h = validationOf(b);
    expect(h?.validation).toBe('broken');
    expect(h?.findings.filter((f) => f.severity === 'critical')).toEqual([
      { id: 'validation-self-signed-accepted', severity: 'critical', title: 'Accepts a self-signed certificate', masvs: 'MASVS-NETWORK-1', mastg: 'MASTG-TEST-0282' },
      { id: 'validation-wrong-host-accepted', severity: 'critical', title: 'Accepts a certificate issued for another host name', masvs: 'MASVS-NETWORK-1', mastg: 'MASTG-TEST-0283' },
    ]);
  });

  it('gives expired and untrusted-root their own finding ids', () => {
    const b = new EventBuilder();
    b.tls({ host: 'a.test', scenario: 'expired', result: 'accepted' });
    b.tls({ host: 'a.test', scenario: 'untrusted-root', result: 'accepted' });
    const ids = validationOf(b)?.findings.map((f) => f.id);
    expect(ids).toEqual(['validation-expired-accepted', 'validation-untrusted-root-accepted']);
  });

  it('is partial when only some were tested, or one was inconclusive', () => {
    const b = new EventBuilder();
    b.tls({ host: 'a.test', scenario: 'self-signed', result: 'rejected' });
    expect(validationOf(b)?.validation).toBe('partial');
    const c = new EventBuilder();
    for (const s of BAD) c.tls({ host: 'a.test', scenario: s, result: s === 'expired' ? 'inconclusive' : 'rejected' });
    expect(validationOf(c)?.validation).toBe('partial');
  });

  it('is untested when only trusted was shown', () => {
    const b = new EventBuilder();
    b.tls({ host: 'a.test', scenario: 'trusted', result: 'accepted' });
    expect(validationOf(b)?.validation).toBe('untested');
  });

  it('does not call a client that reached the host by IP (no SNI) a wrong-host acceptor', () => {
    // The leaf is issued for the CONNECT target (IP SAN); a correct client accepts trusted
    // and rejects wrong-host, and must be judged like any named host.
    const b = new EventBuilder();
    b.tls({ host: '203.0.113.7', sni: null, scenario: 'trusted', result: 'accepted' });
    b.tls({ host: '203.0.113.7', sni: null, scenario: 'wrong-host', result: 'rejected', stage: 'after-handshake' });
    const h = validationOf(b);
    expect(h?.host).toBe('203.0.113.7');
    expect(h?.client.trusted.result).toBe('accepted');
    expect(h?.client['wrong-host'].result).toBe('rejected');
    expect(h?.validation).toBe('partial');
    expect(h?.findings.some((f) => f.id === 'validation-wrong-host-accepted')).toBe(false);
  });

  it('files a TLS outcome under its SNI name, not the address the CONNECT named', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', target: '203.0.113.7', scenario: 'trusted', result: 'accepted' });
    const report = judge(b.lines, { file: 's' });
    expect(report.hosts.map((h) => h.host)).toEqual(['api.example.com']);
  });
});
