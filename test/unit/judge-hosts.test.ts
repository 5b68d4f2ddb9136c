import { describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/judge.js';
import { matchesHostGlob } from '../../proxy/host-glob.js';
import type { UpstreamEvent } from '../../proxy/session/events.js';
import { EventBuilder } from '../fixtures/events.js';


describe('hosts, session block and other checks', () => {
  it('fills the session block from the header, the end event and the connection count', () => {
    const b = new EventBuilder();
    b.tls({ host: 'a.test', scenario: 'trusted', result: 'accepted' });
    b.tunnel('b.test');
    const end = b.end();
    const report = judge({ header: b.header, events: b.events }, { file: '/tmp/x.pinprobe.jsonl' });
    expect(report.schema).toBe('pinprobe.report/1');
    expect(report.session).toEqual({ file: '/tmp/x.pinprobe.jsonl', started: b.header.time, ended: end.time, connections: 2 });
  });

  it('has ended null and started null without an end event or a header', () => {
    const b = new EventBuilder();
    b.tls({ host: 'a.test', scenario: 'trusted', result: 'accepted' });
    const report = judge({ header: null, events: b.events }, { file: 'f' });
    expect(report.session.started).toBeNull();
    expect(report.session.ended).toBeNull();
  });

  it('flags cleartext http as a high finding, but not the onboarding page', () => {
    const b = new EventBuilder();
    const r = b.request({ host: 'plain.example.com', scheme: 'http' });
    b.response(r);
    b.request({ host: 'pinprobe.invalid', scheme: 'http' });
    const direct = b.request({ host: '192.168.1.10', port: 8080, scheme: 'http' });
    b.response(direct, { synthetic: true });
    const report = judge(b.lines, { file: 's' });
    expect(report.hosts.map((h) => h.host)).toEqual(['plain.example.com']);
    const h = report.hosts[0];
    expect(h?.cleartext).toBe(true);
    expect(h?.findings).toEqual([
      { id: 'cleartext-http', severity: 'high', title: 'Sends cleartext HTTP traffic', masvs: 'MASVS-NETWORK-1', mastg: 'MASTG-TEST-0236' },
    ]);
    expect(h?.pinning).toBe('untested');
    expect(h?.pinningReason).toContain('cleartext');
  });

  it('does not flag https requests as cleartext', () => {
    const b = new EventBuilder();
    b.tls({ host: 'a.test', scenario: 'trusted', result: 'accepted' });
    b.request({ host: 'a.test', scheme: 'https' });
    expect(judge(b.lines, { file: 's' }).hosts[0]?.cleartext).toBe(false);
  });

  it('lists tunnelled-only hosts when they had traffic, and marks auto passthrough hosts', () => {
    const b = new EventBuilder({ passthrough: ['*.bank.test'] });
    b.tunnel('www.bank.test', 443, 500);
    b.tunnel('idle.bank.test', 443, 0);
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', alert: 'certificate_unknown' });
    b.passthrough('api.example.com');
    b.tunnel('api.example.com', 443, 900, 'auto');
    const report = judge(b.lines, { file: 's' });
    const names = report.hosts.map((h) => h.host).sort();
    expect(names).toEqual(['api.example.com', 'www.bank.test']);
    const bank = report.hosts.find((h) => h.host === 'www.bank.test');
    expect(bank?.pinning).toBe('untested');
    expect(bank?.pinningReason).toContain('tunnelled');
    expect(bank?.passthrough).toBeUndefined();
    expect(report.hosts.find((h) => h.host === 'api.example.com')?.passthrough).toBe(true);
  });

  it('sorts hosts by worst finding, then by name', () => {
    const b = new EventBuilder();
    b.tls({ host: 'z-ok.test', scenario: 'trusted', result: 'rejected', stage: 'after-handshake' });
    b.tls({ host: 'b-medium.test', scenario: 'trusted', result: 'accepted' });
    b.tls({ host: 'a-medium.test', scenario: 'trusted', result: 'accepted' });
    b.tls({ host: 'y-critical.test', scenario: 'expired', result: 'accepted' });
    b.request({ host: 'x-high.test', scheme: 'http' });
    const names = judge(b.lines, { file: 's' }).hosts.map((h) => h.host);
    expect(names).toEqual(['y-critical.test', 'x-high.test', 'a-medium.test', 'b-medium.test', 'z-ok.test']);
  });

  it('accepts raw lines with the header first, as the engine keeps them', () => {
    const b = new EventBuilder();
    b.tls({ host: 'a.test', scenario: 'trusted', result: 'accepted' });
    const fromLines = judge(b.lines, { file: 'f' });
    const fromSplit = judge({ header: b.header, events: b.events }, { file: 'f' });
    expect(fromLines).toEqual(fromSplit);
  });

  it('asks judgeMtls about upstream attempts and reports its verdict', () => {
    const b = new EventBuilder();
    b.upstream('api.example.com', { probe: true });
    const h = judge(b.lines, { file: 's' }).hosts[0];
    expect(h?.mtls).toHaveProperty('verdict');
    expect(['enforced', 'not-enforced', 'unknown']).toContain(h?.mtls.verdict);
  });

  it('rates mTLS not enforced as info, or high when the host matches --expect-mtls', () => {
    const plain = new EventBuilder();
    plain.upstream('api.example.com', { outcome: 'answered', stage: 'http', httpStatus: 200 });
    const info = judge(plain.lines, { file: 's' }).hosts[0];
    expect(info?.mtls.verdict).toBe('not-enforced');
    expect(info?.findings).toMatchObject([{ id: 'mtls-not-enforced', severity: 'info', masvs: 'MASVS-NETWORK-1' }]);

    const expected = new EventBuilder({ expectMtls: ['*.example.com'] });
    expected.upstream('api.example.com', { outcome: 'answered', stage: 'http', httpStatus: 200 });
    expect(judge(expected.lines, { file: 's' }).hosts[0]?.findings).toMatchObject([{ id: 'mtls-not-enforced', severity: 'high' }]);
  });

  it('raises a critical finding when the backend served Pinprobe\'s untrusted self-signed client certificate', () => {
    const b = new EventBuilder({ expectMtls: ['api.example.com'] });
    b.upstream('api.example.com', { outcome: 'tls-alert', stage: 'after-handshake', alert: 'certificate_required', httpStatus: null });
    const selfSigned = { subject: 'CN=pinprobe-probe', kind: 'self-signed' } as UpstreamEvent['clientCert'];
    b.upstream('api.example.com', { probe: true, clientCert: selfSigned, outcome: 'answered', stage: 'http', httpStatus: 200 });
    const h = judge(b.lines, { file: 's' }).hosts[0];
    expect(h?.mtls.verdict).toBe('enforced');
    expect(h?.findings[0]).toMatchObject({ severity: 'critical' });
    expect(h?.findings[0]?.id).toMatch(/^mtls-accepts-any/);
  });

  it('matches host globs for --expect-mtls', () => {
    expect(matchesHostGlob(['*.example.com'], 'api.example.com', 443)).toBe(true);
    expect(matchesHostGlob(['*.example.com'], 'API.Example.com', 443)).toBe(true);
    expect(matchesHostGlob(['*.example.com'], 'example.org', 443)).toBe(false);
    expect(matchesHostGlob(['api.example.com:8443'], 'api.example.com', 8443)).toBe(true);
    expect(matchesHostGlob(['api.example.com:8443'], 'api.example.com', 443)).toBe(false);
    expect(matchesHostGlob(['a+b.test'], 'aab.test', 443)).toBe(false);
  });
});

describe('judge robustness', () => {
  it('skips events without a usable host instead of failing the report', () => {
    const b = new EventBuilder();
    b.tls({ host: 'a.test', scenario: 'trusted', result: 'accepted' });
    const broken = [...b.events, { type: 'client-tls', time: 't', id: 'x' }, { type: 'request', time: 't', id: 'z' }, { type: 'connection', time: 't', id: 'y', mode: 'intercept' }];
    const report = judge({ header: b.header, events: broken as typeof b.events }, { file: 's' });
    expect(report.hosts.map((h) => h.host)).toEqual(['a.test']);
  });
});
