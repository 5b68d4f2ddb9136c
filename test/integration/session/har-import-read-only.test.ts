// HAR import as a read-only session: a session recorded through the real engine with curl
// against a real origin (a JSON GET, a binary answer, a form POST, an unanswered request),
// exported with `pinprobe report --format har`, imported again: the same requests and
// answers. Opened in the control API's view it has traffic and no verdicts (with the reason
// carried as `source: 'har'`), and bad HAR input is refused naming the file and what is
// wrong while the current view stays as it was.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionView } from '../../../proxy/api/session-view.js';
import type { RequestEvent, ResponseEvent, SessionEvent } from '../../../proxy/session/events.js';
import { importHar } from '../../../proxy/session/har-import.js';
import { readSession } from '../../../proxy/session/reader.js';
import { FakeEngine } from '../../helpers/fake-engine.js';
import { startEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { curl, pinprobe, run } from '../../helpers/run.js';
import { harProblems } from '../../helpers/har-validate.js';

const dir = mkdtempSync(join(tmpdir(), 'pinprobe-har-import-'));
let origin: Origin;
let sessionFile = '';
let harFile = '';

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    if (req.url === '/png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff, 0xfe]));
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': 'sid=abc; Path=/; HttpOnly' });
      res.end(JSON.stringify({ method: req.method, url: req.url, got: body }));
    });
  });
  const p = await startEngine({ scenario: 'trusted', mapRemote: [{ from: 'api.app.test', to: `127.0.0.1:${origin.port}` }] });
  const ca = ['--cacert', p.caPath];
  await curl(p.proxyUrl, 'https://api.app.test/v1/items?page=2', [...ca, '-H', 'accept: application/json']);
  await curl(p.proxyUrl, 'https://api.app.test/png', ca);
  await run('curl', ['-sS', '--proxy', p.proxyUrl, ...ca, '--data', 'user=ann&note=a%20b', 'https://api.app.test/login']);
  // No answer: the backend is not there (a 502 from Pinprobe itself, marked synthetic).
  // HTTP/1.1 keeps this HAR test's request as it was; an h2 client's 502 for a refused
  // backend is tested in h2-forwarding.test.ts (fixed there since this was written).
  await curl(p.proxyUrl, 'https://127.0.0.1:9/gone', [...ca, '--http1.1']);
  await p.waitFor((l) => l.type === 'response' && l.status === 502);
  await p.close();
  sessionFile = p.engine.sessionFile;
  harFile = join(dir, 'export.har');
  const r = await pinprobe(['report', sessionFile, '--format', 'har', '--out', harFile]);
  expect(r.code, r.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await origin.close();
});

const requests = (events: readonly SessionEvent[]) => events.filter((e): e is RequestEvent => e.type === 'request');
const responses = (events: readonly SessionEvent[]) => events.filter((e): e is ResponseEvent => e.type === 'response');
const shape = (r: RequestEvent) => ({ method: r.method, url: r.url, host: r.host, port: r.port, scheme: r.scheme, headers: r.headers, body: r.body, time: r.time, conn: r.conn });
const answer = (r: ResponseEvent) => ({ status: r.status, statusText: r.statusText, headers: r.headers, body: r.body, synthetic: r.synthetic ?? false });

