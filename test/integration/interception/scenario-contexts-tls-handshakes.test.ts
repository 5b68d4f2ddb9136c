// Real TLS handshakes over loopback: a Node client trusting only the Pinprobe root against
// a server socket using the issuer's secure contexts, the way the net layer terminates TLS.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateIssuer } from '../../../proxy/ca/issuer.js';
import { loadOrCreateRootCa, type RootCa } from '../../../proxy/ca/root-ca.js';
import type { Scenario } from '../../../proxy/session/events.js';

const scratch = mkdtempSync(join(tmpdir(), 'pinprobe-ca-tls-'));
let root: RootCa;
let issuer: CertificateIssuer;
const servers: net.Server[] = [];

beforeAll(async () => {
  root = await loadOrCreateRootCa(join(scratch, 'data'));
  issuer = await CertificateIssuer.create(root);
});
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(scratch, { recursive: true, force: true });
});

interface ServerSide {
  port: number;
  errors: string[];
}

/** A raw listener that terminates TLS per connection with the context for (host, scenario). */
async function serve(host: string, scenario: Scenario): Promise<ServerSide> {
  const side: ServerSide = { port: 0, errors: [] };
  const server = net.createServer(async (raw) => {
    const secureContext = await issuer.secureContext(host, scenario);
    const socket = new tls.TLSSocket(raw, { isServer: true, secureContext });
    socket.on('secure', () => socket.write('hello'));
    socket.on('error', (err: NodeJS.ErrnoException) => side.errors.push(err.code ?? err.message));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  side.port = (server.address() as net.AddressInfo).port;
  return side;
}

interface ClientResult {
  ok: boolean;
  code: string | null;
  data: string;
  reused: boolean;
  session: Buffer | null;
}

function connect(port: number, opts: tls.ConnectionOptions): Promise<ClientResult> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: root.certPem, ...opts });
    let session: Buffer | null = null;
    socket.on('session', (s: Buffer) => (session = s));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? err.message, data: '', reused: false, session }));
    socket.once('data', (d: Buffer) => {
      // Give a TLS 1.3 ticket, sent after the handshake, a moment to arrive.
      setTimeout(() => {
        resolve({ ok: true, code: null, data: d.toString(), reused: socket.isSessionReused(), session });
        socket.end();
      }, 50);
    });
  });
}

const settle = () => new Promise((r) => setTimeout(r, 100));

describe('TLS handshakes with the scenario contexts', () => {
  it('trusted: a client trusting the root connects and verifies the host', async () => {
    const srv = await serve('app.example.com', 'trusted');
    const r = await connect(srv.port, { servername: 'app.example.com' });
    expect(r).toMatchObject({ ok: true, data: 'hello' });
  });

  const failures: Array<[Scenario, string, RegExp | null]> = [
    ['self-signed', 'DEPTH_ZERO_SELF_SIGNED_CERT', /UNKNOWN_CA/],
    ['wrong-host', 'ERR_TLS_CERT_ALTNAME_INVALID', null],
    ['expired', 'CERT_HAS_EXPIRED', /CERTIFICATE_EXPIRED/],
    ['untrusted-root', 'SELF_SIGNED_CERT_IN_CHAIN', /UNKNOWN_CA/],
  ];
  for (const [scenario, clientCode, serverAlert] of failures) {
    it(`${scenario}: the client refuses with ${clientCode}`, async () => {
      const srv = await serve('app.example.com', scenario);
      const r = await connect(srv.port, { servername: 'app.example.com' });
      expect(r.ok).toBe(false);
      expect(r.code).toBe(clientCode);
    });

    if (serverAlert) {
      // Node's client checks the chain only after the handshake and just closes; an OpenSSL
      // client that enforces verification refuses inside the handshake with an alert.
      it(`${scenario}: openssl s_client -verify_return_error alerts inside the handshake`, async () => {
        const srv = await serve('app.example.com', scenario);
        // Asynchronously: the server lives in this process and must keep running.
        const status = await new Promise<number | null>((resolve) => {
          const child = spawn('openssl', [
            's_client', '-connect', `127.0.0.1:${srv.port}`, '-servername', 'app.example.com',
            '-CAfile', root.certPath, '-verify_return_error',
          ], { stdio: ['pipe', 'ignore', 'ignore'] });
          child.stdin.end();
          child.on('exit', resolve);
        });
        expect(status).not.toBe(0);
        await settle();
        expect(srv.errors.join(' ')).toMatch(serverAlert);
      });
    }
  }

  it('an IP target (no SNI) is verified by its IP SAN', async () => {
    const srv = await serve('127.0.0.1', 'trusted');
    const r = await connect(srv.port, {});
    expect(r).toMatchObject({ ok: true, data: 'hello' });
  });

  it('accepts a TLS 1.0 client', async () => {
    const srv = await serve('legacy.example.com', 'trusted');
    const r = await connect(srv.port, {
      servername: 'legacy.example.com',
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    expect(r).toMatchObject({ ok: true, data: 'hello' });
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${version}: a session resumes within a scenario but never under another scenario`, async () => {
      const host = `resume-${version}.example.com`;
      const trusted = await serve(host, 'trusted');
      const expired = await serve(host, 'expired');
      const first = await connect(trusted.port, { servername: host, maxVersion: version, minVersion: version });
      expect(first.ok).toBe(true);
      expect(first.session).not.toBeNull();
      const session = first.session as Buffer;

      const again = await connect(trusted.port, { servername: host, maxVersion: version, minVersion: version, session });
      expect(again).toMatchObject({ ok: true, reused: true });

      // Same host, other scenario: the ticket must not decrypt, so the full handshake
      // shows the expired leaf and a verifying client refuses it.
      const other = await connect(expired.port, { servername: host, maxVersion: version, minVersion: version, session });
      expect(other.ok).toBe(false);
      expect(other.code).toBe('CERT_HAS_EXPIRED');
      const lax = await connect(expired.port, {
        servername: host, maxVersion: version, minVersion: version, session, rejectUnauthorized: false,
      });
      expect(lax).toMatchObject({ ok: true, reused: false });
    });
  }
});
