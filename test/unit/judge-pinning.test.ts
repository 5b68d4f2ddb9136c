import { describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/judge.js';
import { CHROMIUM_JA4, CURL_JA4, EventBuilder, JAVA_JA4 } from '../fixtures/events.js';

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

  it('is inconclusive, not pinned, for a close after the handshake with no evidence (GnuTLS, Node, Firefox on TLS 1.2 refuse so)', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', stage: 'after-handshake' });
    const h = host(b);
    expect(h.pinning).toBe('inconclusive');
    expect(h.pinningEvidence).toBeNull();
    expect(h.pinningReason).toMatch(/completed the handshake/);
    expect(h.pinningReason).toMatch(/To settle it: .*untrusted-root.*--device-trusts-ca 192\.168\.1\.50.*tunnel the host/);
    expect(h.findings).toEqual([]);
  });

  it('is pinned by stage contrast: the same TLS client refused untrusted-root in the handshake, trusted only after it', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', stage: 'after-handshake' });
    b.tls({ host: 'api.example.com', scenario: 'untrusted-root', result: 'rejected', alert: 'unknown_ca' });
    const h = host(b);
    expect(h.pinning).toBe('pinned');
    expect(h.pinningEvidence).toBe('stage-contrast');
    expect(h.pinningReason).toContain('untrusted-root');
    expect(h.pinningReason).toContain('unknown_ca');
  });

  it('takes no stage contrast from another TLS client (different JA4) on the same address', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', stage: 'after-handshake', ja4: JAVA_JA4 });
    b.tls({ host: 'api.example.com', scenario: 'untrusted-root', result: 'rejected', alert: 'unknown_ca', ja4: CURL_JA4 });
    expect(host(b).pinning).toBe('inconclusive');
  });

  it('gives no stage contrast when the bad certificate was also refused only after the handshake', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', stage: 'after-handshake' });
    b.tls({ host: 'api.example.com', scenario: 'untrusted-root', result: 'rejected', stage: 'after-handshake' });
    expect(host(b).pinning).toBe('inconclusive');
  });

  it('is inconclusive, not pinned, for a handshake rejection with no evidence the device trusts the CA', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', stage: 'handshake', alert: 'unknown_ca' });
    const h = host(b);
    expect(h.pinning).toBe('inconclusive');
    expect(h.pinningReason).toContain('refused the trusted certificate in the handshake (unknown_ca); no evidence that the device trusts the CA');
    expect(h.pinningReason).toContain('--device-trusts-ca 192.168.1.50');
  });

  it('is pinned when the device is declared to trust the CA (address or CIDR), for either stage', () => {
    for (const [device, stage] of [['192.168.1.50', 'handshake'], ['192.168.1.0/24', 'after-handshake']] as const) {
      const b = new EventBuilder();
      b.deviceTrust(device);
      b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', stage, alert: stage === 'handshake' ? 'certificate_unknown' : null });
      const h = host(b);
      expect(h.pinning).toBe('pinned');
      expect(h.pinningEvidence).toBe('device-trusts-ca');
      expect(h.pinningReason).toContain(device);
    }
  });

  it('forgets a device declaration that was withdrawn later in the session (the last line wins)', () => {
    const b = new EventBuilder();
    b.deviceTrust('192.168.1.50');
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', alert: 'certificate_unknown' });
    b.deviceTrust('192.168.1.50', false, 'ui');
    expect(host(b).pinning).toBe('inconclusive');
  });

  it('does not apply a declaration to an address outside it', () => {
    const b = new EventBuilder();
    b.deviceTrust('10.0.0.0/8');
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', alert: 'certificate_unknown' });
    expect(host(b).pinning).toBe('inconclusive');
  });

  it('is likely-pinned, not pinned, when only the same TLS client (address + JA4) accepted trusted for another host', () => {
    const b = new EventBuilder();
    b.tls({ host: 'cdn.example.com', scenario: 'trusted', result: 'accepted', clientAddress: '10.0.0.9' });
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', alert: 'certificate_unknown', clientAddress: '10.0.0.9' });
    const h = host(b);
    expect(h.pinning).toBe('likely-pinned');
    expect(h.pinningEvidence).toBe('same-client-trusted-elsewhere');
    expect(h.pinningReason).toContain('cdn.example.com:443');
    expect(h.pinningReason).toContain('10.0.0.9');
    expect(h.pinningReason).toContain('curl/OpenSSL');
    expect(h.pinningReason).toContain('To settle it');
  });

  it('takes that evidence also from a later connection in the session', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', alert: 'certificate_unknown', clientAddress: '10.0.0.9' });
    b.tls({ host: 'cdn.example.com', scenario: 'trusted', result: 'accepted', clientAddress: '10.0.0.9' });
    expect(host(b).pinning).toBe('likely-pinned');
  });

  it('is inconclusive when only a different TLS client on the device trusted the CA (Chrome trusts user CAs, apps do not)', () => {
    const b = new EventBuilder();
    b.tls({ host: 'www.example.com', scenario: 'trusted', result: 'accepted', clientAddress: '10.0.0.9', ja4: CHROMIUM_JA4 });
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', alert: 'certificate_unknown', clientAddress: '10.0.0.9', ja4: JAVA_JA4 });
    const h = host(b);
    expect(h.pinning).toBe('inconclusive');
    expect(h.pinningEvidence).toBeNull();
    expect(h.pinningReason).toContain('Chromium/BoringSSL');
    expect(h.pinningReason).toContain(JAVA_JA4);
    expect(h.pinningReason).toContain('Android 7+');
  });

  it('prefers stage contrast over device trust over the same client elsewhere', () => {
    const b = new EventBuilder();
    b.deviceTrust('192.168.1.50');
    b.tls({ host: 'cdn.example.com', scenario: 'trusted', result: 'accepted' });
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', stage: 'after-handshake' });
    expect(host(b).pinningEvidence).toBe('device-trusts-ca');
    b.tls({ host: 'api.example.com', scenario: 'untrusted-root', result: 'rejected', alert: 'unknown_ca' });
    expect(host(b).pinningEvidence).toBe('stage-contrast');
  });

  it('never shows raw OpenSSL error strings with source paths in a reason', () => {
    const b = new EventBuilder();
    b.tls({
      host: 'api.example.com', scenario: 'trusted', result: 'inconclusive',
      detail: 'the proxy could not complete the TLS handshake: C0D7F1D5D77F0000:error:0A0000C1:SSL routines:tls_post_process_client_hello:no shared cipher:../deps/openssl/openssl/ssl/statem/statem_srvr.c:2283:',
    });
    const reason = host(b).pinningReason;
    expect(reason).toContain('no shared cipher');
    expect(reason).not.toMatch(/error:0A|\.c:\d+|deps\/openssl|SSL routines/);
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
