// POST /api/export/save (the desktop app's File › Export writes through it) and the
// structured settings errors (SettingError) the API turns into `field`, so the UI shows
// each at its field.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlApi, type ControlApi } from '../../../proxy/api/index.js';
import type { EngineSettings } from '../../../proxy/api/engine-port.js';
import { buildPool } from '../../../proxy/net/upstream-settings.js';
import { problemField, SettingError } from '../../../proxy/setting-error.js';
import { checkPatch, DEFAULT_SETTINGS } from '../../../proxy/settings.js';
import { exchange, FakeEngine, tlsConnection } from '../../helpers/fake-engine.js';

let api: ControlApi;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinprobe-export-save-'));
  const conn = tlsConnection({ host: 'api.shop.example', scenario: 'trusted', result: 'accepted' });
  const engine = new FakeEngine({ events: [...conn.events, ...exchange({ conn: conn.id, host: 'api.shop.example', path: '/v1/cart', responseBody: '{"items":[]}' })] });
  api = await startControlApi({ engine, uiDir: dir, version: '0.1.0-test' });
});
afterAll(async () => api.close());

async function save(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${api.port}/api/export/save`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('POST /api/export/save', () => {
  it('writes each format to the given absolute path', async () => {
    for (const format of ['har', 'html', 'json', 'junit', 'text']) {
      const path = join(dir, `out-${format}`);
      const { status, json } = await save({ format, path });
      expect(status).toBe(200);
      expect(json).toMatchObject({ saved: path, format });
      expect(readFileSync(path).length).toBe(json['bytes']);
    }
    const har = JSON.parse(readFileSync(join(dir, 'out-har'), 'utf8')) as { log: { entries: Array<{ request: { url: string } }> } };
    expect(har.log.entries[0]?.request.url).toBe('https://api.shop.example/v1/cart');
    expect(readFileSync(join(dir, 'out-junit'), 'utf8')).toContain('<testsuite');
  });

  it('refuses to overwrite unless asked, naming the path', async () => {
    const path = join(dir, 'existing.har');
    writeFileSync(path, 'keep me');
    const refused = await save({ format: 'har', path });
    expect(refused.status).toBe(409);
    expect(refused.json['error']).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe('keep me');
    expect((await save({ format: 'har', path, overwrite: true })).status).toBe(200);
    expect(readFileSync(path, 'utf8')).toContain('"log"');
  });

  it('explains a bad path or format', async () => {
    const relative = await save({ format: 'har', path: 'out.har' });
    expect(relative.status).toBe(400);
    expect(relative.json['error']).toContain('absolute path (got "out.har")');

    const missing = join(dir, 'nope', 'x.har');
    const noDir = await save({ format: 'har', path: missing });
    expect(noDir.status).toBe(404);
    expect(noDir.json['error']).toContain(join(dir, 'nope'));
    expect(existsSync(missing)).toBe(false);

    const folder = await save({ format: 'html', path: dir, overwrite: true });
    expect(folder.status).toBe(400);
    expect(folder.json['error']).toContain(`${dir} is a folder`);

    const format = await save({ format: 'pdf', path: join(dir, 'x.pdf') });
    expect(format.status).toBe(400);
    expect(format.json['error']).toMatch(/"format" must be one of har, .*junit.* \(got "pdf"\)/);
    expect((await save({ path: join(dir, 'y') })).status).toBe(400);
  });
});

describe('settings errors name their field', () => {
  // Real files: the pool builder reads them, so each error comes from the code that found it.
  const certDir = mkdtempSync(join(tmpdir(), 'pinprobe-setting-errors-'));
  const okPem = join(certDir, 'a.pem');
  const notPem = join(certDir, 'b.pem');
  const p12 = join(certDir, 'c.p12');
  // Passes the certificate check (a PEM block) so the key is read next.
  writeFileSync(okPem, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  writeFileSync(notPem, 'no certificate here');
  writeFileSync(p12, 'not a pkcs12 file');

  async function problem(patch: Partial<EngineSettings>): Promise<SettingError> {
    const err = await buildPool({ ...DEFAULT_SETTINGS, ...patch }).then((p) => (p.destroy(), null), (e: unknown) => e);
    expect(err).toBeInstanceOf(SettingError);
    return err as SettingError;
  }

  it('finds the client certificate row and the part that is wrong', async () => {
    const fine = { host: 'a.example', cert: okPem, key: okPem };
    const missingKey = await problem({ clientCerts: [fine, { host: 'b.example', cert: okPem, key: join(certDir, 'nope-key.pem') }] });
    // a.example fails too (no key in okPem), but the first row is checked first
    expect(missingKey.problem).toMatchObject({ key: 'clientCerts', index: 0 });
    const keyOnly = await problem({ clientCerts: [{ host: 'b.example', cert: okPem, key: join(certDir, 'nope-key.pem') }] });
    expect(problemField(keyOnly.problem)).toBe('clientCerts.0.key');
    const missingCert = await problem({ clientCerts: [{ host: 'b.example', cert: join(certDir, 'gone.pem'), key: join(certDir, 'gone-key.pem') }] });
    expect(problemField(missingCert.problem)).toBe('clientCerts.0.cert');
    const e = await problem({ clientCerts: [{ host: 'a.example', cert: p12 }] });
    expect(problemField(e.problem)).toBe('clientCerts.0.cert');
    // The CLI line names the option and the spec; the field's message does not repeat them.
    expect(e.message).toBe(`--client-cert a.example=${p12}: ${e.problem.message}`);
    expect(e.problem.message).toMatch(/is not a usable PKCS#12 file/);
  });

  it('names the upstream CA entry and the map-remote rule', async () => {
    const ca = await problem({ upstreamCa: [notPem] });
    expect(ca.problem).toEqual({ key: 'upstreamCa', index: 0, message: 'not a PEM certificate file' });
    expect(ca.message).toBe(`--upstream-ca ${notPem}: not a PEM certificate file`);
    const rule = await problem({ mapRemote: [{ from: 'a', to: 'b:1' }, { from: 'bad', to: 'nope' }] });
    expect(rule.problem).toMatchObject({ key: 'mapRemote', index: 1 });
    expect(problemField(rule.problem)).toBe('mapRemote.1');
    expect(rule.message).toBe(`--map-remote bad=nope: ${rule.problem.message}`);
  });

  it('checks the shape of every setting from the table', () => {
    expect(() => checkPatch({ scenario: 'nonsense' as never })).toThrow(/^scenario: must be one of/);
    expect(() => checkPatch({ passthrough: [1] as never })).toThrow('passthrough: must be a list of strings');
    // An empty glob matches no host: a blank row or an unset variable must not pass silently.
    expect(() => checkPatch({ passthrough: ['*.apple.com', ' '] })).toThrow('passthrough: must not hold an empty host glob');
    expect(() => checkPatch({ expectMtls: [''] })).toThrow('expectMtls: must not hold an empty host glob');
    expect(() => checkPatch({ requestClientCert: 'yes' as never })).toThrow('requestClientCert: must be true or false');
    expect(() => checkPatch({ scenario: null, autoPassthrough: false, clientCerts: [{ host: 'x', cert: '/c.pem' }] })).not.toThrow();
  });

  it('reaches the client as {error, field}', async () => {
    const res = await fetch(`http://127.0.0.1:${api.port}/api/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mapRemote: [{ from: 'api.example', to: 'no-port' }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'mapRemote: "api.example=no-port" must be HOST[:PORT]=ADDR:PORT', field: 'mapRemote.0', detail: '"api.example=no-port" must be HOST[:PORT]=ADDR:PORT' });
  });
});
