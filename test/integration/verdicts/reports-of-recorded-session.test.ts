// Reports of a really recorded session, rendered by the `pinprobe report` CLI (dist/, built
// by `npm test`): the HTML names every host, its verdicts and each connection's evidence and
// escapes hostile names; the JUnit file parses as XML with failures exactly where validation
// is broken; --fail-on high exits 1 for broken validation and 0 when nothing is that severe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type net from 'node:net';
import tls from 'node:tls';
import { XMLParser } from 'fast-xml-parser';
import { readSession } from '../../../proxy/session/reader.js';
import type { ClientTlsEvent, SessionLine } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { testPki } from '../../helpers/pki.js';
import { curl, pinprobe } from '../../helpers/run.js';

/** A CONNECT host name the HTTP parser lets through that would render as markup if unescaped. */
const HOSTILE = "a&lt;script&gt;'b.app.test";

async function until(cond: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Five new connections: in audit rotation that is one per scenario. */
async function fiveConnections(proxy: TestEngine, host: string, args: string[]): Promise<Array<number | null>> {
  const codes: Array<number | null> = [];
  for (let i = 0; i < 5; i++) codes.push((await curl(proxy.proxyUrl, `https://${host}/`, args)).code);
  return codes;
}

/** CONNECT to a hostile name, then a ClientHello without SNI (the leaf would be issued for the name). */
async function hostileConnect(proxy: TestEngine): Promise<void> {
  const socket = await new Promise<net.Socket>((ok, fail) => {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: `${HOSTILE}:443` });
    req.once('connect', (res, s) => (res.statusCode === 200 ? ok(s) : fail(new Error(`CONNECT answered ${res.statusCode}`))));
    req.once('error', fail);
    req.end();
  });
  await new Promise<void>((ok) => {
    const t = tls.connect({ socket, rejectUnauthorized: false });
    t.once('error', () => ok());
    t.once('secureConnect', () => {
      t.destroy();
      ok();
    });
  });
}

const tlsOf = (lines: readonly SessionLine[]) => lines.filter((l): l is ClientTlsEvent => l.type === 'client-tls');

