// Every certificate scenario against real clients that really accept or reject it: curl
// (--cacert, --pinnedpubkey, system store only, -k), openssl s_client with hostname
// verification, and Node tls.connect (default verification, rejectUnauthorized: false, a
// public-key pin in checkServerIdentity). One engine per forced scenario; each client kind
// talks to its own host name on all five engines at once. Each case checks what the client
// itself said, the recorded client-tls outcome (result, stage, alert) and what the judge
// concludes for that host.
//
// Clients that must not lend each other evidence connect from their own loopback address
// (127.0.0.0/8 is all loopback on Linux): the judge keys "this device trusts the CA" on the
// client address, so the system-store curl and the pinning clients are judged on their own
// behaviour alone, as a separate device would be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type net from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judge } from '../../../proxy/judge/index.js';
import type { HostVerdict, ScenarioVerdict } from '../../../proxy/judge/report-types.js';
import { SCENARIOS, type ClientTlsEvent, type Scenario, type SessionLine } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { testPki } from '../../helpers/pki.js';
import { curl, run } from '../../helpers/run.js';

type Expected = Pick<ScenarioVerdict, 'result' | 'stage' | 'alert'>;
const ACCEPTED: Expected = { result: 'accepted', stage: null, alert: null };
const AFTER: Expected = { result: 'rejected', stage: 'after-handshake', alert: null };
const ALERT = (alert: string): Expected => ({ result: 'rejected', stage: 'handshake', alert });
const BAD = SCENARIOS.filter((s): s is Exclude<Scenario, 'trusted'> => s !== 'trusted');
const MASTG: Record<Exclude<Scenario, 'trusted'>, string> = {
  'self-signed': 'MASTG-TEST-0282', 'wrong-host': 'MASTG-TEST-0283', expired: 'MASTG-TEST-0282', 'untrusted-root': 'MASTG-TEST-0282',
};

/** What each client really does (observed with curl 7.88 / OpenSSL 3.0 / Node 20). */
const OPENSSL_CHAIN: Record<Exclude<Scenario, 'trusted'>, Expected> = {
  'self-signed': ALERT('unknown_ca'),
  // curl checks the host name itself once the handshake is done, then closes.
  'wrong-host': AFTER,
  expired: ALERT('certificate_expired'),
  'untrusted-root': ALERT('unknown_ca'),
};

interface Client {
  name: string;
  /** Source address: separate "devices" for clients whose verdict must rest on their own evidence. */
  from?: string;
  expect: Record<Scenario, Expected>;
  /** Runs the client against one engine for `host`; asserts what the client itself reports. */
  go(proxy: TestEngine, host: string, scenario: Scenario): Promise<void>;
}

interface NodeResult {
  secure: boolean;
  response: string | null;
  error: string | null;
}

