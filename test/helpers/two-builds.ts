// Two sessions recorded through the real engine with real curl against a real HTTPS
// origin, standing for two builds of one app: A (old) pins api.app.test and rejects a
// self-signed certificate for cdn.app.test; B (new) trusts Pinprobe's CA for api and
// accepts anything (-k) for cdn. old.app.test is only in A, new.app.test only in B.
import { join } from 'node:path';
import type { Scenario } from '../../proxy/session/events.js';
import { startEngine, type TestEngine } from './engine.js';
import type { Origin } from './origin.js';
import { testPki } from './pki.js';
import { curl } from './run.js';

const HOSTS = ['api.app.test', 'cdn.app.test', 'old.app.test', 'new.app.test'];

type Step = { host: string; scenario: Scenario; args: (p: TestEngine) => string[] };

const withCa = (p: TestEngine) => ['--cacert', p.caPath];
const pinned = (p: TestEngine) => ['--cacert', p.caPath, '--pinnedpubkey', `sha256//${testPki().serverPubkeySha256}`];
const insecure = () => ['-k'];

async function session(origin: Origin, steps: Step[], record?: string): Promise<string> {
  const p = await startEngine({ mapRemote: HOSTS.map((h) => ({ from: h, to: `127.0.0.1:${origin.port}` })) }, record ? { record } : {});
  for (const s of steps) {
    await p.engine.updateSettings({ scenario: s.scenario });
    await curl(p.proxyUrl, `https://${s.host}/v1/thing`, s.args(p));
    await p.waitFor((l) => l.type === 'client-tls' && l.host === s.host && l.scenario === s.scenario);
  }
  await p.close();
  return p.engine.sessionFile;
}

/** Records A then B; with `dir`, both land there as A.pinprobe.jsonl and B.pinprobe.jsonl. */
export async function recordTwoBuilds(origin: Origin, dir?: string): Promise<{ a: string; b: string }> {
  const a = await session(origin, [
    { host: 'old.app.test', scenario: 'trusted', args: withCa },
    { host: 'api.app.test', scenario: 'trusted', args: pinned },
    { host: 'cdn.app.test', scenario: 'trusted', args: withCa },
    { host: 'cdn.app.test', scenario: 'self-signed', args: withCa },
  ], dir ? join(dir, 'A-old-build.pinprobe.jsonl') : undefined);
  const b = await session(origin, [
    { host: 'new.app.test', scenario: 'trusted', args: withCa },
    { host: 'api.app.test', scenario: 'trusted', args: withCa },
    { host: 'cdn.app.test', scenario: 'trusted', args: withCa },
    { host: 'cdn.app.test', scenario: 'self-signed', args: insecure },
  ], dir ? join(dir, 'B-new-build.pinprobe.jsonl') : undefined);
  return { a, b };
}
