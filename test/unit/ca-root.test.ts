import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaError, loadOrCreateRootCa } from '../../proxy/ca/root-ca.js';

const scratch = mkdtempSync(join(tmpdir(), 'pinprobe-ca-root-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(scratch, `data-${n++}`);
const mode = (p: string) => statSync(p).mode & 0o777;

async function expectCaError(dataDir: string, fileName: string, pattern?: RegExp): Promise<CaError> {
  const err = await loadOrCreateRootCa(dataDir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CaError);
  const message = (err as CaError).message;
  expect(message).toContain(join(dataDir, 'ca', fileName));
  if (pattern) expect(message).toMatch(pattern);
  return err as CaError;
}

describe('root CA', () => {
  it('is created on first use with private modes and a unique CA subject', async () => {
    const dir = freshDir();
    const root = await loadOrCreateRootCa(dir);
    expect(root.certPath).toBe(join(dir, 'ca', 'pinprobe-ca.pem'));
    expect(root.keyPath).toBe(join(dir, 'ca', 'pinprobe-ca-key.pem'));
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'ca'))).toBe(0o700);
    expect(mode(root.keyPath)).toBe(0o600);

    const cert = new X509Certificate(root.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain(`CN=${root.subject}`);
    expect(cert.subject).toContain('O=Pinprobe');
    expect(root.subject).toMatch(/^Pinprobe CA \(.+ \d{4}-\d{2}-\d{2} [0-9a-f]{4}\)$/);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(root.keyPem))).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const years = (Date.parse(cert.validTo) - Date.now()) / (365.25 * 86400_000);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);

    const other = await loadOrCreateRootCa(freshDir());
    expect(other.subject).not.toBe(root.subject);
  });

  it('is reloaded identically on the next call', async () => {
    const dir = freshDir();
    const first = await loadOrCreateRootCa(dir);
    const second = await loadOrCreateRootCa(dir);
    expect(second).toEqual(first);
  });

  it('tightens an existing data dir only when Pinprobe created it', async () => {
    const dir = freshDir();
    mkdirSync(dir, { mode: 0o755 });
    await loadOrCreateRootCa(dir);
    expect(mode(dir)).toBe(0o755);
    expect(mode(join(dir, 'ca'))).toBe(0o700);
  });

  for (const [label, file] of [
    ['certificate', 'pinprobe-ca.pem'],
    ['key', 'pinprobe-ca-key.pem'],
  ] as const) {
    it(`a corrupt ${label} file is a CaError naming it, and the file is left untouched`, async () => {
      const dir = freshDir();
      await loadOrCreateRootCa(dir);
      const path = join(dir, 'ca', file);
      const garbage = `-----BEGIN ${label === 'key' ? 'PRIVATE KEY' : 'CERTIFICATE'}-----\nnot base64 at all!\n-----END-----\n`;
      writeFileSync(path, garbage);
      const before = statSync(path);
      await expectCaError(dir, file, /not a valid/);
      expect(readFileSync(path, 'utf8')).toBe(garbage);
      expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
    });
  }

  it('a key that does not match the certificate is a CaError naming the key file', async () => {
    const dir = freshDir();
    await loadOrCreateRootCa(dir);
    const keyPath = join(dir, 'ca', 'pinprobe-ca-key.pem');
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    writeFileSync(keyPath, stranger);
    await expectCaError(dir, 'pinprobe-ca-key.pem', /does not match/);
    expect(readFileSync(keyPath, 'utf8')).toBe(stranger);
  });

  it('only one of the two files present is a CaError naming the missing one', async () => {
    const dir = freshDir();
    const root = await loadOrCreateRootCa(dir);
    unlinkSync(root.keyPath);
    await expectCaError(dir, 'pinprobe-ca-key.pem', /missing/);
    expect(readFileSync(root.certPath, 'utf8')).toBe(root.certPem);

    const dir2 = freshDir();
    const root2 = await loadOrCreateRootCa(dir2);
    unlinkSync(root2.certPath);
    await expectCaError(dir2, 'pinprobe-ca.pem', /missing/);
    expect(readFileSync(root2.keyPath, 'utf8')).toBe(root2.keyPem);
  });

  it('an unreadable CA file is a CaError naming it', async () => {
    const dir = freshDir();
    const root = await loadOrCreateRootCa(dir);
    // A directory in place of the file is unreadable even for root, unlike chmod 000.
    unlinkSync(root.certPath);
    mkdirSync(root.certPath);
    await expectCaError(dir, 'pinprobe-ca.pem', /Cannot read/);
  });

  it('concurrent first calls in one data dir end with one CA', async () => {
    const dir = freshDir();
    const roots = await Promise.all([loadOrCreateRootCa(dir), loadOrCreateRootCa(dir), loadOrCreateRootCa(dir)]);
    expect(new Set(roots.map((r) => r.certPem)).size).toBe(1);
    expect(readFileSync(roots[0].certPath, 'utf8')).toBe(roots[0].certPem);
  });
});
