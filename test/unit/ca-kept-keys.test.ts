// The leaf and throwaway-CA keys are made once per data dir and kept (0600): a second start
// reuses them (no key generation), a broken key file is replaced, and the throwaway CA is
// still a new certificate every run. A burst of new hosts is paced: the first one asked
// for is among the first served, and the loop keeps turning meanwhile.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LEAF_KEY_FILE, UNTRUSTED_KEY_FILE } from '../../proxy/ca/kept-keys.js';
import { CertificateIssuer } from '../../proxy/ca/issuer.js';
import { loadOrCreateRootCa } from '../../proxy/ca/root-ca.js';

const scratch = mkdtempSync(join(tmpdir(), 'pinprobe-kept-keys-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const publicKeyOf = (pem: string) => new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const chainCerts = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];

describe('kept leaf and throwaway-CA keys', () => {
  it('are written 0600 next to the root CA and reused by the next start', async () => {
    const root = await loadOrCreateRootCa(join(scratch, 'a'));
    const dir = dirname(root.keyPath);
    const first = await CertificateIssuer.create(root, dir);
    for (const f of [LEAF_KEY_FILE, UNTRUSTED_KEY_FILE]) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    const keyFile = readFileSync(join(dir, LEAF_KEY_FILE), 'utf8');
    const second = await CertificateIssuer.create(root, dir);
    expect(readFileSync(join(dir, LEAF_KEY_FILE), 'utf8')).toBe(keyFile);
    const a = await first.certificate('api.example.com', 'trusted');
    const b = await second.certificate('api.example.com', 'trusted');
    expect(a.keyPem).toBe(b.keyPem);
    expect(publicKeyOf(a.certPem)).toBe(publicKeyOf(b.certPem));
    // Same throwaway key, but each run's untrusted CA is its own certificate.
    const ua = chainCerts((await first.certificate('api.example.com', 'untrusted-root')).chainPem)[1]!;
    const ub = chainCerts((await second.certificate('api.example.com', 'untrusted-root')).chainPem)[1]!;
    expect(ua).not.toBe(ub);
    expect(publicKeyOf(ua)).toBe(publicKeyOf(ub));
  });

  it('a broken key file is replaced by a new key', async () => {
    const root = await loadOrCreateRootCa(join(scratch, 'b'));
    const dir = dirname(root.keyPath);
    writeFileSync(join(dir, LEAF_KEY_FILE), 'not a key', { mode: 0o600 });
    const issuer = await CertificateIssuer.create(root, dir);
    const kept = readFileSync(join(dir, LEAF_KEY_FILE), 'utf8');
    expect(kept).toMatch(/BEGIN PRIVATE KEY/);
    expect((await issuer.certificate('x.example.com', 'trusted')).keyPem).toBe(kept);
  });

  it('50 new hosts at once: the first asked for is among the first ready, and contexts are built one per loop turn', async () => {
    const root = await loadOrCreateRootCa(join(scratch, 'c'));
    const issuer = await CertificateIssuer.create(root, dirname(root.keyPath));
    await issuer.secureContext('warm.example.com', 'trusted');
    const order: number[] = [];
    // Count event-loop turns (a setImmediate chain) and note the turn each context is ready
    // in: paced, they arrive over many turns; unpaced, all 50 resolved in one turn (a 50 ms
    // stall in this test, 100+ ms in the proxy). Structural, so a busy machine cannot flake it.
    let turn = 0;
    let ticking = true;
    const tick = () => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const turns: number[] = [];
    await Promise.all(Array.from({ length: 50 }, (_, i) => issuer.secureContext(`host-${i}.example.com`, 'trusted').then(() => {
      order.push(i);
      turns.push(turn);
    })));
    ticking = false;
    const perTurn = new Map<number, number>();
    for (const t of turns) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(2);
    // Signatures finish on the thread pool in any order; the first host is among the first served.
    expect(order.indexOf(0)).toBeLessThan(5);
  });
});
