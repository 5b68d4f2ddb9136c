// A realistic recorded session for UI tests and screenshots: two phones, hosts that pin,
// hosts that do not (one with broken validation), an mTLS backend, cleartext tracking,
// a tunnelled host, and enough requests to fill the Traffic list.
import type { SessionEvent } from '../../proxy/session/events.js';
import { SCENARIOS } from '../../proxy/session/events.js';
import { exchange, tlsConnection, type TlsConnectionSpec } from '../helpers/fake-engine.js';

export const DEMO_BASE = Date.parse('2025-06-03T14:02:11.000Z');
const BASE = DEMO_BASE;
const PIXEL = '192.168.1.50';
const IPHONE = '192.168.1.77';

type Outcome = Pick<TlsConnectionSpec, 'result' | 'stage' | 'alert'>;
const REJECT_HS: Outcome = { result: 'rejected', stage: 'handshake', alert: 'certificate_unknown' };
const ACCEPT: Outcome = { result: 'accepted' };

export function demoSession(): SessionEvent[] {
  const out: SessionEvent[] = [];
  let t = 0;
  const conn = (host: string, scenario: TlsConnectionSpec['scenario'], o: Outcome, client = PIXEL, port = 443): string => {
    t += 1300 + Math.round((t * 37) % 900);
    const c = tlsConnection({ host, port, scenario, client, base: BASE, at: t, ...o });
    out.push(...c.events);
    return c.id;
  };
  const req = (connId: string, host: string, path: string, extra: Partial<Parameters<typeof exchange>[0]> = {}): void => {
    t += 450;
    out.push(...exchange({ conn: connId, host, path, base: BASE, at: t, client: PIXEL, ...extra }));
  };

  // api.shopfast.example: trusted accepted, and the app also accepts self-signed and expired.
  const shop = conn('api.shopfast.example', 'trusted', ACCEPT);
  req(shop, 'api.shopfast.example', '/v2/session', { method: 'POST', requestBody: '{"device":"pixel-8","locale":"en-GB"}', responseBody: '{"token":"eyJhbGciOiJIUzI1NiJ9.e30.sig","expires_in":3600}' });
  req(shop, 'api.shopfast.example', '/v2/catalog?page=1', { responseBody: JSON.stringify({ items: [{ id: 101, name: 'Trail shoes', price: 89.9 }, { id: 102, name: 'Rain jacket', price: 129 }], next: 2 }) });
  t += 20;
  out.push({
    type: 'upstream', time: new Date(BASE + t).toISOString(), id: 'u0', request: null, host: 'api.shopfast.example', port: 443, probe: false,
    clientCert: null, tlsVersion: 'TLSv1.3', outcome: 'answered', stage: 'http', alert: null, alertCode: null, httpStatus: 200, certComplaint: false, error: null,
  });
  for (const s of SCENARIOS.slice(1)) {
    const broken = s === 'self-signed' || s === 'expired';
    const id = conn('api.shopfast.example', s, broken ? ACCEPT : REJECT_HS);
    if (broken) req(id, 'api.shopfast.example', '/v2/cart', { responseBody: '{"items":[],"total":0}' });
  }

  // auth.shopfast.example: pinned (OkHttp CertificatePinner closes after the handshake).
  conn('auth.shopfast.example', 'trusted', { result: 'rejected', stage: 'after-handshake', alert: null });
  for (const s of SCENARIOS.slice(1)) conn('auth.shopfast.example', s, REJECT_HS);

  // cdn.shopfast.example: not pinned, validates correctly; images are binary.
  const cdn = conn('cdn.shopfast.example', 'trusted', ACCEPT);
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000040000000400806000000aa6971de0000000473424954080808087c086488', 'hex');
  for (let i = 0; i < 4; i++) req(cdn, 'cdn.shopfast.example', `/img/products/${101 + i}.png`, { responseType: 'image/png', responseBody: png });
  for (const s of SCENARIOS.slice(1)) conn('cdn.shopfast.example', s, REJECT_HS);

  // payments.bankly.example:8443: backend enforces mTLS.
  const pay = conn('payments.bankly.example', 'trusted', ACCEPT, PIXEL, 8443);
  t += 30;
  out.push({
    type: 'upstream', time: new Date(BASE + t).toISOString(), id: 'u1', request: null, host: 'payments.bankly.example', port: 8443, probe: true,
    clientCert: null, tlsVersion: 'TLSv1.3', outcome: 'tls-alert', stage: 'after-handshake', alert: 'certificate_required', alertCode: 116,
    httpStatus: null, certComplaint: false, error: null,
  });
  req(pay, 'payments.bankly.example', '/v1/payment-intents', { port: 8443, method: 'POST', requestBody: '{"amount":4990,"currency":"EUR"}', status: 502, responseBody: '{"error":"upstream refused the connection"}' });
  conn('payments.bankly.example', 'self-signed', REJECT_HS, PIXEL, 8443);
  conn('payments.bankly.example', 'wrong-host', { result: 'rejected', stage: 'after-handshake', alert: null }, PIXEL, 8443);

  // graph.social.example from the iPhone: trusted refused in the handshake, and that phone
  // never accepted the CA anywhere: inconclusive, not pinned.
  conn('graph.social.example', 'trusted', REJECT_HS, IPHONE);
  conn('graph.social.example', 'self-signed', REJECT_HS, IPHONE);

  // Cleartext analytics over plain http://.
  t += 100;
  out.push({ type: 'connection', time: new Date(BASE + t).toISOString(), id: 'p1', client: { address: PIXEL, port: 51515 }, target: { host: 'collect.adtrack.example', port: 80 }, mode: 'plain', scenario: null });
  for (let i = 0; i < 3; i++) req('p1', 'collect.adtrack.example', `/v1/event?e=screen_view&n=${i}`, { scheme: 'http', method: 'POST', requestBody: `{"event":"screen_view","screen":"catalog","idfa":"3F2504E0-4F89-11D3-9A0C-0305E82C3301","seq":${i}}`, status: 204, responseBody: '' });

  // Lots of ordinary traffic so the Traffic list scrolls.
  for (let i = 0; i < 60; i++) req(shop, 'api.shopfast.example', `/v2/catalog?page=${2 + i}`, { responseBody: JSON.stringify({ items: [{ id: 200 + i, name: `Item ${i}`, price: 10 + i }], next: 3 + i }) });
  return out;
}
