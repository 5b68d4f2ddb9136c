// A new host with nothing queued ahead of it is signed and finished in one turn of the
// issuer's pacer, on the event loop: its context is ready before an immediate queued just
// after asking for it. The hosts behind it in a burst still take paced turns (the pool
// signs them), so a burst cannot turn into one long loop stall.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { CertificateIssuer } from '../../../proxy/ca/issuer.js';
import { loadOrCreateRootCa } from '../../../proxy/ca/root-ca.js';

const scratch = mkdtempSync(join(tmpdir(), 'pinprobe-lone-host-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function idleIssuer(name: string): Promise<CertificateIssuer> {
  const root = await loadOrCreateRootCa(join(scratch, name));
  const issuer = await CertificateIssuer.create(root, dirname(root.keyPath));
  for (let i = 0; i < 500 && !issuer.hasSpare(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(issuer.hasSpare()).toBe(true);
  return issuer;
}

const nextImmediate = () => new Promise<void>((r) => setImmediate(r));

function subjectOf(context: tls.SecureContext): string {
  const der = (context.context as { getCertificate(): Buffer | null }).getCertificate();
  expect(der).not.toBeNull();
  return new X509Certificate(der!).subject;
}

describe('a lone new host', () => {
  it('is ready one immediate after it is asked for, with its own leaf', async () => {
    const issuer = await idleIssuer('lone');
    let ready: tls.SecureContext | null = null;
    void issuer.secureContext('lone.example.com', 'trusted').then((c) => (ready = c));
    // The pacer's turn was queued first, so it runs (and settles) before this one.
    await nextImmediate();
    expect(ready).not.toBeNull();
    expect(subjectOf(ready!)).toContain('CN=lone.example.com');
  });

  it('in a burst only the first is finished in its own turn; the rest are still paced', async () => {
    const issuer = await idleIssuer('burst');
    const ready = new Set<string>();
    const hosts = Array.from({ length: 8 }, (_, i) => `b${i}.example.com`);
    const all = Promise.all(hosts.map((h) => issuer.secureContext(h, 'trusted').then((c) => (ready.add(h), c))));
    await nextImmediate();
    expect([...ready]).toEqual(['b0.example.com']);
    const contexts = await all;
    contexts.forEach((c, i) => expect(subjectOf(c)).toContain(`CN=${hosts[i]}`));
  });
});
