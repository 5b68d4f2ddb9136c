// The root CA as openssl reads it (a process, so not in unit/): the extensions a device
// checks before it accepts a CA into its store.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateRootCa } from '../../../proxy/ca/root-ca.js';

const scratch = mkdtempSync(join(tmpdir(), 'pinprobe-ca-root-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const freshDir = () => join(scratch, 'data');

describe('root CA read by openssl', () => {
  it('carries critical CA basicConstraints and keyUsage keyCertSign+cRLSign, and a key id', async () => {
    const root = await loadOrCreateRootCa(freshDir());
    const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', root.certPath], { encoding: 'utf8' });
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toContain('Subject Key Identifier');
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
  });
});
