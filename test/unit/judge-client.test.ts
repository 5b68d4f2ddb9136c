import { describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/judge.js';
import { EventBuilder } from '../fixtures/events.js';

function hostOf(b: EventBuilder, name = 'api.example.com') {
  const host = judge(b.lines, { file: 's.jsonl' }).hosts.find((h) => h.host === name);
  if (!host) throw new Error(`no host ${name}`);
  return host;
}

describe('client result per scenario', () => {
  it('is untested with zero connections when a scenario was never shown', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'accepted' });
    const h = hostOf(b);
    expect(h.client['self-signed']).toEqual({ result: 'untested', stage: null, alert: null, connections: 0 });
    expect(h.client.trusted).toEqual({ result: 'accepted', stage: null, alert: null, connections: 1 });
  });

  it('is accepted when any connection of the scenario was accepted', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'expired', result: 'rejected', alert: 'certificate_expired' });
    b.tls({ host: 'api.example.com', scenario: 'expired', result: 'accepted' });
    b.tls({ host: 'api.example.com', scenario: 'expired', result: 'inconclusive' });
    expect(hostOf(b).client.expired).toEqual({ result: 'accepted', stage: null, alert: null, connections: 3 });
  });

  it('prefers an after-handshake rejection over a handshake one for stage and alert', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'wrong-host', result: 'rejected', stage: 'handshake', alert: 'bad_certificate' });
    b.tls({ host: 'api.example.com', scenario: 'wrong-host', result: 'rejected', stage: 'after-handshake' });
    expect(hostOf(b).client['wrong-host']).toEqual({ result: 'rejected', stage: 'after-handshake', alert: null, connections: 2 });
  });

  it('prefers a handshake rejection that named an alert over a bare close', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'self-signed', result: 'rejected', stage: 'handshake' });
    b.tls({ host: 'api.example.com', scenario: 'self-signed', result: 'rejected', stage: 'handshake', alert: 'unknown_ca' });
    expect(hostOf(b).client['self-signed']).toMatchObject({ result: 'rejected', stage: 'handshake', alert: 'unknown_ca' });
  });

  it('is rejected over inconclusive, and inconclusive when nothing else', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'untrusted-root', result: 'inconclusive' });
    b.tls({ host: 'api.example.com', scenario: 'untrusted-root', result: 'rejected', alert: 'unknown_ca' });
    b.tls({ host: 'api.example.com', scenario: 'expired', result: 'inconclusive' });
    const h = hostOf(b);
    expect(h.client['untrusted-root'].result).toBe('rejected');
    expect(h.client.expired).toEqual({ result: 'inconclusive', stage: null, alert: null, connections: 1 });
  });

  it('groups by host:port and treats host names case-insensitively', () => {
    const b = new EventBuilder();
    b.tls({ host: 'API.example.com', scenario: 'trusted', result: 'accepted' });
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'accepted' });
    b.tls({ host: 'api.example.com', port: 8443, scenario: 'trusted', result: 'rejected' });
    const report = judge(b.lines, { file: 's' });
    expect(report.hosts.map((h) => `${h.host}:${h.port}`).sort()).toEqual(['api.example.com:443', 'api.example.com:8443']);
    expect(report.hosts.find((h) => h.port === 443)?.client.trusted.connections).toBe(2);
  });
});
