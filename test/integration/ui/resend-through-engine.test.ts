// Resend through the real engine and control API to a real mTLS-capable origin (Node https
// with requestCert): as recorded, edited (method, URL, headers, body), without credentials,
// with and without the configured client certificate; input checked with errors naming the
// field; the resent lines are recorded (live session and opened file) and change no verdict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { startControlApi, type ControlApi } from '../../../proxy/api/index.js';
import type { ResendAnswer } from '../../../proxy/api/resend.js';
import { judge } from '../../../proxy/judge/judge.js';
import { lockPath } from '../../../proxy/session/recording-lock.js';
import { readSession } from '../../../proxy/session/reader.js';
import type { RequestEvent, ResponseEvent, SessionLine } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { testPki } from '../../helpers/pki.js';
import { curl } from '../../helpers/run.js';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** CN of the client certificate the origin was shown, or null. */
  clientCn: string | null;
}

describe('Resend from Traffic', () => {
  const pki = testPki();
  let origin: https.Server;
  const seen: Seen[] = [];
  let proxy: TestEngine;
  let api: ControlApi;
  let original: RequestEvent;
  let verdictsBefore = '';

  beforeAll(async () => {
    origin = https.createServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.clientCaCert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const socket = req.socket as TLSSocket;
        const peer = socket.getPeerCertificate();
        seen.push({
          method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString(),
          clientCn: socket.authorized && peer?.subject ? String(peer.subject.CN) : null,
        });
        res.writeHead(200, { 'content-type': 'application/json', 'x-seen': String(seen.length) });
        res.end(JSON.stringify({ n: seen.length, method: req.method }));
      });
    });
    await new Promise<void>((ok) => origin.listen(0, '127.0.0.1', ok));
    const port = (origin.address() as AddressInfo).port;
    proxy = await startEngine({
      scenario: 'trusted',
      mapRemote: [{ from: 'api.app.test', to: `127.0.0.1:${port}` }, { from: 'other.app.test', to: `127.0.0.1:${port}` }],
      clientCerts: [{ host: 'api.app.test', cert: pki.clientCertPath, key: pki.clientKeyPath }],
    });
    api = await startControlApi({ engine: proxy.engine, uiDir: proxy.dataDir, version: '0.0.0-test' });
    const r = await curl(proxy.proxyUrl, 'https://api.app.test/v1/items?api_key=SECRET123&page=2', [
      '--cacert', proxy.caPath, '-X', 'POST', '-H', 'Authorization: Bearer tok-0123456789', '-H', 'Cookie: sid=abc',
      '-H', 'Content-Type: application/json', '--data', '{"a":1}',
    ]);
    expect(r.stdout).toContain('"n":1');
    original = await proxy.waitFor((l): l is RequestEvent => l.type === 'request' && l.method === 'POST' && !l.resend);
    await proxy.waitFor((l) => l.type === 'response' && l.id === original.id);
    // The mTLS prober's own attempt without a certificate: wait for it so verdicts are settled.
    await proxy.waitFor((l) => l.type === 'upstream' && l.probe);
    verdictsBefore = hosts(proxy.engine.lines());
  });
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
    origin.close();
  });

  async function post(body: unknown, token = api.token): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`http://127.0.0.1:${api.port}/api/resend`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }
  async function resend(body: unknown): Promise<ResendAnswer> {
    const r = await post(body);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    return r.json as unknown as ResendAnswer;
  }
  const last = () => seen[seen.length - 1]!;
  const hosts = (lines: readonly SessionLine[]) => JSON.stringify(judge(lines, { file: 'x' }).hosts);

  it('resends the request as recorded: same method, path, headers, body and client certificate at the origin', async () => {
    const before = hosts(proxy.engine.lines());
    const appSeen = seen.find((s) => s.method === 'POST')!;
    const answer = await resend({ of: original.id });
    expect(answer.error).toBeNull();
    expect(answer.response?.status).toBe(200);
    expect(answer.request.resend).toEqual({ of: original.id, edited: [], removed: [], clientCert: { subject: 'CN=test-device-001' }, withoutClientCert: false });
    const s = last();
    expect(s).toMatchObject({ method: 'POST', url: '/v1/items?api_key=SECRET123&page=2', body: '{"a":1}', clientCn: 'test-device-001' });
    for (const h of ['authorization', 'cookie', 'content-type', 'host']) expect(s.headers[h]).toBe(appSeen.headers[h]);
    expect(s.headers['content-length']).toBe('7');
    // Recorded in the live session: the request line marked resend, then its response.
    const line = await proxy.waitFor((l): l is RequestEvent => l.type === 'request' && l.id === answer.request.id);
    expect(line.resend?.of).toBe(original.id);
    expect(proxy.engine.lines().some((l) => l.type === 'response' && l.id === answer.request.id && l.status === 200)).toBe(true);
    expect(hosts(proxy.engine.lines())).toBe(before);
  });

  it('edit and resend: the origin sees the new method, headers and body', async () => {
    const headers = [...original.headers.filter(([n]) => n.toLowerCase() !== 'content-length'), ['X-Edited', 'yes']];
    const answer = await resend({ of: original.id, edit: { method: 'PUT', headers, body: 'changed body' } });
    expect(answer.response?.status).toBe(200);
    expect(answer.request.resend?.edited).toEqual(['method', 'headers', 'body']);
    expect(last()).toMatchObject({ method: 'PUT', body: 'changed body', url: '/v1/items?api_key=SECRET123&page=2' });
    expect(last().headers['x-edited']).toBe('yes');
    expect(last().headers['content-length']).toBe('12');
  });

  it('edit the URL: path and host follow it (Host header too), and a GET with a body keeps its length', async () => {
    const answer = await resend({ of: original.id, edit: { method: 'GET', url: 'https://other.app.test/v2/thing?x=1', body: 'q' } });
    expect(answer.response?.status).toBe(200);
    expect(answer.request).toMatchObject({ host: 'other.app.test', port: 443, url: 'https://other.app.test/v2/thing?x=1' });
    expect(last()).toMatchObject({ method: 'GET', url: '/v2/thing?x=1', body: 'q' });
    expect(last().headers['host']).toBe('other.app.test');
    // No --client-cert rule for other.app.test: none presented.
    expect(last().clientCn).toBeNull();
    expect(answer.request.resend?.clientCert).toBeNull();
  });

  it('without credentials: Authorization, Cookie and the API-key parameter never reach the origin', async () => {
    const answer = await resend({ of: original.id, credentials: 'strip' });
    expect(answer.response?.status).toBe(200);
    expect(answer.request.resend?.removed).toEqual(['authorization', 'cookie', '?api_key']);
    expect(last().url).toBe('/v1/items?page=2');
    expect(last().headers['authorization']).toBeUndefined();
    expect(last().headers['cookie']).toBeUndefined();
    expect(answer.request.headers.some(([n]) => /^(authorization|cookie)$/i.test(n))).toBe(false);
  });

  it('with and without the configured client certificate: the mTLS origin is shown it, or not', async () => {
    const without = await resend({ of: original.id, clientCert: 'none' });
    expect(last().clientCn).toBeNull();
    expect(without.request.resend).toMatchObject({ clientCert: null, withoutClientCert: true });
    const withCert = await resend({ of: original.id, clientCert: 'configured' });
    expect(last().clientCn).toBe('test-device-001');
    expect(withCert.request.resend).toMatchObject({ clientCert: { subject: 'CN=test-device-001' }, withoutClientCert: false });
    const none = await post({ of: original.id, clientCert: 'configured', edit: { url: 'https://other.app.test/' } });
    expect(none.status).toBe(400);
    expect(none.json).toMatchObject({ field: 'clientCert' });
    expect(String(none.json['error'])).toMatch(/no client certificate is configured for other\.app\.test:443/);
  });

  it('an origin that cannot be reached is an answer with the error, and recorded as an error line', async () => {
    const answer = await resend({ of: original.id, edit: { url: 'http://127.0.0.1:9/' } });
    expect(answer.response).toBeNull();
    expect(answer.error).toMatch(/ECONNREFUSED/);
    await proxy.waitFor((l) => l.type === 'error' && l.id === answer.request.id);
  });

  it.each([
    [{ of: 'r9999' }, 404, 'of'],
    [{ of: 12 }, 400, 'of'],
    [{ of: 'r1', edit: { url: 'ftp://x.test/' } }, 400, 'edit.url'],
    [{ of: 'r1', edit: { url: 'not a url' } }, 400, 'edit.url'],
    [{ of: 'r1', edit: { method: 'GE T' } }, 400, 'edit.method'],
    [{ of: 'r1', edit: { headers: [['X-A', 'ok'], ['X-B', 'bad\r\nInjected: 1']] } }, 400, 'edit.headers.1.value'],
    [{ of: 'r1', edit: { headers: [['Bad Name', 'v']] } }, 400, 'edit.headers.0.name'],
    [{ of: 'r1', edit: { headers: 'x' } }, 400, 'edit.headers'],
    [{ of: 'r1', edit: { body: 5 } }, 400, 'edit.body'],
    [{ of: 'r1', edit: { body: '%%', bodyEncoding: 'base64' } }, 400, 'edit.body'],
    [{ of: 'r1', edit: { path: '/x' } }, 400, 'edit.path'],
    [{ of: 'r1', credentials: 'drop' }, 400, 'credentials'],
    [{ of: 'r1', clientCert: 'maybe' }, 400, 'clientCert'],
    [{ of: 'r1', extra: true }, 400, 'extra'],
  ])('refuses %j with %i naming the field %s', async (body, status, field) => {
    const count = seen.length;
    const r = await post(body);
    expect(r.status).toBe(status);
    expect(r.json['field']).toBe(field);
    expect(String(r.json['error'])).toContain(field);
    expect(seen.length).toBe(count);
  });

  it('after every resend above (another host, plain http, refused ones), the verdicts are the same as before', async () => {
    const resent = proxy.engine.lines().filter((l): l is RequestEvent => l.type === 'request' && l.resend !== undefined);
    expect(resent.length).toBeGreaterThanOrEqual(7);
    expect(resent.some((r) => r.host === 'other.app.test')).toBe(true);
    expect(hosts(proxy.engine.lines())).toBe(verdictsBefore);
    expect(judge(proxy.engine.lines(), { file: 'x' }).hosts.map((h) => h.host)).toEqual(['api.app.test']);
  });

  it('needs the control API token', async () => {
    const r = await post({ of: original.id }, 'wrong');
    expect(r.status).toBe(401);
  });

  it('on an opened session file: appended to that file, shown again, verdicts unchanged', async () => {
    proxy.engine.status();
    const file = proxy.engine.sessionFile;
    const call = (path: string, body: unknown) => fetch(`http://127.0.0.1:${api.port}${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    // A copy, so the live session's writer is not the one appended to.
    const copy = `${file}.copy.pinprobe.jsonl`;
    const { copyFileSync } = await import('node:fs');
    copyFileSync(file, copy);
    expect((await call('/api/session/open', { path: copy })).status).toBe(200);
    const before = (await readSession(copy)).events;
    const answer = await resend({ of: original.id, edit: { headers: [['X-From-File', '1']] } });
    expect(answer.response?.status).toBe(200);
    expect(last().headers['x-from-file']).toBe('1');
    const after = await readSession(copy);
    const added = after.events.slice(before.length);
    expect(added.map((l) => l.type)).toEqual(['request', 'response']);
    expect((added[0] as RequestEvent).resend?.of).toBe(original.id);
    expect((added[1] as ResponseEvent).status).toBe(200);
    expect(hosts([...after.events])).toBe(hosts([...before]));
    const view = await (await fetch(`http://127.0.0.1:${api.port}/api/status`, { headers: { authorization: `Bearer ${api.token}` } })).json() as { view: { mode: string; lines: number } };
    expect(view.view).toMatchObject({ mode: 'file', lines: after.events.length + 1 });
    await call('/api/session/live', {});
  });

  it('on the live session\'s own file opened as a file: recorded by the live session, not appended beside it', async () => {
    const file = proxy.engine.status().sessionFile;
    const call = (path: string, body: unknown) => fetch(`http://127.0.0.1:${api.port}${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    expect((await call('/api/session/open', { path: file })).status).toBe(200);
    const liveBefore = proxy.engine.lines().length;
    const answer = await resend({ of: original.id, edit: { headers: [['X-From-Own-File', '1']] } });
    expect(answer.response?.status).toBe(200);
    // In the live session (so its UI and verdicts see it), and in the file once, through its writer.
    const resent = proxy.engine.lines().slice(liveBefore).filter((l) => (l.type === 'request' || l.type === 'response') && l.id === answer.request.id);
    expect(resent.map((l) => l.type)).toEqual(['request', 'response']);
    const live = resent;
    proxy.engine.status();
    const inFile = (await readSession(file)).events.filter((l) => l.type === 'request' && l.headers.some(([k]) => k.toLowerCase() === 'x-from-own-file'));
    expect(inFile).toHaveLength(1);
    // The live session still reads its lines back from the file: nothing was written beside its writer.
    const index = proxy.engine.lines().findIndex((l) => l.type === 'request' && l.id === (live[0] as RequestEvent).id);
    expect(await proxy.engine.fullLine(index)).toMatchObject({ type: 'request', id: (live[0] as RequestEvent).id });
    // The file view was shown again with them.
    const view = await (await fetch(`http://127.0.0.1:${api.port}/api/status`, { headers: { authorization: `Bearer ${api.token}` } })).json() as { view: { mode: string; lines: number } };
    expect(view.view.mode).toBe('file');
    expect(view.view.lines).toBe((await readSession(file)).events.length + 1);
    await call('/api/session/live', {});
  });

  it('on a file another running Pinprobe records: 409 naming it, before anything is sent', async () => {
    const file = proxy.engine.status().sessionFile;
    const copy = `${file}.other.pinprobe.jsonl`;
    const { copyFileSync, writeFileSync, unlinkSync } = await import('node:fs');
    copyFileSync(file, copy);
    const call = (path: string, body: unknown) => fetch(`http://127.0.0.1:${api.port}${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    expect((await call('/api/session/open', { path: copy })).status).toBe(200);
    // A second process standing in for the other Pinprobe, with its marker beside the copy.
    const { spawn } = await import('node:child_process');
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    await new Promise((ok) => other.once('spawn', ok));
    writeFileSync(lockPath(copy), JSON.stringify({ pid: other.pid }));
    try {
      const before = seen.length;
      const r = await post({ of: original.id });
      expect(r.status).toBe(409);
      expect(String(r.json['error'])).toMatch(new RegExp(`is being recorded by a running Pinprobe \\(pid ${other.pid}\\).*resend from that Pinprobe's UI, or stop it first`));
      expect(seen.length).toBe(before);
    } finally {
      other.kill('SIGKILL');
      unlinkSync(lockPath(copy));
      await call('/api/session/live', {});
    }
  });
});

