// Likely pinned / Inconclusive are shown apart from Pinned everywhere, with their evidence;
// a late pin check (request sent, then the connection dropped) is a finding of its own.
import { describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/judge.js';
import { failOn } from '../../proxy/report/fail-on.js';
import { renderHtml } from '../../proxy/report/html.js';
import { renderJunit } from '../../proxy/report/junit.js';
import { renderText } from '../../proxy/report/text.js';
import { EventBuilder } from '../fixtures/events.js';

function session(): EventBuilder {
  const b = new EventBuilder();
  b.tls({ host: 'cdn.example.com', scenario: 'trusted', result: 'accepted', clientAddress: '10.0.0.9' });
  b.tls({ host: 'likely.example.com', scenario: 'trusted', result: 'rejected', alert: 'certificate_unknown', clientAddress: '10.0.0.9' });
  b.tls({ host: 'open.example.com', scenario: 'trusted', result: 'rejected', stage: 'after-handshake', clientAddress: '10.0.0.7' });
  b.tls({ host: 'pinned.example.com', scenario: 'trusted', result: 'rejected', stage: 'after-handshake', clientAddress: '10.0.0.7' });
  b.tls({ host: 'pinned.example.com', scenario: 'untrusted-root', result: 'rejected', alert: 'unknown_ca', clientAddress: '10.0.0.7' });
  return b;
}

describe('reports keep Likely pinned and Inconclusive apart from Pinned', () => {
  const b = session();
  const report = judge(b.lines, { file: 's' });
  const verdict = (name: string) => report.hosts.find((h) => h.host === name);

  it('judges the three cases differently', () => {
    expect(verdict('likely.example.com')?.pinning).toBe('likely-pinned');
    expect(verdict('open.example.com')?.pinning).toBe('inconclusive');
    expect(verdict('pinned.example.com')?.pinning).toBe('pinned');
  });

  it('text: labels with the evidence, and a pinning note for each', () => {
    const text = renderText(report, { color: true });
    const row = (name: string) => text.split('\n').find((l) => l.startsWith(name)) ?? '';
    expect(row('likely.example.com')).toContain('Likely pinned');
    expect(row('likely.example.com')).not.toContain('\x1b[32mLikely'); // not green
    expect(row('open.example.com')).toContain('Inconclusive');
    expect(row('pinned.example.com')).toContain('\x1b[32mPinned');
    expect(text).toContain('likely.example.com:443: Likely pinned (same TLS client trusted the CA elsewhere)');
    expect(text).toContain('pinned.example.com:443: Pinned (stage contrast)');
    expect(text).toMatch(/TLS clients \(JA4\):\n(?:.*\n)*.*curl\/OpenSSL \(JA4 t13d3112h2_/);
  });

  it('HTML: a non-green badge for Likely pinned, naming the evidence, and the TLS client per connection', () => {
    const page = renderHtml(report, b.lines);
    expect(page).toMatch(/class="badge info"[^>]*>Likely pinned \(same TLS client trusted the CA elsewhere\)</);
    expect(page).toMatch(/class="badge dim"[^>]*>Inconclusive</);
    expect(page).toMatch(/class="badge good"[^>]*>Pinned \(stage contrast\)</);
    expect(page).toContain('curl/OpenSSL (JA4 t13d3112h2_e8f1e7e78f70_b26ce05bbdd6)');
  });

  it('JUnit: a likely-pinned pinning case is skipped (not proven), never passed', () => {
    const xml = renderJunit(report);
    const suite = (name: string) => xml.slice(xml.indexOf(`<testsuite name="${name}:443"`), xml.indexOf('</testsuite>', xml.indexOf(`<testsuite name="${name}:443"`)));
    expect(suite('likely.example.com')).toMatch(/name="pinning" time="0">\s*<skipped message="likely-pinned \(same-client-trusted-elsewhere\)/);
    expect(suite('open.example.com')).toMatch(/name="pinning" time="0">\s*<skipped message="inconclusive/);
    expect(suite('pinned.example.com')).toMatch(/name="pinning" time="0">\s*<system-out>Pinned \(stage contrast\)/);
  });

  it('leaves --fail-on unchanged: likely-pinned and inconclusive add no finding', () => {
    expect(verdict('likely.example.com')?.findings).toEqual([]);
    expect(verdict('open.example.com')?.findings).toEqual([]);
    expect(failOn(report, 'medium')).toBe(true); // cdn.example.com: pinning-missing
    expect(failOn(judge(session().lines.filter((l) => !('host' in l) || l.host !== 'cdn.example.com'), { file: 's' }), 'info')).toBe(false);
  });
});

describe('late pin check', () => {
  it('is a medium finding when every trusted connection sent a request and dropped before the answer', () => {
    const b = new EventBuilder();
    for (const id of ['c-a', 'c-b']) {
      b.tls({ id, host: 'late.example.com', scenario: 'trusted', result: 'accepted' });
      const r = b.request({ host: 'late.example.com', conn: id, path: '/login' });
      const res = b.response(r, { status: 502, synthetic: true });
      res.clientClosedEarly = true;
    }
    const h = judge(b.lines, { file: 's' }).hosts[0];
    expect(h?.findings).toContainEqual(expect.objectContaining({ id: 'pinning-late-check', severity: 'medium', title: expect.stringContaining('request left the device') }));
  });

  it('is not reported when one trusted connection got its answer', () => {
    const b = new EventBuilder();
    b.tls({ id: 'c-a', host: 'late.example.com', scenario: 'trusted', result: 'accepted' });
    const dropped = b.response(b.request({ host: 'late.example.com', conn: 'c-a' }));
    dropped.clientClosedEarly = true;
    b.tls({ id: 'c-b', host: 'late.example.com', scenario: 'trusted', result: 'accepted' });
    b.response(b.request({ host: 'late.example.com', conn: 'c-b' }));
    expect(judge(b.lines, { file: 's' }).hosts[0]?.findings.map((f) => f.id)).not.toContain('pinning-late-check');
  });
});
