// --device-trusts-ca and the mTLS probe as a user drives them from the built CLI (run
// `npx tsc -p tsconfig.json` first): the declaration is its own session line and turns a
// handshake refusal into "pinned"; a proxy stopped by SIGTERM right after traffic still
// records the mTLS probe that was in flight (SPEC: a stop finishes checks in flight).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../../proxy/judge/report-types.js';
import { readSession } from '../../../proxy/session/reader.js';
import { startNginx } from '../../helpers/nginx.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { testPki } from '../../helpers/pki.js';
import { curl, pinprobe, spawnProxy } from '../../helpers/run.js';
import type { RunningServer } from '../../helpers/tls-servers.js';

const pki = testPki();
const tmp = () => mkdtempSync(join(tmpdir(), 'pinprobe-device-trust-'));

describe('pinprobe proxy --device-trusts-ca', () => {
  let origin: Origin;
  beforeAll(async () => {
    origin = await startOrigin();
  });
  afterAll(async () => {
    await origin?.close();
  });

  it('records a device-trust line and judges a handshake refusal from that device pinned (device-trusts-ca)', async () => {
    const dataDir = tmp();
    const record = join(dataDir, 's.pinprobe.jsonl');
    const p = await spawnProxy([
      '--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir, '--record', record, '--upstream-ca', pki.caCertPath, '--scenario', 'trusted',
      '--map-remote', `app.app.test=127.0.0.1:${origin.port}`, '--map-remote', `other.app.test=127.0.0.1:${origin.port}`,
      '--device-trusts-ca', '127.0.0.40/30',
    ]);
    try {
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(p.output())![1];
      const proxyUrl = `http://127.0.0.1:${port}`;
      // This curl has no CA at all: in the handshake it refuses Pinprobe's (unknown_ca).
      expect((await curl(proxyUrl, 'https://app.app.test/', ['--interface', '127.0.0.41'])).code).toBe(60);
      // Same refusal from an address outside the declaration.
      expect((await curl(proxyUrl, 'https://other.app.test/', ['--interface', '127.0.0.45'])).code).toBe(60);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect((await p.exited).code).toBe(0);
    const session = await readSession(record);
    expect(session.events.filter((e) => e.type === 'device-trust')).toEqual([
      expect.objectContaining({ type: 'device-trust', device: '127.0.0.40/30', trustsCa: true, source: 'option' }),
    ]);
    const r = await pinprobe(['report', record, '--format', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    const host = (name: string) => report.hosts.find((h) => h.host === name);
    expect(host('app.app.test')).toMatchObject({ pinning: 'pinned', pinningEvidence: 'device-trusts-ca' });
    expect(host('app.app.test')?.pinningReason).toContain('127.0.0.40/30');
    expect(host('other.app.test')).toMatchObject({ pinning: 'inconclusive', pinningEvidence: null });
    const text = await pinprobe(['report', record]);
    expect(text.stdout).toContain('app.app.test:443: Pinned (device trusts the CA)');
  }, 60_000);

  it('refuses a value that is neither an address nor a CIDR with one line and exit 2, on proxy and ui', async () => {
    for (const cmd of ['proxy', 'ui']) {
      const r = await pinprobe([cmd, '--port', '0', '--listen', '127.0.0.1', '--data-dir', tmp(), '--device-trusts-ca', 'phone.local'], { timeoutMs: 20_000 });
      expect(r.code, cmd).toBe(2);
      expect(r.stderr.trim().split('\n'), cmd).toEqual([expect.stringMatching(/--device-trusts-ca phone\.local: not an IP address or CIDR/)]);
    }
    expect((await pinprobe(['ui', '--help'])).stdout).toContain('--device-trusts-ca');
  }, 40_000);
});

describe('the mTLS probe and an immediate SIGTERM', () => {
  let nginx: RunningServer;
  beforeAll(async () => {
    nginx = await startNginx({ verifyClient: 'on' });
  });
  afterAll(async () => {
    await nginx?.close();
  });

  it('a proxy stopped right after the traffic still records the probe: mtls is enforced, not unknown', async () => {
    const dataDir = tmp();
    const record = join(dataDir, 'm.pinprobe.jsonl');
    const p = await spawnProxy([
      '--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir, '--record', record, '--upstream-ca', pki.caCertPath, '--scenario', 'trusted',
      '--map-remote', `device.app.test=127.0.0.1:${nginx.port}`, '--client-cert', `device.app.test=${pki.clientP12Path}:${pki.clientP12Pass}`,
    ]);
    const port = /listening on 127\.0\.0\.1:(\d+)/.exec(p.output())![1];
    const ca = join(dataDir, 'ca', 'pinprobe-ca.pem');
    const r = await curl(`http://127.0.0.1:${port}`, 'https://device.app.test/', ['--cacert', ca]);
    p.child.kill('SIGTERM'); // at once: the probe without a certificate is still under way
    expect(r.stdout).toBe('ok\n');
    expect((await p.exited).code).toBe(0);
    const session = await readSession(record);
    expect(session.events.at(-1)?.type).toBe('session-end');
    expect(session.events.some((e) => e.type === 'upstream' && e.probe)).toBe(true);
    const report = JSON.parse((await pinprobe(['report', record, '--format', 'json'])).stdout) as Report;
    expect(report.hosts.find((h) => h.host === 'device.app.test')?.mtls).toEqual({ verdict: 'enforced', evidence: 'http-400:no-required-ssl-certificate', withCert: 'accepted' });
  }, 60_000);
});
