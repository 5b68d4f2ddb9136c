// CA certificates (the install's root and the per-run throwaway CA) are laid out directly
// in DER (proxy/ca/ca-cert.ts) instead of through node-forge. The bytes must be what forge
// produced before for the same inputs; and a root's subjectKeyIdentifier is read from its
// DER as written, whichever tool made it (forge, openssl with its own or an explicit id, none).
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCaCertificate, caTbs, rsaKeyId, type CaCertOptions } from '../../../proxy/ca/ca-cert.js';
import { subjectKeyIdentifier } from '../../../proxy/ca/der.js';
import { signerFrom } from '../../../proxy/ca/issuer.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../proxy/ca/sign.js';

const DAY_MS = 24 * 60 * 60 * 1000;

// The forge layout ca-cert.ts used until then (node-forge pinned at 1.4.3).
function forgeCa(opts: CaCertOptions, serial: Buffer): forge.pki.Certificate {
  const now = opts.now ?? new Date();
  const cert = forge.pki.createCertificate();
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(now.getTime() + opts.validDays * DAY_MS);
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  const attrs = [
    { name: 'commonName', value: opts.commonName, valueTagClass: utf8 },
    { name: 'organizationName', value: opts.organization, valueTagClass: utf8 },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.publicKey = forge.pki.publicKeyFromPem(opts.keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  return cert;
}

function forgeTbs(cert: forge.pki.Certificate): Buffer {
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  return Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
}

const scratch = mkdtempSync(join(tmpdir(), 'pinprobe-ca-der-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let keys: RsaKeyPair;
beforeAll(async () => {
  keys = await generateRsaKeyPair();
});

describe('CA certificates laid out in DER', () => {
  const cases: Array<[string, Partial<CaCertOptions>]> = [
    ['root (10 years)', { commonName: 'Pinprobe CA (laptop 1a2b)', organization: 'Pinprobe', validDays: 3650 }],
    ['throwaway (1 year)', { commonName: 'Pinprobe Untrusted Test CA (beef)', organization: 'Pinprobe (deliberately untrusted)', validDays: 365 }],
    ['non-ASCII, long names', { commonName: `Prüf-CA ${'x'.repeat(120)}`, organization: 'Ünïcode – Org', validDays: 30 }],
    ['notAfter past 2049 (GeneralizedTime)', { commonName: 'Far', organization: 'Pinprobe', validDays: 3650, now: new Date('2045-06-15T12:34:56.789Z') }],
    ['notBefore before 1950 (GeneralizedTime)', { commonName: 'Old', organization: 'Pinprobe', validDays: 10, now: new Date('1950-01-01T10:00:00.000Z') }],
  ];
  for (const [label, partial] of cases) {
    it(`the TBSCertificate equals forge's byte for byte: ${label}`, () => {
      const opts = { now: new Date('2026-12-02T05:06:07.890Z'), ...partial, keys } as CaCertOptions;
      for (const serialHex of ['01', '7f' + 'ab'.repeat(15), '1234567890abcdef1234567890abcdef']) {
        const serial = Buffer.from(serialHex, 'hex');
        expect(caTbs(opts, serial).toString('hex')).toBe(forgeTbs(forgeCa(opts, serial)).toString('hex'));
      }
    });
  }

  it('the signed certificate is a self-signed CA that Node and forge both read back', async () => {
    const cert = await buildCaCertificate({ commonName: 'Pinprobe CA (t)', organization: 'Pinprobe', keys, validDays: 365 });
    expect(cert.ca).toBe(true);
    expect(cert.verify(keys.publicKey)).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.subject).toBe('CN=Pinprobe CA (t)\nO=Pinprobe');
    const parsed = forge.pki.certificateFromPem(cert.toString());
    expect(parsed.verify(parsed)).toBe(true);
    const ski = parsed.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier: string };
    expect(ski.subjectKeyIdentifier).toBe(rsaKeyId(keys.publicKey).toString('hex'));
  });
});

describe("a root CA's subjectKeyIdentifier, read without forge", () => {
  const keyPem = () => keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeSki = (pem: string) => {
    const ext = forge.pki.certificateFromPem(pem).getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
    return ext?.subjectKeyIdentifier ?? null;
  };
  function openssl(name: string, ext: string[]): string {
    const keyPath = join(scratch, `${name}-key.pem`);
    const certPath = join(scratch, `${name}.pem`);
    execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyPath], { stdio: 'ignore' });
    execFileSync('openssl', ['req', '-x509', '-new', '-key', keyPath, '-subj', `/CN=${name}/O=Elsewhere`, '-days', '30', '-out', certPath,
      ...ext.flatMap((e) => ['-addext', e])], { stdio: 'ignore' });
    return certPath;
  }

  it('a CA made by forge (the old root layout): the key id forge wrote', () => {
    const cert = forgeCa({ commonName: 'Forge-made', organization: 'Pinprobe', keys, validDays: 30 }, Buffer.from('01', 'hex'));
    cert.sign(forge.pki.privateKeyFromPem(keyPem()), forge.md.sha256.create());
    const pem = forge.pki.certificateToPem(cert);
    const signer = signerFrom(pem, keys.privateKey);
    expect(signer.keyId.toString('hex')).toBe(forgeSki(pem));
    expect(subjectKeyIdentifier(new X509Certificate(pem).raw)?.toString('hex')).toBe(forgeSki(pem));
  });

  it('a CA made by `openssl req -x509` with an explicit key id (not derived from the key): that id, as written', () => {
    const explicit = '0badc0ffee0123456789abcdef0123456789ab';
    const path = openssl('explicit', [`subjectKeyIdentifier=${explicit.match(/../g)!.join(':')}`, 'authorityKeyIdentifier=none']);
    const pem = readFileSync(path, 'utf8');
    const key = createPrivateKey(readFileSync(path.replace('.pem', '-key.pem')));
    expect(forgeSki(pem)).toBe(explicit);
    expect(signerFrom(pem, key).keyId.toString('hex')).toBe(explicit);
    expect(signerFrom(pem, key).keyId.equals(rsaKeyId(createPublicKey(key)))).toBe(false);
  });

  it("a CA made by `openssl req -x509` with its default key id: OpenSSL's own", () => {
    const path = openssl('default', []);
    const pem = readFileSync(path, 'utf8');
    const key = createPrivateKey(readFileSync(path.replace('.pem', '-key.pem')));
    const text = execFileSync('openssl', ['x509', '-in', path, '-noout', '-ext', 'subjectKeyIdentifier'], { encoding: 'utf8' });
    const fromOpenssl = text.split('\n')[1].trim().replace(/:/g, '').toLowerCase();
    expect(signerFrom(pem, key).keyId.toString('hex')).toBe(fromOpenssl);
    expect(forgeSki(pem)).toBe(fromOpenssl);
  });

  it('a CA without the extension: the SHA-1 RSAPublicKey key id (what forge fell back to)', () => {
    const path = openssl('none', ['subjectKeyIdentifier=none', 'authorityKeyIdentifier=none']);
    const pem = readFileSync(path, 'utf8');
    const key = createPrivateKey(readFileSync(path.replace('.pem', '-key.pem')));
    expect(forgeSki(pem)).toBeNull();
    expect(subjectKeyIdentifier(new X509Certificate(pem).raw)).toBeNull();
    const expected = createHash('sha1').update(createPublicKey(key).export({ type: 'pkcs1', format: 'der' })).digest('hex');
    expect(signerFrom(pem, key).keyId.toString('hex')).toBe(expected);
  });
});
