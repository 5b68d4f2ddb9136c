// Leaves are laid out directly in DER (proxy/ca/leaf.ts) instead of through node-forge's
// object model. The bytes must be what forge produced before, for every scenario and name
// kind: the reference below is the forge layout the issuer used until then.
import { createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateNames } from '../../proxy/ca/der.js';
import { leafName } from '../../proxy/ca/host-name.js';
import { buildLeaf, leafTbs, planLeaf, type LeafKey, type LeafSigner } from '../../proxy/ca/leaf.js';
import { loadOrCreateRootCa, type RootCa } from '../../proxy/ca/root-ca.js';
import { certificatePem, generateRsaKeyPair, type RsaKeyPair } from '../../proxy/ca/sign.js';
import { createHash, createPrivateKey } from 'node:crypto';
import type { Scenario } from '../../proxy/session/events.js';

const SCENARIOS: Scenario[] = ['trusted', 'self-signed', 'wrong-host', 'expired', 'untrusted-root'];
const HOSTS = ['api.example.com', 'Example.COM.', '127.0.0.1', '[2001:db8::1]', 'under_score.example', `${'a'.repeat(60)}.example.com`, 'x'];

/** Subject attributes as UTF8String, as the forge layout had them. */
function nameAttributes(commonName: string, organization: string): forge.pki.CertificateField[] {
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  return [
    { name: 'commonName', value: commonName, valueTagClass: utf8 },
    { name: 'organizationName', value: organization, valueTagClass: utf8 },
  ];
}

// The forge layout the issuer used before (node-forge pinned at 1.4.3).
function forgeTbs(host: string, scenario: Scenario, now: Date, serial: Buffer, pair: RsaKeyPair, issuerCertPem: string | null): Buffer {
  const plan = planLeaf(leafName(host), scenario, now);
  const cert = forge.pki.createCertificate();
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = plan.notBefore;
  cert.validity.notAfter = plan.notAfter;
  const name = plan.name.host;
  const subject = name.length <= 64 ? nameAttributes(name, 'Pinprobe') : nameAttributes('', 'Pinprobe').slice(1);
  cert.setSubject(subject);
  const issuer = issuerCertPem ? forge.pki.certificateFromPem(issuerCertPem) : null;
  cert.setIssuer(issuer ? issuer.subject.attributes : subject);
  const forgePublicKey = forge.pki.publicKeyFromPem(pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.publicKey = forgePublicKey;
  const ski = issuer?.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier: string } | undefined;
  const ownKeyId = forge.pki.getPublicKeyFingerprint(forgePublicKey, { type: 'RSAPublicKey', encoding: 'binary' });
  const altName = plan.name.ip ? { type: 7, value: plan.name.ip.toString('binary') } : { type: 2, value: name };
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [altName] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ski ? forge.util.hexToBytes(ski.subjectKeyIdentifier) : ownKeyId },
  ]);
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  return Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
}

const scratch = mkdtempSync(join(tmpdir(), 'pinprobe-leaf-der-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let root: RootCa;
let pair: RsaKeyPair;
let key: LeafKey;
let rootSigner: LeafSigner;

beforeAll(async () => {
  root = await loadOrCreateRootCa(scratch);
  pair = await generateRsaKeyPair();
  key = {
    privateKey: pair.privateKey,
    spki: pair.publicKey.export({ type: 'spki', format: 'der' }),
    keyId: createHash('sha1').update(pair.publicKey.export({ type: 'pkcs1', format: 'der' })).digest(),
  };
  const ski = (forge.pki.certificateFromPem(root.certPem).getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier: string }).subjectKeyIdentifier;
  rootSigner = {
    name: certificateNames(new X509Certificate(root.certPem).raw).subject,
    keyId: Buffer.from(ski, 'hex'),
    privateKey: createPrivateKey(root.keyPem),
  };
});

describe('leaf TBSCertificate in DER', () => {
  it('is byte for byte the layout forge made, for every scenario and kind of name', () => {
    const now = new Date();
    for (const scenario of SCENARIOS) {
      for (const host of HOSTS) {
        const serial = randomBytes(16);
        serial[0] = (serial[0]! & 0x7f) || 1;
        const plan = planLeaf(leafName(host), scenario, now);
        const selfSigned = scenario === 'self-signed';
        const ours = leafTbs(plan, key, selfSigned ? null : rootSigner, serial);
        expect(ours.toString('hex'), `${scenario} ${host}`).toBe(forgeTbs(host, scenario, now, serial, pair, selfSigned ? null : root.certPem).toString('hex'));
      }
    }
  });

  it('writes GeneralizedTime from 2050 on and UTCTime before, as forge does', () => {
    for (const now of [new Date('2049-06-01T12:34:56.789Z'), new Date('2051-01-01T00:00:00Z'), new Date('2049-12-31T23:59:59Z')]) {
      const serial = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');
      const ours = leafTbs(planLeaf(leafName('t.example'), 'trusted', now), key, rootSigner, serial);
      expect(ours.toString('hex'), now.toISOString()).toBe(forgeTbs('t.example', 'trusted', now, serial, pair, root.certPem).toString('hex'));
    }
  });

  it('signed, it parses, names the host, and verifies under the root (and under its own key when self-signed)', async () => {
    const rootKey = createPublicKey(root.keyPem);
    const trusted = new X509Certificate(await buildLeaf(planLeaf(leafName('api.example.com'), 'trusted', new Date()), key, rootSigner));
    expect(trusted.verify(rootKey)).toBe(true);
    expect(trusted.checkHost('api.example.com')).toBe('api.example.com');
    expect(trusted.checkIssued(new X509Certificate(root.certPem))).toBe(true);
    const ip = new X509Certificate(await buildLeaf(planLeaf(leafName('10.1.2.3'), 'trusted', new Date()), key, rootSigner));
    expect(ip.checkIP('10.1.2.3')).toBe('10.1.2.3');
    const self = new X509Certificate(await buildLeaf(planLeaf(leafName('s.example'), 'self-signed', new Date()), key, null));
    expect(self.verify(pair.publicKey)).toBe(true);
    expect(self.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
  });

  it('PEM is laid out as X509Certificate#toString lays it out', async () => {
    const der = await buildLeaf(planLeaf(leafName('pem.example'), 'trusted', new Date()), key, rootSigner);
    expect(certificatePem(der)).toBe(new X509Certificate(der).toString());
  });
});
