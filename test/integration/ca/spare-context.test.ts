// A context's host-independent part (key, suites, ticket keys) is made while the issuer is
// idle, so the first new host after a quiet spell needs only its signature and its chain.
// Such a context must serve exactly its own host's leaf, and each its own ticket keys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import tls from 'node:tls';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CertificateIssuer } from '../../../proxy/ca/issuer.js';
import { loadOrCreateRootCa } from '../../../proxy/ca/root-ca.js';

const scratch = mkdtempSync(join(tmpdir(), 'pinprobe-spare-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
/** Until the issuer has its spare (made on its first idle turn; a busy machine may delay that). */
async function spareMade(issuer: CertificateIssuer): Promise<void> {
  for (let i = 0; i < 500 && !issuer.hasSpare(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(issuer.hasSpare()).toBe(true);
}

async function servedCertificate(context: tls.SecureContext, servername: string): Promise<tls.PeerCertificate> {
  const server = tls.createServer({ SNICallback: (_name, cb) => cb(null, context) }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    return await new Promise((resolve, reject) => {
      const c = tls.connect({ port, host: '127.0.0.1', servername, rejectUnauthorized: false }, () => {
        resolve(c.getPeerCertificate());
        c.end();
      });
      c.on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('spare keyed context', () => {
  it('the first new host after idle builds no context of its own; the spare is made again afterwards', async () => {
    const root = await loadOrCreateRootCa(join(scratch, 'a'));
    const issuer = await CertificateIssuer.create(root, dirname(root.keyPath));
    await spareMade(issuer);
    const made = vi.spyOn(tls, 'createSecureContext');
    try {
      const context = await issuer.secureContext('first.example.com', 'trusted');
      expect(made).toHaveBeenCalledTimes(0);
      await spareMade(issuer);
      expect(made).toHaveBeenCalledTimes(1);
      const cert = await servedCertificate(context, 'first.example.com');
      expect(cert.subject.CN).toBe('first.example.com');
      expect(cert.subjectaltname).toBe('DNS:first.example.com');
    } finally {
      made.mockRestore();
    }
  });

  it('contexts of a burst (the spare and the ones made in turn) each serve their own host and their own ticket keys', async () => {
    const root = await loadOrCreateRootCa(join(scratch, 'b'));
    const issuer = await CertificateIssuer.create(root, dirname(root.keyPath));
    await spareMade(issuer);
    const hosts = Array.from({ length: 6 }, (_, i) => `h${i}.example.com`);
    const contexts = await Promise.all(hosts.map((h, i) => issuer.secureContext(h, i % 2 ? 'untrusted-root' : 'trusted')));
    for (const [i, h] of hosts.entries()) {
      const cert = await servedCertificate(contexts[i]!, h);
      expect(cert.subject.CN).toBe(h);
      expect(cert.issuer.O).toBe(i % 2 ? 'Pinprobe (deliberately untrusted)' : 'Pinprobe');
    }
    const ticketKeys = new Set(contexts.map((c) => (c.context as { getTicketKeys(): Buffer }).getTicketKeys().toString('hex')));
    expect(ticketKeys.size).toBe(hosts.length);
  });
});
