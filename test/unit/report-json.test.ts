import { describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/judge.js';
import { failOn } from '../../proxy/report/fail-on.js';
import { renderJson } from '../../proxy/report/json.js';
import { renderReport } from '../../proxy/report/index.js';
import { renderText } from '../../proxy/report/text.js';
import { EventBuilder } from '../fixtures/events.js';
import { EVIL_HOST, sampleSession } from '../fixtures/sample-session.js';

describe('JSON report', () => {
  it('is the SPEC schema, pretty-printed, with keys in SPEC order and nothing extra', () => {
    const b = sampleSession();
    const report = judge(b.lines, { file: 'session.jsonl' });
    (report.hosts[0] as unknown as Record<string, unknown>)['internal'] = 'x';
    const text = renderJson(report);
    expect(text).toMatch(/^\{\n {2}"schema": "pinprobe.report\/1",\n {2}"session": /);
    const parsed = JSON.parse(text) as { hosts: Array<Record<string, unknown>>; session: Record<string, unknown> };
    expect(Object.keys(parsed)).toEqual(['schema', 'session', 'hosts']);
    expect(Object.keys(parsed.session)).toEqual(['file', 'started', 'ended', 'connections']);
    expect(Object.keys(parsed.hosts[0] ?? {})).toEqual(['host', 'port', 'client', 'pinning', 'pinningReason', 'pinningEvidence', 'fingerprints', 'validation', 'cleartext', 'mtls', 'backend', 'findings']);
    expect(Object.keys((parsed.hosts[0]?.['client'] ?? {}) as object)).toEqual(['trusted', 'self-signed', 'wrong-host', 'expired', 'untrusted-root']);
    const bank = parsed.hosts.find((h) => h['host'] === 'app.bank.test');
    expect(bank?.['passthrough']).toBe(true);
    expect(bank?.['pinning']).toBe('inconclusive');
    expect(bank?.['pinningEvidence']).toBeNull();
    const pinned = parsed.hosts.find((h) => h['host'] === 'pinned.example.com');
    expect(pinned?.['pinningEvidence']).toBe('stage-contrast');
    expect(pinned?.['fingerprints']).toEqual([expect.stringMatching(/^t13d\d{4}h\d_[0-9a-f]{12}_[0-9a-f]{12}$/)]);
  });
});

describe('failOn', () => {
  it('is true when a finding is at least as severe as the threshold', () => {
    const report = judge(sampleSession().lines, { file: 's' });
    expect(failOn(report, 'critical')).toBe(true);
    const b = new EventBuilder();
    b.tls({ host: 'a.test', scenario: 'trusted', result: 'accepted' });
    const medium = judge(b.lines, { file: 's' });
    expect(failOn(medium, 'high')).toBe(false);
    expect(failOn(medium, 'medium')).toBe(true);
    expect(failOn(medium, 'info')).toBe(true);
    expect(failOn(judge([], { file: 's' }), 'info')).toBe(false);
  });
});

describe('text report', () => {
  it('prints one row per host with the scenario strip, a legend, and no colour when not asked', () => {
    const b = sampleSession();
    const report = judge(b.lines, { file: 'session.jsonl' });
    const text = renderText(report, { color: false });
    expect(text).not.toContain('\x1b[');
    const row = text.split('\n').find((l) => l.startsWith('pinned.example.com:443'));
    expect(row).toMatch(/Pinned\s+OK\s+T✗ S✗ W✗ E✗ U✗\s+Unknown\s+no\s+none/);
    const broken = text.split('\n').find((l) => l.startsWith('broken.example.com:443'));
    expect(broken).toMatch(/Not pinned\s+Broken\s+T✓ S✓ W✗ E· U·/);
    expect(broken).toContain('1 critical, 1 medium');
    expect(text).toMatch(/Legend: T trusted, S self-signed, W wrong-host, E expired, U untrusted-root; ✓ accepted/);
    expect(text).toContain('validation-self-signed-accepted');
  });

  it('colours verdicts with ANSI codes when asked, keeping columns aligned', () => {
    const report = judge(sampleSession().lines, { file: 's' });
    const text = renderText(report, { color: true });
    expect(text).toContain('\x1b[31m');
    const plain = renderText(report, { color: false });
    // eslint-disable-next-line no-control-regex
    expect(text.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
  });

  it('neutralises control characters in host names', () => {
    const b = new EventBuilder();
    b.tls({ host: 'evil\x1b[2J.test', scenario: 'trusted', result: 'accepted' });
    const text = renderText(judge(b.lines, { file: 's' }), { color: false });
    expect(text).not.toContain('\x1b');
    expect(text).toContain('evil?[2j.test');
  });

  it('neutralises bidirectional overrides and isolates, so a host cannot be shown as another name', () => {
    const b = new EventBuilder();
    // Shown reversed after U+202E, this would read "pinned.example.com" in a terminal.
    b.tls({ host: 'x\u202emoc.elpmaxe.dennip', scenario: 'trusted', result: 'accepted' });
    b.tls({ host: 'y\u2066a\u2069\u200f\u061c.test', scenario: 'trusted', result: 'accepted' });
    const text = renderText(judge(b.lines, { file: 's' }), { color: false });
    expect(text).not.toMatch(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain('x?moc.elpmaxe.dennip');
    expect(text).toContain('y?a???.test');
  });

  it('says that no traffic is not a pass', () => {
    const text = renderText(judge([], { file: 'empty' }), { color: false });
    expect(text).toMatch(/No traffic was recorded.*not a pass/);
  });

  it('is reached through renderReport for every format', () => {
    const b = sampleSession();
    const report = judge(b.lines, { file: 's' });
    expect(renderReport('json', report, b.lines)).toBe(renderJson(report));
    expect(renderReport('text', report, b.lines, { color: false })).toContain('pinned.example.com');
    expect(renderReport('html', report, b.lines)).toMatch(/^<!doctype html>/);
    expect(renderReport('junit', report, b.lines)).toMatch(/^<\?xml/);
    expect(renderReport('text', report, b.lines)).toContain(EVIL_HOST.slice(0, 8));
  });
});
