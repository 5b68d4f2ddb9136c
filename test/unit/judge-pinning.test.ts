import { describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/judge.js';
import { EventBuilder } from '../fixtures/events.js';

function host(b: EventBuilder, name = 'api.example.com') {
  const found = judge(b.lines, { file: 's' }).hosts.find((h) => h.host === name);
  if (!found) throw new Error(`no host ${name}`);
  return found;
}

describe('pinning verdict', () => {
  it('is not-pinned when a trusted connection was accepted, with a medium finding', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'accepted' });
    const h = host(b);
    expect(h.pinning).toBe('not-pinned');
    expect(h.findings).toContainEqual({
      id: 'pinning-missing', severity: 'medium', title: expect.any(String), masvs: 'MASVS-NETWORK-2', mastg: 'MASTG-TEST-0244',
    });
  });

  it('does not call an unused pre-opened connection closed after the handshake pinning', () => {
    // The app opened two connections, used one and closed the other right after the handshake.
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', stage: 'after-handshake' });
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'accepted' });
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', stage: 'after-handshake' });
    expect(host(b).pinning).toBe('not-pinned');
  });

  it('is pinned when trusted was refused after the handshake', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', stage: 'after-handshake' });
    const h = host(b);
    expect(h.pinning).toBe('pinned');
    expect(h.pinningReason).toMatch(/completed the handshake/);
    expect(h.findings).toEqual([]);
  });

  it('is inconclusive, not pinned, for a handshake rejection with no evidence the device trusts the CA', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', stage: 'handshake', alert: 'unknown_ca' });
    const h = host(b);
    expect(h.pinning).toBe('inconclusive');
    expect(h.pinningReason).toContain('rejected in the handshake (unknown_ca), and no evidence that the device trusts the CA');
  });

  it('is pinned for a handshake rejection when the same device accepted trusted for another host', () => {
    const b = new EventBuilder();
    b.tls({ host: 'cdn.example.com', scenario: 'trusted', result: 'accepted', clientAddress: '10.0.0.9' });
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', alert: 'certificate_unknown', clientAddress: '10.0.0.9' });
    const h = host(b);
    expect(h.pinning).toBe('pinned');
    expect(h.pinningReason).toContain('cdn.example.com:443');
    expect(h.pinningReason).toContain('10.0.0.9');
  });

  it('takes that evidence also from a later connection in the session', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', alert: 'certificate_unknown', clientAddress: '10.0.0.9' });
    b.tls({ host: 'cdn.example.com', scenario: 'trusted', result: 'accepted', clientAddress: '10.0.0.9' });
    expect(host(b).pinning).toBe('pinned');
  });

  it('does not take evidence from another device', () => {
    const b = new EventBuilder();
    b.tls({ host: 'cdn.example.com', scenario: 'trusted', result: 'accepted', clientAddress: '10.0.0.8' });
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', alert: 'certificate_unknown', clientAddress: '10.0.0.9' });
    expect(host(b).pinning).toBe('inconclusive');
  });

  it('does not count another scenario accepted elsewhere as trust in the CA', () => {
    const b = new EventBuilder();
    b.tls({ host: 'cdn.example.com', scenario: 'self-signed', result: 'accepted', clientAddress: '10.0.0.9' });
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', alert: 'unknown_ca', clientAddress: '10.0.0.9' });
    expect(host(b).pinning).toBe('inconclusive');
  });

  it('is not-pinned when the same host accepted a weaker certificate next to a refused trusted one', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', stage: 'after-handshake' });
    b.tls({ host: 'api.example.com', scenario: 'self-signed', result: 'accepted' });
    const h = host(b);
    expect(h.pinning).toBe('not-pinned');
    expect(h.pinningReason).toContain('self-signed');
  });

  it('is inconclusive with the detail when the trusted connection was itself inconclusive', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'inconclusive', detail: 'idle after the window' });
    const h = host(b);
    expect(h.pinning).toBe('inconclusive');
    expect(h.pinningReason).toContain('idle after the window');
  });

  it('is untested when no connection was shown the trusted certificate', () => {
    const b = new EventBuilder({ scenario: 'expired' });
    b.tls({ host: 'api.example.com', scenario: 'expired', result: 'rejected' });
    const h = host(b);
    expect(h.pinning).toBe('untested');
    expect(h.pinningReason).toContain('--scenario expired');
  });

  it('judges a client that connected by IP (no SNI) on the IP host like any other', () => {
    const b = new EventBuilder();
    b.tls({ host: '203.0.113.7', sni: null, scenario: 'trusted', result: 'accepted' });
    expect(host(b, '203.0.113.7').pinning).toBe('not-pinned');
  });
});
