import { describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/judge.js';
import { renderHtml } from '../../proxy/report/html.js';
import { EventBuilder } from '../fixtures/events.js';
import { EVIL_HOST, sampleSession } from '../fixtures/sample-session.js';

function html(b: EventBuilder): string {
  return renderHtml(judge(b.lines, { file: '/data/sessions/s.pinprobe.jsonl' }), b.lines);
}

describe('HTML report', () => {
  it('is one self-contained document: inline style, no scripts, no external assets', () => {
    const page = html(sampleSession());
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<style>');
    expect(page).not.toMatch(/<script\b/i);
    expect(page).not.toMatch(/<link\b/i);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  it('escapes host-controlled text, such as a host named <script>', () => {
    const page = html(sampleSession());
    expect(page).not.toContain(EVIL_HOST);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;.evil.test:443');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;img src=x onerror=alert(2)&gt;');
  });

  it('shows a bidi override in a host name as ?, so the page cannot show it as another name', () => {
    const b = new EventBuilder();
    b.tls({ host: 'x\u202emoc.elpmaxe.dennip', scenario: 'trusted', result: 'accepted' });
    const page = renderHtml(judge(b.lines, { file: 's' }), b.lines);
    expect(page).not.toContain('\u202e');
    expect(page).toContain('x?moc.elpmaxe.dennip');
  });

  it('summarises hosts tested and findings by severity', () => {
    const page = html(sampleSession());
    expect(page).toMatch(/<b>5<\/b>hosts seen/);
    expect(page).toMatch(/<b>4<\/b>hosts tested/);
    expect(page).toMatch(/<b>1<\/b><span class="badge bad">critical<\/span> findings/);
    expect(page).toMatch(/<b>1<\/b><span class="badge bad">high<\/span> findings/);
    expect(page).toMatch(/<b>2<\/b><span class="badge warn">medium<\/span> findings/);
  });

  it('shows per-host verdict badges', () => {
    const page = html(sampleSession());
    for (const name of ['pinned.example.com:443', 'broken.example.com:443', 'plain.example.com:80', 'app.bank.test:443']) {
      expect(page).toContain(name);
    }
    expect(page).toMatch(/class="badge good"[^>]*>Pinned \(stage contrast\)</);
    expect(page).toMatch(/class="badge bad">Broken</);
    expect(page).toMatch(/class="badge warn"[^>]*>Not pinned</);
    expect(page).toMatch(/class="badge dim"[^>]*>Inconclusive</);
    expect(page).toMatch(/class="badge bad">Cleartext</);
    expect(page).toContain('Accepts a self-signed certificate');
  });

  it('lists each connection with scenario, outcome, stage, alert and timing', () => {
    const page = html(sampleSession());
    const pinned = page.slice(page.indexOf('<section class="host" id="host-'), page.length);
    expect(pinned).toMatch(/<td>trusted<\/td><td><span class="badge good">rejected<\/span><\/td><td>after-handshake<\/td>/);
    expect(page).toMatch(/<td>self-signed<\/td><td><span class="badge good">rejected<\/span><\/td><td>handshake<\/td><td class="mono">unknown_ca<\/td>/);
    expect(page).toMatch(/<td>self-signed<\/td><td><span class="badge bad">accepted<\/span>/);
    expect(page).toContain('handshake 12 ms, first byte 20 ms, close 40 ms');
    expect(page).toContain('GET http://plain.example.com/login');
  });

  it('says what was not tested, why, and what to do', () => {
    const page = html(sampleSession());
    expect(page).toContain("<b>expired, untrusted-root</b>: untested — no new connection was given this certificate yet — open the app's screens that talk to this host again");
    expect(page).toMatch(/<b>self-signed, wrong-host, expired, untrusted-root<\/b>: untested — after the trusted certificate was rejected the host was tunnelled untouched \(auto passthrough\)/);
    expect(page).toContain('<b>mTLS</b>: unknown');
    const forced = new EventBuilder({ scenario: 'expired' });
    forced.tls({ host: 'a.test', scenario: 'expired', result: 'rejected' });
    expect(html(forced)).toContain('<b>trusted, self-signed, wrong-host, untrusted-root</b>: untested — the session forced <code>--scenario expired</code>');
  });

  it('says that no traffic is not a pass', () => {
    expect(html(new EventBuilder())).toMatch(/No traffic was recorded.*not a pass/);
  });
});
