// POST /api/export/save (the desktop app's File › Export writes through it) and the
// `field` the API adds to a settings error so the UI can show it at that field.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlApi, type ControlApi } from '../../proxy/api/index.js';
import type { EngineSettings } from '../../proxy/api/engine-port.js';
import { settingErrorDetail, settingErrorField } from '../../proxy/api/setting-errors.js';
import { exchange, FakeEngine, tlsConnection } from '../helpers/fake-engine.js';

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

describe('settingErrorField', () => {
  const certs: Partial<EngineSettings> = {
    clientCerts: [
      { host: 'a.example', cert: '/ok/a.pem' },
      { host: 'B.example', cert: '/certs/b.pem', key: '/certs/b-key.pem' },
      { host: 'c.example', cert: '/certs/c.p12', passphrase: 'x' },
    ],
  };

  it('finds the client certificate row and the part that is wrong', () => {
    expect(settingErrorField(certs, '--client-cert b.example=/certs/b.pem,/certs/b-key.pem: cannot read key file /certs/b-key.pem (no such file)')).toBe('clientCerts.1.key');
    expect(settingErrorField(certs, '--client-cert b.example=/certs/b.pem,/certs/b-key.pem: cannot read certificate file /certs/b.pem (no such file)')).toBe('clientCerts.1.cert');
    expect(settingErrorField(certs, '--client-cert b.example=/certs/b.pem,/certs/b-key.pem: the key in /certs/b-key.pem does not match the certificate in /certs/b.pem')).toBe('clientCerts.1.cert');
    expect(settingErrorField(certs, '--client-cert c.example=/certs/c.p12: wrong password for /certs/c.p12')).toBe('clientCerts.2.passphrase');
    expect(settingErrorField(certs, '--client-cert something else entirely')).toBe('clientCerts');
  });

  it('keeps only what follows the option and spec for the field', () => {
    expect(settingErrorDetail(certs, '--client-cert b.example=/certs/b.pem,/certs/b-key.pem: cannot read key file /certs/b-key.pem (no such file)')).toBe('cannot read key file /certs/b-key.pem (no such file)');
    expect(settingErrorDetail({ upstreamCa: ['/x.pem'] }, '--upstream-ca /x.pem: not a PEM certificate file')).toBe('not a PEM certificate file');
    expect(settingErrorDetail(certs, 'scenario: bad')).toBe('scenario: bad');
  });

  it('names other settings by key, map-remote by rule', () => {
    expect(settingErrorField({ upstreamCa: ['/x.pem'] }, '--upstream-ca /x.pem: cannot read it (ENOENT)')).toBe('upstreamCa');
    const rules: Partial<EngineSettings> = { mapRemote: [{ from: 'a', to: 'b:1' }, { from: 'bad', to: 'nope' }] };
    expect(settingErrorField(rules, '--map-remote bad=nope: expected HOST[:PORT]=ADDR:PORT')).toBe('mapRemote.1');
    expect(settingErrorField({ scenario: 'trusted', passthrough: [] }, 'scenario: "x" is not a scenario')).toBe('scenario');
    expect(settingErrorField({ scenario: 'trusted', passthrough: [] }, 'something failed')).toBeUndefined();
  });

  it('reaches the client as {error, field}', async () => {
    const res = await fetch(`http://127.0.0.1:${api.port}/api/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mapRemote: [{ from: 'api.example', to: 'no-port' }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'mapRemote: "api.example=no-port" must be HOST[:PORT]=ADDR:PORT', field: 'mapRemote.0', detail: 'mapRemote: "api.example=no-port" must be HOST[:PORT]=ADDR:PORT' });
  });
});
