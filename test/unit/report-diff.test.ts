// The session diff's rules on hand-made verdicts: which changes are regressions (and how
// severe), which are improvements, which are only "different"; cleartext, mTLS and backend
// changes; --fail-on; and that the JUnit rendering is valid XML.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/judge.js';
import type { HostVerdict, Report } from '../../proxy/judge/report-types.js';
import { diffFailsOn, diffReports, readableChanges } from '../../proxy/report/diff.js';
import { renderDiffJunit, renderDiffText } from '../../proxy/report/diff-render.js';
import { sampleSession } from '../fixtures/sample-session.js';

const base = (): Report => judge(sampleSession().lines, { file: 'a.jsonl' });

function edit(report: Report, host: string, change: (h: HostVerdict) => void): Report {
  const copy = structuredClone(report);
  copy.session.file = 'b.jsonl';
  const h = copy.hosts.find((x) => x.host === host);
  if (!h) throw new Error(`no ${host} in the sample`);
  change(h);
  return copy;
}

describe('session diff', () => {
  it('a session against itself: every host unchanged, nothing fails even --fail-on info', () => {
    const d = diffReports(base(), base());
    expect(d.hosts.every((h) => h.status === 'unchanged' && h.changes.length === 0)).toBe(true);
    expect(d.summary).toMatchObject({ regressions: 0, improvements: 0, added: 0, removed: 0 });
    expect(diffFailsOn(d, 'info')).toBe(false);
    expect(renderDiffText(d, { color: false })).toContain('No host changed.');
  });

  it('cleartext appearing is a regression with the cleartext finding\'s severity (high); going away an improvement', () => {
    const a = base();
    const host = a.hosts.find((h) => !h.cleartext)!.host;
    const b = edit(a, host, (h) => {
      h.cleartext = true;
      h.findings.push({ id: 'cleartext-http', severity: 'high', title: 'Sends cleartext HTTP traffic', masvs: 'MASVS-NETWORK-1' });
    });
    const d = diffReports(a, b);
    const changes = d.hosts.find((h) => h.host === host)!.changes;
    expect(changes[0]).toMatchObject({ kind: 'regression', check: 'cleartext', severity: 'high', text: 'cleartext HTTP now sent' });
    expect(diffFailsOn(d, 'high')).toBe(true);
    expect(diffFailsOn(d, 'critical')).toBe(false);
    // The finding line is folded into the verdict line for a reader; the JSON keeps both.
    expect(readableChanges(d.hosts.find((h) => h.host === host)!)).toHaveLength(1);
    expect(changes).toHaveLength(2);
    const back = diffReports(b, a).hosts.find((h) => h.host === host)!.changes;
    expect(back.map((c) => c.kind)).toEqual(['improvement', 'improvement']);
  });

  it('a host sent elsewhere by --map-remote in only one session: a change that says the two compare different servers', () => {
    const a = base();
    const b = edit(a, 'app.bank.test', (h) => (h.mappedTo = ['127.0.0.1:8443']));
    const changes = diffReports(a, b).hosts.find((h) => h.host === 'app.bank.test')!.changes;
    expect(changes).toEqual([expect.objectContaining({ kind: 'change', check: 'mtls', before: 'direct', after: '127.0.0.1:8443' })]);
    expect(changes[0]!.text).toBe('backend connections went to the host itself in A, 127.0.0.1:8443 (--map-remote) in B: the mTLS and backend verdicts compare different servers');
    expect(renderDiffText(diffReports(a, b), { color: false })).toContain('~ backend connections went to the host itself in A');
    expect(diffFailsOn(diffReports(a, b), 'info')).toBe(false);
    // The same target on both sides is no change.
    expect(diffReports(b, edit(b, 'app.bank.test', () => undefined)).hosts.find((h) => h.host === 'app.bank.test')!.changes).toEqual([]);
  });

  it('mTLS: enforced -> not-enforced is a regression; unknown on either side is only a change', () => {
    const a = edit(base(), 'app.bank.test', (h) => (h.mtls = { verdict: 'enforced', evidence: 'tls-alert:certificate_required', withCert: 'accepted' }));
    const lost = edit(a, 'app.bank.test', (h) => (h.mtls = { verdict: 'not-enforced', evidence: 'http-200', withCert: 'accepted' }));
    expect(diffReports(a, lost).hosts[0]).toMatchObject({ host: 'app.bank.test', changes: [expect.objectContaining({ kind: 'regression', check: 'mtls', severity: 'info', text: 'mTLS no longer enforced: Enforced → Not enforced' })] });
    const unknown = edit(a, 'app.bank.test', (h) => (h.mtls = { verdict: 'unknown', evidence: null, withCert: 'untested' }));
    const kinds = diffReports(a, unknown).hosts.find((h) => h.host === 'app.bank.test')!.changes.map((c) => c.kind);
    expect(kinds).toEqual(['change', 'change']);
    const certRefused = edit(a, 'app.bank.test', (h) => (h.mtls.withCert = 'rejected'));
    expect(diffReports(a, certRefused).hosts[0]!.changes[0]).toMatchObject({ kind: 'regression', text: 'with the configured client certificate: accepted → rejected' });
  });

  it('backend: an endpoint now served without credentials, and a rate limit gone, are regressions', () => {
    const a = edit(base(), 'app.bank.test', (h) => (h.backend = { auth: [{ method: 'GET', path: '/v1/me', result: 'protected', status: 401 }], rateLimit: 'throttled' }));
    const b = edit(a, 'app.bank.test', (h) => {
      h.backend = { auth: [{ method: 'GET', path: '/v1/me', result: 'unprotected', status: 200 }], rateLimit: 'not-throttled' };
      h.findings.push({ id: 'backend-auth-unprotected', severity: 'high', title: 'Serves /v1/me without credentials', masvs: 'MASVS-AUTH-1' });
    });
    const changes = diffReports(a, b).hosts[0]!.changes;
    expect(changes.filter((c) => c.check === 'backend' && c.finding === undefined).map((c) => [c.kind, c.text])).toEqual([
      ['regression', 'GET /v1/me without credentials: protected → unprotected'],
      ['regression', 'rate limit: throttled → not-throttled'],
    ]);
    expect(changes.every((c) => c.severity === 'high')).toBe(true);
  });

  it('pinning: untested in B is a change, not "pinning lost"', () => {
    const a = base();
    const pinnedHost = a.hosts.find((h) => h.pinning === 'pinned')!;
    const b = edit(a, pinnedHost.host, (h) => (h.pinning = 'untested'));
    const c = diffReports(a, b).hosts.find((h) => h.host === pinnedHost.host)!.changes[0]!;
    expect(c).toMatchObject({ kind: 'change', check: 'pinning', text: 'pinning: Pinned → Untested', severity: null });
  });

  it('new and gone hosts: a new host brings its findings as regressions, a gone one is not an improvement', () => {
    const a = base();
    const gone = a.hosts[a.hosts.length - 1]!;
    const b = structuredClone(a);
    b.hosts = b.hosts.filter((h) => h !== b.hosts[b.hosts.length - 1]);
    const d = diffReports(a, b);
    const h = d.hosts.find((x) => x.host === gone.host)!;
    expect(h.status).toBe('removed');
    expect(h.changes.map((c) => c.kind)).toEqual(['change']);
    expect(d.summary.improvements).toBe(0);
    const added = diffReports(b, a).hosts.find((x) => x.host === gone.host)!;
    expect(added.status).toBe('added');
    expect(added.changes.filter((c) => c.finding).length).toBe(gone.findings.length);
  });

  it('text: a host name with a bidi override or an escape sequence is shown with ? in their place', () => {
    const a = base();
    const b = edit(a, a.hosts[0]!.host, (h) => (h.cleartext = !h.cleartext));
    for (const r of [a, b]) r.hosts[0]!.host = 'x\u202emoc.knab\x1b[2J';
    const text = renderDiffText(diffReports(a, b), { color: false });
    expect(text).toContain('x?moc.knab?[2J');
    expect(text).not.toMatch(/[\u202e\x1b]/);
  });

  it('JUnit is valid XML, one case per host, and two empty sessions are not a green zero-test build', () => {
    const a = base();
    const b = edit(a, 'broken.example.com', (h) => (h.findings = h.findings.filter((f) => !f.id.startsWith('validation'))));
    const parser = new XMLParser({ ignoreAttributes: false, isArray: (n) => n === 'testcase' });
    const xml = renderDiffJunit(diffReports(b, a));
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml) as { testsuites: { '@_tests': string; '@_failures': string; testsuite: { testcase: Array<{ '@_name': string; failure?: { '@_type': string } }> } } };
    expect(Number(doc.testsuites['@_tests'])).toBe(a.hosts.length);
    expect(doc.testsuites.testsuite.testcase.filter((c) => c.failure).map((c) => [c['@_name'], c.failure!['@_type']])).toEqual([['broken.example.com:443', 'critical']]);
    const empty = { ...a, hosts: [] };
    const none = parser.parse(renderDiffJunit(diffReports(empty, empty))) as { testsuites: { '@_tests': string; '@_skipped': string } };
    expect(none.testsuites).toMatchObject({ '@_tests': '1', '@_skipped': '1' });
  });
});