describe('HAR import', () => {
  it('round trip: recorded session -> pinprobe report --format har -> import gives the same requests and answers', async () => {
    const recorded = (await readSession(sessionFile)).events;
    expect(harProblems(JSON.parse(readFileSync(harFile, 'utf8')))).toEqual([]);
    const imported = importHar(readFileSync(harFile, 'utf8'), harFile);
    expect(imported.warnings).toEqual([]);
    expect(requests(imported.events).map(shape)).toEqual(requests(recorded).map(shape));
    expect(responses(imported.events).map(answer)).toEqual(responses(recorded).map(answer));
    expect(requests(imported.events).map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET https://api.app.test/v1/items?page=2',
      'GET https://api.app.test/png',
      'POST https://api.app.test/login',
      'GET https://127.0.0.1:9/gone',
    ]);
    const png = responses(imported.events)[1]!;
    expect(png.body).toMatchObject({ encoding: 'base64', size: 14, truncated: false });
    expect(requests(imported.events)[2]!.body).toMatchObject({ encoding: 'utf8', data: 'user=ann&note=a%20b' });
  });

  it('opened in the view: read-only traffic, no verdicts, source "har"; its own HAR export is the same again', async () => {
    const view = new SessionView(new FakeEngine());
    const info = await view.open(harFile);
    expect(info).toMatchObject({ mode: 'file', file: harFile, source: 'har', warnings: [] });
    expect(requests(view.lines() as SessionEvent[])).toHaveLength(4);
    // A plain judge of these lines would find hosts; a HAR view must not make verdicts up.
    expect(view.report().hosts).toEqual([]);
    const { toHar } = await import('../../../proxy/session/har.js');
    const again = toHar(view.lines(), { creatorVersion: 'x' });
    expect(harProblems(JSON.parse(JSON.stringify(again)))).toEqual([]);
    const first = JSON.parse(readFileSync(harFile, 'utf8')) as { log: { entries: Array<{ request: unknown; response: unknown }> } };
    expect(again.log.entries.map((e) => [e.request, e.response])).toEqual(first.log.entries.map((e) => [e.request, e.response]));
    view.close();
  });

  it('a HAR from elsewhere: entries out of order are sorted, a bad entry is skipped with a warning naming it', () => {
    const har = {
      log: {
        version: '1.2', creator: { name: 'Chrome', version: '1' },
        entries: [
          { startedDateTime: '2026-01-01T10:00:02Z', request: { method: 'GET', url: 'https://b.test/2', httpVersion: 'h2', headers: [{ name: 'x', value: 'y' }] }, response: { status: 204, statusText: '', headers: [], content: { size: 0 } }, timings: { send: 1, wait: 2, receive: 3 } },
          { startedDateTime: '2026-01-01T10:00:01Z', request: { method: 'GET', url: 'https://a.test/1' }, response: { status: 200, content: { size: 5000, text: 'short', mimeType: 'text/plain' } } },
          { startedDateTime: '2026-01-01T10:00:03Z', request: { method: 'GET', url: '/relative' } },
        ],
      },
    };
    const r = importHar(JSON.stringify(har), 'chrome.har');
    expect(requests(r.events).map((e) => e.url)).toEqual(['https://a.test/1', 'https://b.test/2']);
    expect(r.warnings).toEqual(['chrome.har: skipped 1 of 3 HAR entries (entry 3: request.url "/relative" is not an absolute URL)']);
    // Text shorter than the declared size: kept as truncated, with the true size.
    expect(responses(r.events)[0]!.body).toEqual({ size: 5000, encoding: 'utf8', data: 'short', truncated: true });
    expect(responses(r.events)[1]!.timings).toEqual({ sendMs: 1, waitMs: 2, receiveMs: 3 });
    expect(requests(r.events)[1]!.httpVersion).toBe('h2');
  });

  it('WebSocket entries (ws:// URL, _webSocketMessages as Chrome and Pinprobe export them) come back as the upgrade and its messages', async () => {
    const { toHar } = await import('../../../proxy/session/har.js');
    const t = (ms: number) => new Date(Date.parse('2026-12-02T10:00:00Z') + ms).toISOString();
    const body = (data: string, encoding: 'utf8' | 'base64' = 'utf8') => ({ size: encoding === 'base64' ? Buffer.from(data, 'base64').length : Buffer.byteLength(data), encoding, data, truncated: false });
    const events: SessionEvent[] = [
      { type: 'request', time: t(0), id: 'r1', conn: 'c1', scheme: 'https', method: 'GET', url: 'https://chat.app.test/socket', host: 'chat.app.test', port: 443, httpVersion: '1.1', headers: [['Upgrade', 'websocket']], body: body(''), clientAddress: '10.0.0.2' },
      { type: 'response', time: t(5), id: 'r1', status: 101, statusText: 'Switching Protocols', httpVersion: '1.1', headers: [['Upgrade', 'websocket']], body: body(''), timings: { sendMs: 0, waitMs: 5, receiveMs: 0 } },
      { type: 'ws-message', time: t(10), ws: 'w1', request: 'r1', direction: 'send', opcode: 1, body: body('{"hello":1}') },
      { type: 'ws-message', time: t(20), ws: 'w1', request: 'r1', direction: 'receive', opcode: 2, body: body(Buffer.from([1, 2, 255]).toString('base64'), 'base64') },
    ];
    const file = join(dir, 'ws.har');
    writeFileSync(file, JSON.stringify(toHar(events, { creatorVersion: 'x' })));
    const r = importHar(readFileSync(file, 'utf8'), file);
    expect(r.warnings).toEqual([]);
    expect(requests(r.events).map((e) => e.url)).toEqual(['https://chat.app.test/socket']);
    expect(responses(r.events).map((e) => e.status)).toEqual([101]);
    const messages = r.events.filter((e) => e.type === 'ws-message');
    expect(messages.map((m) => [m.time, m.direction, m.opcode, m.body.encoding, m.body.data, m.body.size])).toEqual([
      [t(10), 'send', 1, 'utf8', '{"hello":1}', 11],
      [t(20), 'receive', 2, 'base64', 'AQL/', 3],
    ]);
    expect(new Set(messages.map((m) => m.request))).toEqual(new Set([requests(r.events)[0]!.id]));
  });

  it('the CLI on a HAR file: report, diff and check-auth exit 2 saying it is HAR (no TLS outcomes, so no verdicts)', async () => {
    for (const args of [['report', harFile, '--fail-on', 'info'], ['diff', sessionFile, harFile], ['check-auth', harFile, '--host', 'api.app.test']]) {
      const r = await pinprobe(args);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`${harFile} is not a Pinprobe session: it holds a HAR file (HTTP requests only: no TLS outcomes, so no verdicts; open it in the UI to browse its traffic)`);
    }
  });

  it('bad HAR input: refused with the file and what is wrong; the view stays as it was', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['cut.har', '{"log": {"entries": [ {"request": ', /cut\.har is not a HAR file: it is not valid JSON \(it ends mid-way: the file looks cut short\)/],
      ['comma.har', '{"log": {\n  "entries": [],\n}}', /comma\.har is not a HAR file: it is not valid JSON \(Expected double-quoted property name at line 3, column 1\)/],
      ['nolog.har', '{"entries": []}', /nolog\.har is not a HAR file: it has no "log" object/],
      ['noentries.har', '{"log": {"version": "1.2"}}', /noentries\.har is not a HAR file: "log.entries" is missing/],
      ['badentries.har', '{"log": {"entries": [{"request": {"url": "https://x.test/"}}, 3]}}', /badentries\.har: none of its 2 HAR entries could be read \(entry 1: no request.method; entry 2: not an object\)/],
    ];
    const view = new SessionView(new FakeEngine());
    await view.open(harFile);
    for (const [name, text, message] of cases) {
      const file = join(dir, name);
      writeFileSync(file, text);
      await expect(view.open(file)).rejects.toThrow(message);
      // Nothing lost: the HAR opened before is still what the view shows.
      expect(view.info()).toMatchObject({ file: harFile, source: 'har' });
    }
    view.close();
  });
});