/** A Node TLS client through a CONNECT tunnel: request / or just report how it ended. */
async function nodeTls(proxy: TestEngine, host: string, opts: tls.ConnectionOptions, localAddress?: string): Promise<NodeResult> {
  const socket = await new Promise<net.Socket>((ok, fail) => {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: `${host}:443`, localAddress });
    req.once('connect', (res, s) => (res.statusCode === 200 ? ok(s) : fail(new Error(`CONNECT answered ${res.statusCode}`))));
    req.once('error', fail);
    req.end();
  });
  return new Promise<NodeResult>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`node client to ${host} did not finish within 8 s`)), 8000);
    const done = (r: NodeResult) => {
      clearTimeout(timer);
      ok(r);
    };
    const t = tls.connect({ socket, servername: host, ...opts });
    t.once('secureConnect', () => {
      t.write(`GET /node HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      let body = '';
      t.on('data', (c: Buffer) => (body += c.toString()));
      t.once('end', () => done({ secure: true, response: body, error: null }));
    });
    t.once('error', (err: NodeJS.ErrnoException) => done({ secure: false, response: null, error: err.code ?? err.message }));
  });
}

const NODE_VERIFY_ERROR: Record<Exclude<Scenario, 'trusted'>, string> = {
  'self-signed': 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'wrong-host': 'ERR_TLS_CERT_ALTNAME_INVALID',
  expired: 'CERT_HAS_EXPIRED',
  'untrusted-root': 'SELF_SIGNED_CERT_IN_CHAIN',
};

describe('client verdicts per scenario with real clients', () => {
  let origin: Origin;
  const engines = {} as Record<Scenario, TestEngine>;
  let caPem = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'pinprobe-verdicts-'));
  const pki = testPki();
  const originKey = new X509Certificate(pki.serverCert).publicKey.export({ type: 'spki', format: 'der' });
  const pinned = `sha256//${pki.serverPubkeySha256}`;

  const clients: Client[] = [
    {
      name: 'curl --cacert',
      expect: { trusted: ACCEPTED, ...OPENSSL_CHAIN },
      async go(proxy, host, scenario) {
        const r = await curl(proxy.proxyUrl, `https://${host}/`, ['--cacert', proxy.caPath]);
        if (scenario === 'trusted') expect(r.stdout).toBe('origin says hi to /\n');
        else expect(r.code).toBe(60);
      },
    },
    {
      name: 'curl --pinnedpubkey',
      from: '127.0.0.2',
      expect: { trusted: AFTER, ...OPENSSL_CHAIN },
      async go(proxy, host, scenario) {
        const r = await curl(proxy.proxyUrl, `https://${host}/`, ['--interface', '127.0.0.2', '--cacert', proxy.caPath, '--pinnedpubkey', pinned]);
        // 90: the chain was fine, the key did not match; 60: the chain itself failed first.
        expect(r.code).toBe(scenario === 'trusted' ? 90 : 60);
      },
    },
    {
      name: 'curl with the system store only',
      from: '127.0.0.3',
      expect: { trusted: ALERT('unknown_ca'), 'self-signed': ALERT('unknown_ca'), 'wrong-host': ALERT('unknown_ca'), expired: ALERT('unknown_ca'), 'untrusted-root': ALERT('unknown_ca') },
      async go(proxy, host) {
        const r = await curl(proxy.proxyUrl, `https://${host}/`, ['--interface', '127.0.0.3']);
        expect(r.code).toBe(60);
      },
    },
    {
      name: 'curl -k',
      expect: { trusted: ACCEPTED, 'self-signed': ACCEPTED, 'wrong-host': ACCEPTED, expired: ACCEPTED, 'untrusted-root': ACCEPTED },
      async go(proxy, host) {
        const r = await curl(proxy.proxyUrl, `https://${host}/`, ['-k']);
        expect(r.stdout).toBe('origin says hi to /\n');
      },
    },
    {
      name: 'openssl s_client -verify_return_error -verify_hostname',
      // OpenSSL checks the name inside the handshake (unlike curl) and says bad_certificate.
      expect: { trusted: ACCEPTED, ...OPENSSL_CHAIN, 'wrong-host': ALERT('bad_certificate') },
      async go(proxy, host, scenario) {
        const r = await run('openssl', [
          's_client', '-quiet', '-proxy', `127.0.0.1:${proxy.port}`, '-connect', `${host}:443`, '-servername', host,
          '-CAfile', proxy.caPath, '-verify_return_error', '-verify_hostname', host,
        ], { input: `GET /s_client HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, timeoutMs: 10_000 });
        if (scenario === 'trusted') {
          expect(r.code).toBe(0);
          expect(r.stdout).toContain('origin says hi to /s_client');
        } else {
          expect(r.code).toBe(1);
          const reason = { 'self-signed': /self-signed certificate/, 'wrong-host': /hostname mismatch/, expired: /certificate has expired/, 'untrusted-root': /self-signed certificate in certificate chain/ }[scenario];
          expect(r.stderr).toMatch(reason);
        }
      },
    },
    {
      name: 'node tls.connect (default verification)',
      // Node verifies in JavaScript once OpenSSL has finished the handshake, then destroys
      // the socket without an alert: every refusal is an after-handshake one.
      expect: { trusted: ACCEPTED, 'self-signed': AFTER, 'wrong-host': AFTER, expired: AFTER, 'untrusted-root': AFTER },
      async go(proxy, host, scenario) {
        const r = await nodeTls(proxy, host, { ca: caPem });
        if (scenario === 'trusted') expect(r.response).toMatch(/^HTTP\/1\.1 200 [^]*origin says hi to \/node\n$/);
        else expect(r).toEqual({ secure: false, response: null, error: NODE_VERIFY_ERROR[scenario] });
      },
    },
    {
      name: 'node tls.connect rejectUnauthorized: false',
      expect: { trusted: ACCEPTED, 'self-signed': ACCEPTED, 'wrong-host': ACCEPTED, expired: ACCEPTED, 'untrusted-root': ACCEPTED },
      async go(proxy, host) {
        const r = await nodeTls(proxy, host, { rejectUnauthorized: false });
        expect(r.response).toMatch(/origin says hi to \/node\n$/);
      },
    },
    {
      name: 'node tls.connect with a public-key pin in checkServerIdentity',
      from: '127.0.0.7',
      expect: { trusted: AFTER, 'self-signed': AFTER, 'wrong-host': AFTER, expired: AFTER, 'untrusted-root': AFTER },
      async go(proxy, host, scenario) {
        const r = await nodeTls(proxy, host, {
          ca: caPem,
          checkServerIdentity: (name, cert) => {
            const err = tls.checkServerIdentity(name, cert);
            if (err) return err;
            const key = new X509Certificate(cert.raw).publicKey.export({ type: 'spki', format: 'der' });
            return key.equals(originKey) ? undefined : Object.assign(new Error('public key pin mismatch'), { code: 'PIN_MISMATCH' });
          },
        }, '127.0.0.7');
        expect(r).toEqual({ secure: false, response: null, error: scenario === 'trusted' ? 'PIN_MISMATCH' : NODE_VERIFY_ERROR[scenario] });
      },
    },
  ];
  const hostOf = (c: Client) => `${c.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()}.app.test`;

  beforeAll(async () => {
    origin = await startOrigin();
    const mapRemote = clients.map((c) => ({ from: hostOf(c), to: `127.0.0.1:${origin.port}` }));
    // All five engines share one data dir, hence one root CA (as five runs of one install
    // would): the first creates it, the others load it.
    engines.trusted = await startEngine({ scenario: 'trusted', mapRemote }, { dataDir, record: join(dataDir, 'trusted.jsonl') });
    await Promise.all(BAD.map(async (scenario) => {
      engines[scenario] = await startEngine({ scenario, mapRemote }, { dataDir, record: join(dataDir, `${scenario}.jsonl`) });
    }));
    caPem = readFileSync(engines.trusted.caPath, 'utf8');
  });
  afterAll(async () => {
    await Promise.all(Object.values(engines).map((e) => e.close()));
    await origin?.close();
  });

  const outcomeOf = (proxy: TestEngine, host: string) =>
    proxy.waitFor((l: SessionLine): l is ClientTlsEvent => l.type === 'client-tls' && l.host === host, 8000);
  const verdictOf = (proxy: TestEngine, host: string): HostVerdict => {
    const found = judge(proxy.engine.lines(), { file: 'live' }).hosts.find((h) => h.host === host);
    if (!found) throw new Error(`no verdict for ${host}`);
    return found;
  };

  /** Findings about the client (mTLS notes about the origin are another check's business). */
  const clientFindings = (v: HostVerdict) => v.findings.filter((f) => !f.id.startsWith('mtls-'));

  describe.each(clients.map((c) => [c.name, c] as const))('%s', (_name, client) => {
    it('is recorded and judged as the client really behaved, for each of the five scenarios', async () => {
      const host = hostOf(client);
      await Promise.all(SCENARIOS.map((s) => client.go(engines[s], host, s)));
      for (const scenario of SCENARIOS) {
        const proxy = engines[scenario];
        const outcome = await outcomeOf(proxy, host);
        const want = client.expect[scenario];
        expect({ scenario, outcome: outcome.result, stage: outcome.stage, alert: outcome.alert })
          .toEqual({ scenario, outcome: want.result, stage: want.stage, alert: want.alert });
        expect(outcome).toMatchObject({ scenario, sni: host, clientAddress: client.from ?? '127.0.0.1', tlsVersion: 'TLSv1.3' });
        expect(outcome.fingerprint?.ja4).toMatch(/^t13d\d{4}(h2|h1|00)_[0-9a-f]{12}_[0-9a-f]{12}$/);

        const verdict = verdictOf(proxy, host);
        expect(verdict.client[scenario]).toEqual({ ...want, connections: 1 });
        for (const other of SCENARIOS.filter((s) => s !== scenario)) expect(verdict.client[other].result).toBe('untested');

        if (scenario === 'trusted') {
          expect(verdict.validation).toBe('untested');
          if (want.result === 'accepted') {
            expect(verdict.pinning).toBe('not-pinned');
            expect(clientFindings(verdict)).toEqual([expect.objectContaining({ id: 'pinning-missing', severity: 'medium', masvs: 'MASVS-NETWORK-2', mastg: 'MASTG-TEST-0244' })]);
          } else if (want.stage === 'after-handshake') {
            // Its own address, a forced scenario: no stage contrast, no device trust, no other
            // host trusted by this client — a close after the handshake alone proves nothing.
            expect(verdict.pinning).toBe('inconclusive');
            expect(verdict.pinningEvidence).toBeNull();
            expect(verdict.pinningReason).toMatch(/completed the handshake with the trusted certificate, then closed without sending data/);
            expect(verdict.pinningReason).toMatch(/To settle it: run in audit rotation/);
            expect(clientFindings(verdict)).toEqual([]);
          } else {
            expect(verdict.pinning).toBe('inconclusive');
            expect(verdict.pinningReason).toMatch(/refused the trusted certificate in the handshake \(unknown_ca\); no evidence that the device trusts the CA/);
            expect(clientFindings(verdict)).toEqual([]);
          }
        } else {
          expect(verdict.pinning).toBe('untested');
          expect(verdict.pinningReason).toContain(`--scenario ${scenario}`);
          if (want.result === 'accepted') {
            expect(verdict.validation).toBe('broken');
            expect(clientFindings(verdict)).toEqual([{
              id: `validation-${scenario}-accepted`, severity: 'critical', title: expect.stringMatching(/^Accepts /), masvs: 'MASVS-NETWORK-1', mastg: MASTG[scenario],
            }]);
          } else {
            expect(verdict.validation).toBe('partial');
            expect(clientFindings(verdict)).toEqual([]);
          }
        }
      }
    });
  });

  it('ran all five engines under one root CA, so a client trusting it is shown exactly the scenario under test', () => {
    const subjects = new Set(SCENARIOS.map((s) => engines[s].engine.root.subject));
    expect(subjects.size).toBe(1);
  });
});
