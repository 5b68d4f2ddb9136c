import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/judge.js';
import { renderJunit } from '../../proxy/report/junit.js';
import { EventBuilder } from '../fixtures/events.js';
import { EVIL_HOST, sampleSession } from '../fixtures/sample-session.js';

interface Case { '@_classname': string; '@_name': string; failure?: { '@_type': string; '@_message': string }; skipped?: unknown }
interface Suite { '@_name': string; '@_tests': string; '@_failures': string; '@_skipped': string; testcase: Case[] }

function parse(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' });
  return parser.parse(xml) as { testsuites: { '@_tests': string; '@_failures': string; '@_skipped': string; testsuite: Suite[] } };
}

describe('JUnit report', () => {
  it('has one suite per host and one case per check, failing on findings of severity low or worse', () => {
    const doc = parse(renderJunit(judge(sampleSession().lines, { file: 's.jsonl' })));
    const suites = doc.testsuites.testsuite;
    expect(suites).toHaveLength(5);
    expect(doc.testsuites['@_tests']).toBe('25');
    for (const s of suites) expect(s.testcase.map((c) => c['@_name'])).toEqual(['pinning', 'validation', 'mtls', 'cleartext', 'backend']);

    const failed = suites.flatMap((s) => s.testcase.filter((c) => c.failure).map((c) => `${s['@_name']} ${c['@_name']}`));
    expect(failed.sort()).toEqual([
      `${EVIL_HOST}:443 pinning`,
      'broken.example.com:443 pinning',
      'broken.example.com:443 validation',
      'plain.example.com:80 cleartext',
    ].sort());
    expect(doc.testsuites['@_failures']).toBe('4');

    const broken = suites.find((s) => s['@_name'] === 'broken.example.com:443');
    expect(broken?.['@_failures']).toBe('2');
    expect(broken?.testcase.find((c) => c['@_name'] === 'validation')?.failure?.['@_type']).toBe('critical');

    const bank = suites.find((s) => s['@_name'] === 'app.bank.test:443');
    const skipped = bank?.testcase.filter((c) => c.skipped !== undefined).map((c) => c['@_name']);
    expect(skipped).toEqual(['pinning', 'validation', 'mtls']);
  });

  it('does not fail a case on an info finding', () => {
    const b = new EventBuilder();
    b.tls({ host: 'a.test', scenario: 'trusted', result: 'rejected', stage: 'after-handshake' });
    const report = judge(b.lines, { file: 's' });
    report.hosts[0]?.findings.push({ id: 'mtls-not-enforced', severity: 'info', title: 'not enforced', masvs: 'MASVS-NETWORK-1' });
    report.hosts[0]!.mtls = { verdict: 'not-enforced', evidence: 'http:200', withCert: 'untested' };
    const doc = parse(renderJunit(report));
    expect(doc.testsuites['@_failures']).toBe('0');
    const mtls = doc.testsuites.testsuite[0]?.testcase.find((c) => c['@_name'] === 'mtls');
    expect(mtls?.failure).toBeUndefined();
    expect(mtls?.skipped).toBeUndefined();
  });

  it('reports an empty session as a skipped test rather than zero tests', () => {
    const doc = parse(renderJunit(judge([], { file: 'empty' })));
    expect(doc.testsuites['@_tests']).toBe('1');
    expect(doc.testsuites['@_skipped']).toBe('1');
  });
});
