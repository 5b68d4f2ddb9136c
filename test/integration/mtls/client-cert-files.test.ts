import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostGlobMatch, loadClientCert, matchClientCert, parseClientCertSpec, specFromSetting, type LoadedClientCert } from '../../../proxy/net/client-certs.js';
import { selfSignedClientCert, SELF_SIGNED_SUBJECT } from '../../../proxy/net/mtls-self-signed.js';
import { testPki } from '../../helpers/pki.js';

const pki = testPki();
const dir = mkdtempSync(join(tmpdir(), 'pinprobe-client-certs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseClientCertSpec', () => {
  it('PEM pair, bundle and P12 with or without password', () => {
    expect(parseClientCertSpec('api.example.com=/c/cert.pem,/c/key.pem')).toEqual({ hostGlob: 'api.example.com', kind: 'pem', certPath: '/c/cert.pem', keyPath: '/c/key.pem' });
    expect(parseClientCertSpec('*.Example.com=/c/both.pem')).toEqual({ hostGlob: '*.example.com', kind: 'pem', certPath: '/c/both.pem', keyPath: '/c/both.pem' });
    expect(parseClientCertSpec('api.*=/c/id.p12:s3:cr=t')).toEqual({ hostGlob: 'api.*', kind: 'p12', path: '/c/id.p12', passphrase: 's3:cr=t' });
    expect(parseClientCertSpec('h=/c/id.pfx')).toEqual({ hostGlob: 'h', kind: 'p12', path: '/c/id.pfx', passphrase: null });
    expect(parseClientCertSpec('h=C:\\certs\\id.p12:pw')).toEqual({ hostGlob: 'h', kind: 'p12', path: 'C:\\certs\\id.p12', passphrase: 'pw' });
    expect(parseClientCertSpec('h=/c/id.p12:')).toMatchObject({ passphrase: '' });
  });

  it('rejects malformed values with the option named', () => {
    expect(() => parseClientCertSpec('/c/cert.pem,/c/key.pem')).toThrow(/--client-cert .*HOST=CERT.pem,KEY.pem/);
    expect(() => parseClientCertSpec('=/c/cert.pem')).toThrow(/--client-cert/);
    expect(() => parseClientCertSpec('h=')).toThrow(/no certificate file/);
    expect(() => parseClientCertSpec('h=/c/cert.pem,')).toThrow(/CERT.pem,KEY.pem/);
    expect(() => parseClientCertSpec('bad host=/c/x.pem')).toThrow(/not a host name or glob/);
  });

  it('maps the control API settings', () => {
    expect(specFromSetting({ host: 'a.test', cert: '/x.pem', key: '/k.pem' })).toMatchObject({ kind: 'pem', keyPath: '/k.pem' });
    expect(specFromSetting({ host: 'a.test', cert: '/x.p12', passphrase: 'p' })).toMatchObject({ kind: 'p12', passphrase: 'p' });
  });
});

describe('loadClientCert', () => {
  it('loads a PEM pair', async () => {
    const c = await loadClientCert(parseClientCertSpec(`localhost=${pki.clientCertPath},${pki.clientKeyPath}`));
    expect(c.subject).toBe('CN=test-device-001');
    expect(c.issuer).toBe('CN=Pinprobe Test Client CA');
    expect(c.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(c.tlsOptions).toEqual({ cert: expect.stringContaining('BEGIN CERTIFICATE'), key: expect.stringContaining('PRIVATE KEY') });
  });

  it('loads a PEM bundle (certificate and key in one file)', async () => {
    const bundle = join(dir, 'bundle.pem');
    writeFileSync(bundle, `${pki.clientKey}\n${pki.clientCert}`);
    const c = await loadClientCert(parseClientCertSpec(`localhost=${bundle}`));
    expect(c.subject).toBe('CN=test-device-001');
  });

  it("loads OpenSSL 3's default PKCS#12 (PBES2/AES-256) with its password", async () => {
    const pem = await loadClientCert(parseClientCertSpec(`localhost=${pki.clientCertPath},${pki.clientKeyPath}`));
    const c = await loadClientCert(parseClientCertSpec(`localhost=${pki.clientP12Path}:${pki.clientP12Pass}`));
    expect(c.subject).toBe('CN=test-device-001');
    expect(c.fingerprint).toBe(pem.fingerprint);
    expect(c.tlsOptions).toMatchObject({ passphrase: pki.clientP12Pass });
  });

  it('loads an RSA PKCS#12 (node-forge decodes RSA keys itself)', async () => {
    const p12 = join(dir, 'rsa.p12');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'rsa.key'), '-out', join(dir, 'rsa.pem'), '-days', '2', '-subj', '/CN=rsa-device'], { stdio: 'pipe' });
    execFileSync('openssl', ['pkcs12', '-export', '-in', join(dir, 'rsa.pem'), '-inkey', join(dir, 'rsa.key'), '-out', p12, '-passout', 'pass:pw'], { stdio: 'pipe' });
    const c = await loadClientCert(parseClientCertSpec(`h=${p12}:pw`));
    expect(c.subject).toBe('CN=rsa-device');
  });

  it('wrong or missing P12 password', async () => {
    await expect(loadClientCert(parseClientCertSpec(`h=${pki.clientP12Path}:nope`))).rejects.toThrow(`--client-cert h=${pki.clientP12Path}: wrong password for ${pki.clientP12Path}`);
    await expect(loadClientCert(parseClientCertSpec(`h=${pki.clientP12Path}`))).rejects.toThrow(/needs a password: --client-cert h=.*client\.p12:PASSWORD/);
  });

  it('missing or unreadable files are named', async () => {
    await expect(loadClientCert(parseClientCertSpec(`h=${dir}/nope.pem,${pki.clientKeyPath}`))).rejects.toThrow(`cannot read certificate file ${dir}/nope.pem (no such file)`);
    await expect(loadClientCert(parseClientCertSpec(`h=${pki.clientCertPath},${dir}/nope.key`))).rejects.toThrow(`cannot read key file ${dir}/nope.key (no such file)`);
    await expect(loadClientCert(parseClientCertSpec(`h=${dir}/nope.p12:x`))).rejects.toThrow(/--client-cert h=.*cannot read PKCS#12 file .*nope\.p12/);
    await expect(loadClientCert(parseClientCertSpec(`h=${dir},${pki.clientKeyPath}`))).rejects.toThrow(/is a directory/);
  });

  it('a key that does not belong to the certificate', async () => {
    await expect(loadClientCert(parseClientCertSpec(`h=${pki.clientCertPath},${pki.serverKeyPath}`))).rejects.toThrow(
      `the key in ${pki.serverKeyPath} does not match the certificate in ${pki.clientCertPath}`,
    );
  });

  it('files that hold the wrong thing', async () => {
    await expect(loadClientCert(parseClientCertSpec(`h=${pki.clientKeyPath},${pki.clientKeyPath}`))).rejects.toThrow(/holds no PEM certificate/);
    await expect(loadClientCert(parseClientCertSpec(`h=${pki.clientCertPath},${pki.clientCertPath}`))).rejects.toThrow(/holds no PEM private key/);
    const encrypted = join(dir, 'enc.key');
    execFileSync('openssl', ['pkey', '-in', pki.clientKeyPath, '-out', encrypted, '-aes256', '-passout', 'pass:x'], { stdio: 'pipe' });
    await expect(loadClientCert(parseClientCertSpec(`h=${pki.clientCertPath},${encrypted}`))).rejects.toThrow(/is encrypted; decrypt it first/);
    const notP12 = join(dir, 'garbage.p12');
    writeFileSync(notP12, 'not a pkcs12 file');
    await expect(loadClientCert(parseClientCertSpec(`h=${notP12}:x`))).rejects.toThrow(/not a usable PKCS#12 file/);
  });
});

describe('host globs', () => {
  it('exact, leading and trailing wildcards, case and trailing dot', () => {
    expect(hostGlobMatch('api.example.com', 'API.example.com.')).toBe(true);
    expect(hostGlobMatch('api.example.com', 'api.example.org')).toBe(false);
    expect(hostGlobMatch('*.example.com', 'a.example.com')).toBe(true);
    expect(hostGlobMatch('*.example.com', 'a.b.example.com')).toBe(true);
    expect(hostGlobMatch('*.example.com', 'example.com')).toBe(false);
    expect(hostGlobMatch('*.example.com', 'evilexample.com')).toBe(false);
    expect(hostGlobMatch('api.*', 'api.example.com')).toBe(true);
    expect(hostGlobMatch('api.*', 'www.api.example.com')).toBe(false);
    expect(hostGlobMatch('*', 'anything')).toBe(true);
    expect(hostGlobMatch('a+b.example.com', 'aab.example.com')).toBe(false);
  });

  it('ports and IPs', () => {
    expect(hostGlobMatch('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(hostGlobMatch('api.example.com:8443', 'api.example.com', 8443)).toBe(true);
    expect(hostGlobMatch('api.example.com:8443', 'api.example.com', 443)).toBe(false);
    expect(hostGlobMatch('::1', '[::1]')).toBe(true);
    expect(hostGlobMatch('[::1]:443', '::1', 443)).toBe(true);
    expect(hostGlobMatch('[::1]:443', '::1', 8443)).toBe(false);
  });

  it('matchClientCert picks the first match', () => {
    const fake = (hostGlob: string): LoadedClientCert => ({ hostGlob, subject: hostGlob, issuer: '', fingerprint: '', validTo: '', tlsOptions: { cert: '', key: '' }, source: '' });
    const list = [fake('api.example.com'), fake('*.example.com'), fake('*')];
    expect(matchClientCert('api.example.com', list)?.subject).toBe('api.example.com');
    expect(matchClientCert('cdn.example.com', list)?.subject).toBe('*.example.com');
    expect(matchClientCert('other.test', list)?.subject).toBe('*');
    expect(matchClientCert('other.test', list.slice(0, 2))).toBeNull();
  });
});

describe('the probe self-signed certificate', () => {
  it('is generated once and usable by OpenSSL', async () => {
    const a = await selfSignedClientCert();
    const b = await selfSignedClientCert();
    expect(b).toBe(a);
    expect(a.subject).toBe(SELF_SIGNED_SUBJECT);
    const path = join(dir, 'self.pem');
    writeFileSync(path, `${(a.tlsOptions as { cert: string }).cert}${(a.tlsOptions as { key: string }).key}`);
    const loaded = await loadClientCert(parseClientCertSpec(`h=${path}`));
    expect(loaded.fingerprint).toBe(a.fingerprint);
    expect(loaded.subject).toBe('CN=Pinprobe untrusted probe client, O=Pinprobe');
  });
});
