// A session recorded with --map-remote (the app's host sent to a local or staging server) is
// checked against the same server: check-auth applies the rules the session recorded, so
// "answers without credentials" compares answers of one server. --map-remote on check-auth
// replaces them, --no-map-remote connects to the recorded host itself. Real curl through
// the real proxy, the real CLI, two real API origins on loopback.
import { copyFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSession } from '../../../proxy/session/reader.js';
import { GOOGLE_KEY, TOKEN, startApiOrigin, type ApiOrigin } from '../../helpers/api-origin.js';
import { startEngine } from '../../helpers/engine.js';
import { testPki } from '../../helpers/pki.js';
import { curl, pinprobe } from '../../helpers/run.js';

const ca = testPki().caCertPath;
let origin: ApiOrigin;
let other: ApiOrigin;
let recorded: string;

beforeAll(async () => {
  [origin, other] = await Promise.all([startApiOrigin(), startApiOrigin()]);
  const proxy = await startEngine({ scenario: 'trusted', mapRemote: [{ from: 'api.app.test', to: `127.0.0.1:${origin.port}` }] });
  recorded = proxy.engine.sessionFile;
  const trust = ['--cacert', proxy.caPath];
  for (const r of await Promise.all([
    curl(proxy.proxyUrl, 'https://api.app.test/v1/me', [...trust, '-H', `Authorization: Bearer ${TOKEN}`]),
    curl(proxy.proxyUrl, 'https://api.app.test/v1/catalog?page=1', [...trust, '-H', `x-api-key: ${GOOGLE_KEY}`]),
  ])) expect(r.stderr).toBe('');
  await proxy.waitFor(() => proxy.engine.lines().filter((l) => l.type === 'response').length >= 2);
  await proxy.close();
});
afterAll(async () => {
  await Promise.all([origin?.close(), other?.close()]);
});

/** A copy of the recorded session for one run (check-auth appends to the file it is given). */
function copy(name: string): string {
  const file = recorded.replace(/\.pinprobe\.jsonl$|\.jsonl$/, '') + `-${name}.pinprobe.jsonl`;
  copyFileSync(recorded, file);
  return file;
}

describe('check-auth on a session recorded with --map-remote', () => {
  it('replays go where the recorded requests went: the rules the session recorded apply, and the output says so', async () => {
    origin.reset();
    const file = copy('recorded-rules');
    const r = await pinprobe(['check-auth', file, '--host', 'api.app.test', '--upstream-ca', ca]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`map-remote (as recorded in the session; --no-map-remote to connect directly): api.app.test → 127.0.0.1:${origin.port}`);
    // The mapped server got both replays, without their credentials, under the app's host name.
    expect(origin.seen.map((s) => [s.url, s.host, s.auth])).toEqual(expect.arrayContaining([['/v1/me', 'api.app.test', false], ['/v1/catalog?page=1', 'api.app.test', false]]));
    expect(r.stdout).toMatch(/no credentials\s+unprotected\s+200\s+GET api\.app\.test:443\/v1\/catalog/);
    expect(r.stdout).toMatch(/no credentials\s+protected\s+401\s+GET api\.app\.test:443\/v1\/me/);
  });

  it('--map-remote on check-auth replaces the recorded rules', async () => {
    origin.reset();
    other.reset();
    const file = copy('own-rule');
    const r = await pinprobe(['check-auth', file, '--host', 'api.app.test', '--upstream-ca', ca, '--map-remote', `api.app.test=127.0.0.1:${other.port}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`map-remote: api.app.test → 127.0.0.1:${other.port}`);
    expect(other.seen.length).toBe(2);
    expect(origin.seen.length).toBe(0);
  });

  it('--no-map-remote connects to the recorded host itself (here a name that does not resolve: each replay is an error, nothing reaches the servers)', async () => {
    origin.reset();
    const file = copy('direct');
    const r = await pinprobe(['check-auth', file, '--host', 'api.app.test', '--upstream-ca', ca, '--no-map-remote']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('map-remote');
    expect(origin.seen.length).toBe(0);
    const { events } = await readSession(file);
    const errors = events.filter((e) => e.type === 'error' && /check-auth GET https:\/\/api\.app\.test\//.test(e.message));
    expect(errors.length).toBe(2);
  });

  it('a rule changed while recording: each replay goes where its own request went (the rules in force then), and the output lists both', async () => {
    // localhost:OTHER is first sent to ORIGIN by a rule, then (the rule removed from the UI)
    // reaches OTHER itself: a replay of each request must go to the server that answered it.
    origin.reset();
    other.reset();
    const from = `localhost:${other.port}`;
    const proxy = await startEngine({ scenario: 'trusted', mapRemote: [{ from, to: `127.0.0.1:${origin.port}` }] });
    const trust = ['--cacert', proxy.caPath];
    try {
      expect((await curl(proxy.proxyUrl, `https://${from}/v1/me`, [...trust, '-H', `Authorization: Bearer ${TOKEN}`])).stderr).toBe('');
      await proxy.engine.updateSettings({ mapRemote: [] });
      expect((await curl(proxy.proxyUrl, `https://${from}/v1/catalog?page=1`, [...trust, '-H', `x-api-key: ${GOOGLE_KEY}`])).stderr).toBe('');
      await proxy.waitFor(() => proxy.engine.lines().filter((l) => l.type === 'response').length >= 2);
    } finally {
      await proxy.close();
    }
    expect(origin.seen.map((x) => x.url)).toEqual(['/v1/me']);
    expect(other.seen.map((x) => x.url)).toEqual(['/v1/catalog?page=1']);
    origin.reset();
    other.reset();
    const r = await pinprobe(['check-auth', proxy.engine.sessionFile, '--host', 'localhost', '--upstream-ca', ca]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`map-remote (as recorded in the session, the rules in force when each request was made; --no-map-remote to connect directly): ${from} → 127.0.0.1:${origin.port}, then (none)`);
    expect(origin.seen.map((x) => [x.url, x.auth])).toEqual([['/v1/me', false]]);
    expect(other.seen.map((x) => [x.url, x.auth])).toEqual([['/v1/catalog?page=1', false]]);
    expect(r.stdout).toMatch(/no credentials\s+protected\s+401\s+GET localhost:\d+\/v1\/me/);
    expect(r.stdout).toMatch(/no credentials\s+unprotected\s+200\s+GET localhost:\d+\/v1\/catalog/);
  });

  it('a bad --map-remote is a usage error naming the option, and nothing is sent', async () => {
    origin.reset();
    const file = copy('bad-rule');
    const r = await pinprobe(['check-auth', file, '--host', 'api.app.test', '--map-remote', 'api.app.test=nowhere']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--map-remote api.app.test=nowhere: expected HOST[:PORT]=ADDR:PORT');
    expect(origin.seen.length).toBe(0);
  });
});
