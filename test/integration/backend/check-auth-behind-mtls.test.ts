// check-auth against a backend that demands a client certificate (Debian's nginx with
// `ssl_verify_client on`): --client-cert and --upstream-ca reach the HTTP layer through the
// engine's upstream code, so the credential check is not confused with the mTLS refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../../helpers/engine.js';
import { nginxAvailable, startNginx } from '../../helpers/nginx.js';
import { testPki } from '../../helpers/pki.js';
import { curl, pinprobe } from '../../helpers/run.js';
import type { RunningServer } from '../../helpers/tls-servers.js';

interface JsonHost { host: string; port: number; backend: { auth: Array<{ path: string; result: string; status: number | null }> } }

describe('check-auth behind mTLS', () => {
  let nginx: RunningServer;
  let file: string;
  const pki = testPki();

  beforeAll(async () => {
    nginxAvailable();
    nginx = await startNginx({ verifyClient: 'on' });
    const proxy = await startEngine({ scenario: 'trusted', clientCerts: [{ host: 'localhost', cert: pki.clientCertPath, key: pki.clientKeyPath }] });
    file = proxy.engine.sessionFile;
    const r = await curl(proxy.proxyUrl, `https://localhost:${nginx.port}/v1/profile`, ['--cacert', proxy.caPath, '-H', 'Authorization: Bearer opaque-token-0123456789']);
    expect(r.stdout).toBe('ok\n');
    await proxy.waitFor((l) => l.type === 'response' && l.status === 200);
    await proxy.close();
  });
  afterAll(async () => {
    await nginx?.close();
  });

  const backendOf = async () => {
    const out = await pinprobe(['report', file, '--format', 'json']);
    const hosts = (JSON.parse(out.stdout) as { hosts: JsonHost[] }).hosts;
    return hosts.find((h) => h.host === 'localhost' && h.port === nginx.port)?.backend.auth ?? [];
  };

  it('without the client certificate the backend refuses the connection: unknown, not protected', async () => {
    const r = await pinprobe(['check-auth', file, '--host', 'localhost', '--upstream-ca', pki.caCertPath]);
    expect(r.code).toBe(0);
    expect(await backendOf()).toEqual([{ method: 'GET', path: '/v1/profile', result: 'unknown', status: 400 }]);
  });

  it('with --client-cert it reaches the HTTP layer and finds the endpoint answers without the token', async () => {
    const r = await pinprobe(['check-auth', file, '--host', 'localhost', '--upstream-ca', pki.caCertPath, '--client-cert', `localhost=${pki.clientCertPath},${pki.clientKeyPath}`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/unprotected\s+200\s+GET localhost:\d+\/v1\/profile/);
    expect(await backendOf()).toEqual([{ method: 'GET', path: '/v1/profile', result: 'unprotected', status: 200 }]);
  });

  it('without --upstream-ca the backend is not trusted and nothing is judged protected', async () => {
    const r = await pinprobe(['check-auth', file, '--host', 'localhost', '--client-cert', `localhost=${pki.clientP12Path}:${pki.clientP12Pass}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/unknown\s+no answer/);
  });
});
