// probe-mtls against a backend on ::1: the probe's Host header and the findings name the
// host as the session report does, `[::1]:PORT` (an IPv6 address without brackets reads as
// a longer address).
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeMtls } from '../../../proxy/probe-mtls/probe.js';
import { testPki } from '../../helpers/pki.js';

const pki = testPki();
let server: https.Server;
let port: number;
const hosts: string[] = [];

beforeAll(async () => {
  // No client authentication: every attempt is answered, so mTLS is not enforced.
  server = https.createServer({ cert: pki.serverCert, key: pki.serverKey }, (req, res) => {
    hosts.push(req.headers.host ?? '');
    res.end('ok\n');
  });
  await new Promise<void>((ok) => server.listen(0, '::1', ok));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('probe-mtls https://[::1]:PORT/', () => {
  it('sends Host [::1]:PORT and names [::1]:PORT in its finding', async () => {
    const r = await probeMtls(`https://[::1]:${port}/`, { upstreamCa: [pki.caCert], timeoutMs: 5000 });
    expect(r.verdict).toBe('not-enforced');
    expect(hosts.length).toBeGreaterThan(0);
    expect(new Set(hosts)).toEqual(new Set([`[::1]:${port}`]));
    expect(r.findings.map((f) => f.title).join('\n')).toContain(`[::1]:${port}`);
  });
});