describe('reports from a recorded session', () => {
  let origin: Origin;
  let file = '';
  let goodOnly = '';
  let events: ClientTlsEvent[] = [];
  const pin = ['--pinnedpubkey', `sha256//${testPki().serverPubkeySha256}`];

  beforeAll(async () => {
    origin = await startOrigin();
    const mapRemote = ['broken.app.test', 'good.app.test'].map((h) => ({ from: h, to: `127.0.0.1:${origin.port}` }));
    // Audit rotation, no auto passthrough, so the pinning host is shown all five certificates.
    const proxy = await startEngine({ autoPassthrough: false, mapRemote });
    // A client that accepts anything, and one that validates and pins (from another address).
    expect(await fiveConnections(proxy, 'broken.app.test', ['-k'])).toEqual([0, 0, 0, 0, 0]);
    expect(await fiveConnections(proxy, 'good.app.test', ['--interface', '127.0.0.2', '--cacert', proxy.caPath, ...pin])).toEqual([90, 60, 60, 60, 60]);
    await hostileConnect(proxy);
    await until(() => tlsOf(proxy.engine.lines()).length === 11);
    await proxy.close();
    file = proxy.engine.sessionFile;
    events = tlsOf((await readSession(file)).events);

    // A second session with only the good host, for --fail-on's negative case.
    const clean = await startEngine({ autoPassthrough: false, mapRemote });
    await fiveConnections(clean, 'good.app.test', ['--cacert', clean.caPath, ...pin]);
    await until(() => tlsOf(clean.engine.lines()).length === 5);
    await clean.close();
    goodOnly = clean.engine.sessionFile;
  });
  afterAll(async () => {
    await origin?.close();
  });

  it('recorded what the clients did (the evidence the reports render)', () => {
    expect(events).toHaveLength(11);
    const row = (host: string) => events.filter((e) => e.host === host).map((e) => `${e.scenario}:${e.result}`);
    expect(row('broken.app.test')).toEqual(['trusted:accepted', 'self-signed:accepted', 'wrong-host:accepted', 'expired:accepted', 'untrusted-root:accepted']);
    expect(row('good.app.test')).toEqual(['trusted:rejected', 'self-signed:rejected', 'wrong-host:rejected', 'expired:rejected', 'untrusted-root:rejected']);
    expect(row(HOSTILE)).toEqual(['trusted:inconclusive']);
  });

  it('json: the verdicts per host', async () => {
    const r = await pinprobe(['report', file, '--format', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { schema: string; session: { connections: number }; hosts: Array<{ host: string; pinning: string; validation: string; findings: Array<{ id: string; severity: string }> }> };
    expect(json.schema).toBe('pinprobe.report/1');
    expect(json.session.connections).toBe(11);
    const by = Object.fromEntries(json.hosts.map((h) => [h.host, h]));
    expect(by['broken.app.test']).toMatchObject({ pinning: 'not-pinned', validation: 'broken' });
    expect(by['broken.app.test']!.findings.filter((f) => f.severity === 'critical').map((f) => f.id).sort()).toEqual([
      'validation-expired-accepted', 'validation-self-signed-accepted', 'validation-untrusted-root-accepted', 'validation-wrong-host-accepted',
    ]);
    expect(by['good.app.test']).toMatchObject({ pinning: 'pinned', validation: 'ok', findings: [] });
    expect(by[HOSTILE]).toMatchObject({ pinning: 'inconclusive', validation: 'untested' });
  });

  it('html: every host, its verdict badges and each connection\'s scenario and outcome, with hostile names escaped', async () => {
    const r = await pinprobe(['report', file, '--format', 'html']);
    expect(r.code).toBe(0);
    const html = r.stdout;
    expect(html).toMatch(/^<!doctype html>/);
    // Self-contained: no scripts, no external assets.
    expect(html).not.toMatch(/<script|<link |src="http|href="http/i);

    const section = (label: string): string => {
      const at = html.indexOf(`<h2><code>${label}</code>`);
      expect(at, `section for ${label}`).toBeGreaterThan(0);
      return html.slice(at, html.indexOf('</section>', at));
    };
    const broken = section('broken.app.test:443');
    expect(broken).toContain('>Not pinned</span>');
    expect(broken).toContain('>Broken</span>');
    for (const title of ['Accepts a self-signed certificate', 'Accepts a certificate issued for another host name', 'Accepts an expired certificate', 'Accepts a certificate from an untrusted root CA']) {
      expect(broken).toContain(title);
    }
    const good = section('good.app.test:443');
    expect(good).toContain('>Pinned (stage contrast)</span>');
    expect(good).toContain('>OK</span>');
    expect(good).toContain('No findings.');

    // Each judged connection is a row with its id, scenario, outcome, stage and alert.
    for (const ev of events.filter((e) => e.host !== HOSTILE)) {
      const host = ev.host === 'good.app.test' ? good : broken;
      const rowAt = host.indexOf(`<td class="mono">${ev.id}</td>`);
      expect(rowAt, `row for ${ev.id}`).toBeGreaterThan(0);
      const row = host.slice(rowAt, host.indexOf('</tr>', rowAt));
      expect(row).toContain(`<td>${ev.scenario}</td>`);
      expect(row).toContain(`>${ev.result}</span>`);
      expect(row).toContain(`<td>${ev.stage ?? '—'}</td>`);
      expect(row).toContain(`<td class="mono">${ev.alert ?? '—'}</td>`);
    }
    // The good host's refusals as the clients really made them.
    expect(good).toMatch(/<td>expired<\/td>[^]*?certificate_expired/);

    // The hostile name is shown escaped, never as the markup it spells.
    expect(html).toContain('a&amp;lt;script&amp;gt;&#39;b.app.test');
    expect(html).not.toContain(HOSTILE);
  });

  it('junit: parses as XML, failing cases where validation is broken and passing ones for the good host', async () => {
    const r = await pinprobe(['report', file, '--format', 'junit']);
    expect(r.code).toBe(0);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(r.stdout, true);
    type Case = { '@name': string; failure?: { '@type': string; '@message': string }; skipped?: unknown };
    type Suite = { '@name': string; '@failures': string; testcase: Case[] };
    const suites = xml.testsuites.testsuite as Suite[];
    const suite = (name: string) => {
      const found = suites.find((s) => s['@name'] === name);
      if (!found) throw new Error(`no testsuite ${name}`);
      return Object.fromEntries(found.testcase.map((c) => [c['@name'], c]));
    };
    const broken = suite('broken.app.test:443');
    expect(broken.validation?.failure?.['@type']).toBe('critical');
    expect(broken.pinning?.failure?.['@type']).toBe('medium');
    expect(broken.cleartext?.failure).toBeUndefined();
    const good = suite('good.app.test:443');
    for (const check of ['pinning', 'validation', 'cleartext']) {
      expect(good[check], check).toBeDefined();
      expect(good[check]?.failure, check).toBeUndefined();
      expect(good[check]?.skipped, check).toBeUndefined();
    }
    expect(good.mtls?.skipped).toBeDefined();
    expect(suites.find((s) => s['@name'] === 'good.app.test:443')?.['@failures']).toBe('0');
    // Counts add up on the root element.
    const failures = suites.reduce((n, s) => n + Number(s['@failures']), 0);
    expect(Number(xml.testsuites['@failures'])).toBe(failures);
    expect(failures).toBe(2);
  });

  it('text: one row per host', async () => {
    const r = await pinprobe(['report', file, '--format', 'text']);
    expect(r.code).toBe(0);
    for (const host of ['broken.app.test', 'good.app.test']) expect(r.stdout).toContain(host);
    expect(r.stdout).not.toMatch(/\u001b\[/); // not a TTY: no colours
  });

  it('--fail-on high exits 1 for broken validation, and 0 for a session without such findings', async () => {
    expect((await pinprobe(['report', file, '--fail-on', 'high'])).code).toBe(1);
    expect((await pinprobe(['report', file, '--fail-on', 'critical'])).code).toBe(1);
    const clean = await pinprobe(['report', goodOnly, '--format', 'json', '--fail-on', 'high']);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout).hosts).toEqual([expect.objectContaining({ host: 'good.app.test', pinning: 'pinned', validation: 'ok', findings: [] })]);
  });
});
