import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateNames } from '../../../proxy/ca/der.js';
import { CertificateIssuer } from '../../../proxy/ca/issuer.js';
import { WRONG_HOST_NAME } from '../../../proxy/ca/leaf.js';
import { loadOrCreateRootCa, type RootCa } from '../../../proxy/ca/root-ca.js';
import { SCENARIOS } from '../../../proxy/session/events.js';

const DAY = 86400_000;
const scratch = mkdtempSync(join(tmpdir(), 'pinprobe-ca-issuer-'));
let root: RootCa;
let issuer: CertificateIssuer;
let rootCert: X509Certificate;

beforeAll(async () => {
  root = await loadOrCreateRootCa(join(scratch, 'data'));
  issuer = await CertificateIssuer.create(root);
  rootCert = new X509Certificate(root.certPem);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `openssl verify` against the root alone; the chain's extra certificates go in -untrusted. */
function opensslVerify(chainPem: string, extra: string[] = []): { ok: boolean; output: string } {
  const certs = chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
  const leafPath = join(scratch, `leaf-${Math.random().toString(16).slice(2)}.pem`);
  writeFileSync(leafPath, certs[0] ?? chainPem);
  const args = ['verify', '-CAfile', root.certPath, ...extra];
  if (certs.length > 1) {
    const chainPath = `${leafPath}.chain`;
    writeFileSync(chainPath, certs.slice(1).join(''));
    args.push('-untrusted', chainPath);
  }
  const r = spawnSync('openssl', [...args, leafPath], { encoding: 'utf8' });
  return { ok: r.status === 0, output: r.stdout + r.stderr };
}

const leafOf = (pem: string) => new X509Certificate(pem);
const sanOf = (cert: X509Certificate) => cert.subjectAltName;

describe('leaves for the five scenarios', () => {
  it('trusted: right host, signed by the root, verifies with openssl', async () => {
    const issued = await issuer.certificate('api.example.com', 'trusted');
    const leaf = leafOf(issued.certPem);
    expect(leaf.checkHost('api.example.com')).toBe('api.example.com');
    expect(leaf.subject).toContain('CN=api.example.com');
    expect(sanOf(leaf)).toBe('DNS:api.example.com');
    expect(leaf.issuer).toBe(rootCert.subject);
    expect(leaf.checkIssued(rootCert)).toBe(true);
    expect(leaf.verify(rootCert.publicKey)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(issued.chainPem).toBe(issued.certPem);
    expect(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(issued.keyPem))).toBe(true);
    // Issuer bytes equal the root's subject bytes: some clients match names byte for byte.
    expect(certificateNames(leaf.raw).issuer.equals(certificateNames(rootCert.raw).subject)).toBe(true);
    const v = opensslVerify(issued.chainPem, ['-verify_hostname', 'api.example.com', '-purpose', 'sslserver']);
    expect(v.output).toContain('OK');
    expect(v.ok).toBe(true);
  });

  it('carries serverAuth EKU, digitalSignature+keyEncipherment, CA:false, and key identifiers (openssl -text)', async () => {
    const issued = await issuer.certificate('ext.example.com', 'trusted');
    const r = spawnSync('openssl', ['x509', '-noout', '-text'], { input: issued.certPem, encoding: 'utf8' });
    expect(r.stdout).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(r.stdout).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(r.stdout).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(r.stdout).toContain('Authority Key Identifier');
    const ski = spawnSync('openssl', ['x509', '-noout', '-ext', 'subjectKeyIdentifier'], { input: root.certPem, encoding: 'utf8' });
    const rootKeyId = ski.stdout.split('\n')[1].trim();
    expect(r.stdout).toContain(rootKeyId);
  });

  it('self-signed: right host, issuer = subject, signed by its own key; openssl says self-signed', async () => {
    const issued = await issuer.certificate('api.example.com', 'self-signed');
    const leaf = leafOf(issued.certPem);
    expect(leaf.checkHost('api.example.com')).toBe('api.example.com');
    expect(leaf.issuer).toBe(leaf.subject);
    expect(leaf.verify(leaf.publicKey)).toBe(true);
    expect(leaf.verify(rootCert.publicKey)).toBe(false);
    const v = opensslVerify(issued.chainPem);
    expect(v.ok).toBe(false);
    expect(v.output).toMatch(/error 18 at 0 depth lookup: self-signed certificate/);
  });

  it('wrong-host: only names another host, signed by the root; openssl -verify_hostname says mismatch', async () => {
    const issued = await issuer.certificate('api.example.com', 'wrong-host');
    const leaf = leafOf(issued.certPem);
    expect(leaf.checkHost('api.example.com')).toBeUndefined();
    expect(leaf.checkHost(WRONG_HOST_NAME)).toBe(WRONG_HOST_NAME);
    expect(sanOf(leaf)).toBe(`DNS:${WRONG_HOST_NAME}`);
    expect(leaf.subject).toContain(`CN=${WRONG_HOST_NAME}`);
    expect(leaf.verify(rootCert.publicKey)).toBe(true);
    expect(opensslVerify(issued.chainPem).ok).toBe(true);
    const v = opensslVerify(issued.chainPem, ['-verify_hostname', 'api.example.com']);
    expect(v.ok).toBe(false);
    expect(v.output).toMatch(/error 62 at 0 depth lookup: hostname mismatch/);
  });

  it('wrong-host for an IP target does not match the IP either', async () => {
    const leaf = leafOf((await issuer.certificate('10.1.2.3', 'wrong-host')).certPem);
    expect(leaf.checkIP('10.1.2.3')).toBeUndefined();
  });

  it('expired: right host, signed by the root, validity entirely in the past; openssl says expired', async () => {
    const issued = await issuer.certificate('api.example.com', 'expired');
    const leaf = leafOf(issued.certPem);
    expect(leaf.checkHost('api.example.com')).toBe('api.example.com');
    expect(leaf.verify(rootCert.publicKey)).toBe(true);
    const from = Date.parse(leaf.validFrom);
    const to = Date.parse(leaf.validTo);
    expect(Math.round((Date.now() - from) / DAY)).toBe(400);
    expect(Math.round((Date.now() - to) / DAY)).toBe(30);
    const v = opensslVerify(issued.chainPem);
    expect(v.ok).toBe(false);
    expect(v.output).toMatch(/error 10 at 0 depth lookup: certificate has expired/);
  });

  it('untrusted-root: right host, signed by a per-run throwaway CA sent along; openssl rejects the chain', async () => {
    const issued = await issuer.certificate('api.example.com', 'untrusted-root');
    const leaf = leafOf(issued.certPem);
    const certs = issued.chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
    expect(certs).toHaveLength(2);
    expect(certs[0]).toBe(issued.certPem);
    const throwaway = new X509Certificate(certs[1]);
    expect(throwaway.subject).toMatch(/CN=Pinprobe Untrusted Test CA/);
    expect(throwaway.ca).toBe(true);
    expect(throwaway.subject).not.toBe(rootCert.subject);
    expect(leaf.checkHost('api.example.com')).toBe('api.example.com');
    expect(leaf.checkIssued(throwaway)).toBe(true);
    expect(leaf.verify(throwaway.publicKey)).toBe(true);
    expect(leaf.verify(rootCert.publicKey)).toBe(false);
    const v = opensslVerify(issued.chainPem);
    expect(v.ok).toBe(false);
    expect(v.output).toMatch(/error 19 at 1 depth lookup: self-signed certificate in certificate chain/);
    // Leaf alone (a client that ignores the sent CA): no issuer known.
    expect(opensslVerify(issued.certPem).output).toMatch(/error 20 at 0 depth lookup: unable to get local issuer certificate/);

    const another = await CertificateIssuer.create(root);
    const otherChain = (await another.certificate('api.example.com', 'untrusted-root')).chainPem;
    expect(otherChain.slice(issued.certPem.length)).not.toBe(certs[1]);
  });
});

describe('names', () => {
  it('an IPv4 target gets an IP SAN and the address as CN', async () => {
    const issued = await issuer.certificate('192.168.1.20', 'trusted');
    const leaf = leafOf(issued.certPem);
    expect(leaf.checkIP('192.168.1.20')).toBe('192.168.1.20');
    expect(sanOf(leaf)).toBe('IP Address:192.168.1.20');
    expect(leaf.subject).toContain('CN=192.168.1.20');
    expect(opensslVerify(issued.certPem, ['-verify_ip', '192.168.1.20']).ok).toBe(true);
  });

  it('an IPv6 target (bracketed or not, any spelling) gets one IP SAN leaf', async () => {
    const a = await issuer.certificate('[2001:db8::1]', 'trusted');
    const b = await issuer.certificate('2001:0db8:0:0::0001', 'trusted');
    expect(b).toBe(a);
    const leaf = leafOf(a.certPem);
    expect(leaf.checkIP('2001:db8::1')).toBe('2001:db8::1');
    expect(opensslVerify(a.certPem, ['-verify_ip', '2001:db8::1']).ok).toBe(true);
    expect(leafOf((await issuer.certificate('::1', 'trusted')).certPem).checkIP('::1')).toBe('::1');
    expect(leafOf((await issuer.certificate('::ffff:10.0.0.1', 'trusted')).certPem).checkIP('::ffff:10.0.0.1')).toBeDefined();
  });

  it('host names are case- and trailing-dot-insensitive; long names go in the SAN only', async () => {
    expect(await issuer.certificate('Mixed.Example.COM.', 'trusted')).toBe(await issuer.certificate('mixed.example.com', 'trusted'));
    const long = `${'a'.repeat(60)}.example.com`;
    const leaf = leafOf((await issuer.certificate(long, 'trusted')).certPem);
    expect(leaf.checkHost(long)).toBe(long);
    expect(leaf.subject).not.toContain('CN=');
    expect(leafOf((await issuer.certificate('under_score.example', 'trusted')).certPem).checkHost('under_score.example')).toBeDefined();
  });

  it('refuses something that is not a host name', async () => {
    await expect(issuer.certificate('bad host/x', 'trusted')).rejects.toThrow(/neither a host name nor an IP/);
    await expect(issuer.secureContext('', 'trusted')).rejects.toThrow(/neither a host name nor an IP/);
  });
});

describe('cache, serials, validity', () => {
  it('20 concurrent first secure contexts for one host build exactly one certificate', async () => {
    const fresh = await CertificateIssuer.create(root);
    const contexts = await Promise.all(Array.from({ length: 20 }, () => fresh.secureContext('burst.example.com', 'trusted')));
    expect(fresh.issuedCount()).toBe(1);
    expect(new Set(contexts).size).toBe(1);
    const certs = await Promise.all(Array.from({ length: 20 }, () => fresh.certificate('burst.example.com', 'trusted')));
    expect(new Set(certs).size).toBe(1);
    expect(fresh.issuedCount()).toBe(1);
    await fresh.secureContext('burst.example.com', 'expired');
    expect(fresh.issuedCount()).toBe(2);
  });

  it('every scenario of a host is a distinct leaf sharing the one leaf key', async () => {
    const fresh = await CertificateIssuer.create(root);
    const issued = await Promise.all(SCENARIOS.map((s) => fresh.certificate('same.example.com', s)));
    expect(new Set(issued.map((i) => i.certPem)).size).toBe(SCENARIOS.length);
    expect(new Set(issued.map((i) => i.keyPem)).size).toBe(1);
    expect(fresh.issuedCount()).toBe(SCENARIOS.length);
  });

  it('serials are positive, 16 bytes, distinct; validity is backdated and within 397 days', async () => {
    const serials = new Set<string>();
    for (let i = 0; i < 30; i++) {
      for (const scenario of ['trusted', 'self-signed', 'untrusted-root'] as const) {
        const leaf = leafOf((await issuer.certificate(`s${i}.example.com`, scenario)).certPem);
        expect(leaf.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
        expect(leaf.serialNumber.startsWith('00')).toBe(false);
        serials.add(leaf.serialNumber);
        const from = Date.parse(leaf.validFrom);
        const to = Date.parse(leaf.validTo);
        expect((to - from) / DAY).toBeLessThanOrEqual(397);
        expect(from).toBeLessThan(Date.now() - DAY);
        expect(to).toBeGreaterThan(Date.now() + 300 * DAY);
      }
    }
    expect(serials.size).toBe(90);
  });
});
