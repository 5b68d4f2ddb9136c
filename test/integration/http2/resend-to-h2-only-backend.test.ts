// Resend (/api/resend, net/upstream-send.ts) to a backend that speaks HTTP/2 only: the
// pool's agents say ALPN `http/1.1`, the backend refuses (alert 120), and the resend is
// sent again in h2 — as recorded, edited, and with or without the configured client
// certificate. Before this it failed with "no application protocol".
import type http2 from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlApi, type ControlApi } from '../../../proxy/api/index.js';
import type { ResendAnswer } from '../../../proxy/api/resend.js';
import type { RequestEvent } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startH2Origin, type H2Origin } from '../../helpers/h2.js';
import { testPki } from '../../helpers/pki.js';
import { curl } from '../../helpers/run.js';

interface Seen { method: string; path: string; authority: string; body: string; headers: http2.IncomingHttpHeaders; clientCn: string | null }

const pki = testPki();
let origin: H2Origin;
let proxy: TestEngine;
let api: ControlApi;
let original: RequestEvent;
let originalSeen: Seen;
const seen: Seen[] = [];

beforeAll(async () => {
  // h2 only (no allowHTTP1): an HTTP/1.1-only client is refused in the handshake.
  origin = await startH2Origin((stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const socket = stream.session?.socket as TLSSocket | undefined;
      const peer = socket?.getPeerCertificate();
      seen.push({
        method: String(headers[':method']), path: String(headers[':path']), authority: String(headers[':authority']), body: Buffer.concat(chunks).toString(), headers,
        clientCn: socket?.authorized && peer?.subject ? String(peer.subject.CN) : null,
      });
      stream.respond({ ':status': 201, 'content-type': 'text/plain', 'x-seen': String(seen.length) });
      stream.end(`seen ${seen.length}`);
    });
  }, { ca: pki.clientCaCert, requestCert: true, rejectUnauthorized: false });
  proxy = await startEngine({
    scenario: 'trusted',
    mapRemote: [{ from: 'api.app.test', to: `127.0.0.1:${origin.port}` }],
    clientCerts: [{ host: 'api.app.test', cert: pki.clientCertPath, key: pki.clientKeyPath }],
  });
  api = await startControlApi({ engine: proxy.engine, uiDir: proxy.dataDir, version: '0.0.0-test' });
  const r = await curl(proxy.proxyUrl, 'https://api.app.test/v1/items?page=2', [
    '--http2', '--cacert', proxy.caPath, '-X', 'POST', '-H', 'Authorization: Bearer tok-1', '-H', 'Content-Type: application/json', '--data', '{"a":1}',
  ]);
  // 'seen 1' unless the mTLS prober's probe got there first.
  expect(r.stdout).toMatch(/^seen [12]$/);
  originalSeen = seen[Number(r.stdout.slice(5)) - 1]!;
  expect(originalSeen).toMatchObject({ method: 'POST', clientCn: 'test-device-001' });
  original = await proxy.waitFor((l): l is RequestEvent => l.type === 'request' && l.method === 'POST' && !l.resend);
  await proxy.waitFor((l) => l.type === 'response' && l.id === original.id);
});
afterAll(async () => {
  await api?.close();
  await proxy?.close();
  await origin?.close();
});

async function resend(body: unknown): Promise<ResendAnswer> {
  const res = await fetch(`http://127.0.0.1:${api.port}/api/resend`, {
    method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const json = (await res.json()) as ResendAnswer;
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json;
}
// What the backend saw for this answer: its x-seen header numbers the streams it served.
// Not simply the last one: the mTLS prober's own request (it probes api.app.test without
// the client certificate) may reach the backend in between.
const seenFor = (answer: ResendAnswer): Seen => {
  const n = Number(answer.response?.headers.find(([k]) => k.toLowerCase() === 'x-seen')?.[1]);
  expect(Number.isInteger(n) && n >= 1, `x-seen header in ${JSON.stringify(answer.response?.headers)}`).toBe(true);
  return seen[n - 1]!;
};

describe('Resend to an h2-only backend', () => {
  it('resends the recorded h2 request in h2: same method, path, authority, headers, body and client certificate', async () => {
    expect(original.httpVersion).toBe('2');
    const answer = await resend({ of: original.id });
    expect(answer.error).toBeNull();
    expect(answer.response).toMatchObject({ status: 201, httpVersion: '2' });
    const got = seenFor(answer);
    expect(got).not.toBe(originalSeen);
    expect(got).toMatchObject({ method: 'POST', path: '/v1/items?page=2', authority: 'api.app.test', body: '{"a":1}', clientCn: 'test-device-001' });
    expect(got.headers['authorization']).toBe('Bearer tok-1');
    expect(got.headers['content-type']).toBe('application/json');
    // Recorded in the live session like any resend.
    await proxy.waitFor((l) => l.type === 'response' && l.id === answer.request.id && l.status === 201);
  });

  it('edited (method and body) and without the client certificate: the backend sees the edit and no certificate', async () => {
    const answer = await resend({ of: original.id, edit: { method: 'PUT', body: 'changed' }, clientCert: 'none' });
    expect(answer.error).toBeNull();
    expect(answer.response?.status).toBe(201);
    expect(seenFor(answer)).toMatchObject({ method: 'PUT', body: 'changed', clientCn: null });
    expect(answer.request.resend?.clientCert).toBeNull();
  });
});
