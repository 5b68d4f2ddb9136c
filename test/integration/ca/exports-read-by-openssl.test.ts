import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CA_FORMATS, exportCa, subjectHashOld } from '../../../proxy/ca/export.js';
import { loadOrCreateRootCa, type RootCa } from '../../../proxy/ca/root-ca.js';

const scratch = mkdtempSync(join(tmpdir(), 'pinprobe-ca-export-'));
let root: RootCa;
let rootCert: X509Certificate;

beforeAll(async () => {
  root = await loadOrCreateRootCa(join(scratch, 'data'));
  rootCert = new X509Certificate(root.certPem);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const openssl = (args: string[], input?: Buffer) => execFileSync('openssl', args, { input, encoding: 'utf8' }).trim();

describe('CA exports', () => {
  it('pem: the certificate as PEM', () => {
    const e = exportCa(root, 'pem');
    expect(e.fileName).toBe('pinprobe-ca.pem');
    expect(e.contentType).toBe('application/x-pem-file');
    expect(new X509Certificate(e.data).fingerprint256).toBe(rootCert.fingerprint256);
  });

  it('der: parses with openssl as the same certificate', () => {
    const e = exportCa(root, 'der');
    expect(e.fileName).toBe('pinprobe-ca.cer');
    expect(e.contentType).toBe('application/x-x509-ca-cert');
    expect(e.data.equals(rootCert.raw)).toBe(true);
    const fp = openssl(['x509', '-inform', 'DER', '-noout', '-fingerprint', '-sha256'], e.data);
    expect(fp).toBe(`sha256 Fingerprint=${rootCert.fingerprint256}`);
  });

  it('android: named <subject_hash_old>.0 exactly as openssl computes it', () => {
    const e = exportCa(root, 'android');
    const expected = openssl(['x509', '-subject_hash_old', '-noout', '-in', root.certPath]);
    expect(expected).toMatch(/^[0-9a-f]{8}$/);
    expect(subjectHashOld(root.certPem)).toBe(expected);
    expect(e.fileName).toBe(`${expected}.0`);
    expect(e.contentType).toBe('application/x-pem-file');
    expect(new X509Certificate(e.data).fingerprint256).toBe(rootCert.fingerprint256);
  });

  it('subjectHashOld agrees with openssl for certificates it did not make', () => {
    const dir = mkdtempSync(join(scratch, 'other-'));
    for (const subj of ['/CN=Alpha', '/C=DE/O=Example GmbH/CN=Ünïcode Root', '/O=Only Org']) {
      const pem = join(dir, 'c.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', join(dir, 'k.pem'), '-out', pem, '-days', '1', '-subj', subj, '-utf8'], { stdio: 'pipe' });
      const certPem = openssl(['x509', '-in', pem]);
      expect(subjectHashOld(certPem)).toBe(openssl(['x509', '-subject_hash_old', '-noout', '-in', pem]));
    }
  });

  it('ios: a well-formed plist with one root payload carrying the DER, stable UUIDs', () => {
    const e = exportCa(root, 'ios');
    expect(e.fileName).toMatch(/\.mobileconfig$/);
    expect(e.contentType).toBe('application/x-apple-aspen-config');
    const text = e.data.toString('utf8');
    expect(XMLValidator.validate(text)).toBe(true);
    const parsed = new XMLParser().parse(text) as { plist: { dict: { key: string[]; string: string[]; array: { dict: { key: string[]; string: string[]; data: string } } } } };
    const top = parsed.plist.dict;
    const payload = top.array.dict;
    expect(payload.string).toContain('com.apple.security.root');
    expect(top.string).toContain('Configuration');
    expect(Buffer.from(payload.data.replace(/\s+/g, ''), 'base64').equals(rootCert.raw)).toBe(true);
    expect(text.replace(/\s+/g, '')).toContain(rootCert.raw.toString('base64'));
    expect(top.string.some((s) => s.includes('Pinprobe') && s.includes(root.subject))).toBe(true);
    const uuids = text.match(/[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}/g) ?? [];
    expect(new Set(uuids).size).toBe(2);
    expect(exportCa(root, 'ios').data.equals(e.data)).toBe(true);
  });

  it('ios: a different CA gets different UUIDs', async () => {
    const other = await loadOrCreateRootCa(join(scratch, 'data-2'));
    const uuid = (r: RootCa) => exportCa(r, 'ios').data.toString().match(/<key>PayloadUUID<\/key>\s*<string>([^<]+)/)?.[1];
    expect(uuid(other)).not.toBe(uuid(root));
  });

  it('never exports key material, even if the PEM file has a key pasted in', () => {
    const tainted: RootCa = { ...root, certPem: root.certPem + root.keyPem };
    const jwk = createPrivateKey(root.keyPem).export({ format: 'jwk' });
    const secrets = [jwk.d, jwk.p, jwk.q].map((v) => Buffer.from(String(v), 'base64url').subarray(8, 40));
    for (const r of [root, tainted]) {
      for (const format of CA_FORMATS) {
        const data = exportCa(r, format).data;
        const text = data.toString('latin1');
        expect(text).not.toMatch(/PRIVATE KEY/);
        // The private parts (d, p, q) must appear nowhere, raw or base64 (in the PEM or plist).
        const haystacks = [data, Buffer.from(text.replace(/\s+/g, ''), 'base64')];
        for (const secret of secrets) {
          for (const h of haystacks) expect(h.includes(secret)).toBe(false);
        }
      }
    }
  });
});
