// The `proxy` options (shared by `pinprobe proxy` and `pinprobe ui`) and their conversion
// to engine options. Every bad value is a one-line error naming the option.
import { accessSync, constants } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { ClientCertSetting, MapRemoteRule } from './api/engine-port.js';
import type { EngineOptions } from './engine.js';
import { parseClientCertSpec } from './net/client-certs.js';
import { parseMapRemote } from './net/upstream.js';
import { checkDeviceSpec } from './judge/device-trust.js';
import { isScenario, SCENARIOS, type Scenario } from './session/events.js';

export interface ProxyCliOptions {
  port: number;
  listen: string;
  dataDir?: string;
  record?: string;
  scenario?: Scenario;
  passthrough: string[];
  mapRemote: string[];
  upstreamCa: string[];
  upstreamInsecure?: boolean;
  clientCert: string[];
  autoPassthrough: boolean;
  expectMtls: string[];
  requestClientCert?: boolean;
  deviceTrustsCa: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function parsePort(value: string, option = '--port'): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 0 || n > 65535) throw new InvalidArgumentError(`${option} must be a port number from 0 to 65535 (got "${value}")`);
  return n;
}

function parseScenario(value: string): Scenario {
  if (!isScenario(value)) throw new InvalidArgumentError(`--scenario must be one of ${SCENARIOS.join(', ')} (got "${value}")`);
  return value;
}

function readableFile(option: string) {
  return (value: string, previous: string[] = []): string[] => {
    try {
      accessSync(value, constants.R_OK);
    } catch {
      throw new InvalidArgumentError(`${option} ${value}: file not found or not readable`);
    }
    return [...previous, value];
  };
}

function validated(option: string, check: (v: string) => unknown) {
  return (value: string, previous: string[] = []): string[] => {
    try {
      check(value);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message.replace(/^--[\w-]+ /, `${option} `));
    }
    return [...previous, value];
  };
}

export function addProxyOptions(cmd: Command): Command {
  addOptions(cmd);
  // Repeatable options start empty; "(default: [])" in --help reads like noise.
  for (const o of cmd.options) if (Array.isArray(o.defaultValue)) o.defaultValueDescription = 'none';
  return cmd;
}

function addOptions(cmd: Command): Command {
  return cmd
    .option('--port <n>', 'proxy port', (v) => parsePort(v), 8080)
    .option('--listen <addr>', 'address to listen on', '0.0.0.0')
    .option('--data-dir <dir>', 'holds ca/ (root CA) and sessions/')
    .option('--record <file>', 'session file to append to')
    .option('--scenario <name>', `present this certificate on every intercepted connection (${SCENARIOS.join(', ')}); default: audit rotation`, parseScenario)
    .option('--passthrough <glob>', 'tunnel these hosts untouched (repeatable)', collect, [])
    .option('--map-remote <rule>', 'HOST[:PORT]=ADDR:PORT: connect there instead, keeping SNI and Host (repeatable)', validated('--map-remote', parseMapRemote), [])
    .option('--upstream-ca <file>', 'trust this extra CA upstream (repeatable)', readableFile('--upstream-ca'), [])
    .option('--upstream-insecure', 'do not verify backend certificates (dangerous)')
    .option('--client-cert <spec>', 'HOST=CERT.pem,KEY.pem or HOST=FILE.p12[:PASS]: client certificate upstream (repeatable)', validated('--client-cert', parseClientCertSpec), [])
    .option('--no-auto-passthrough', 'keep intercepting hosts whose trusted certificate was rejected')
    .option('--expect-mtls <glob>', 'hosts that must enforce mTLS: not enforcing is a high finding (repeatable)', collect, [])
    .option('--request-client-cert', 'ask the app for a client certificate and record whether it has one')
    .option('--device-trusts-ca <addr|cidr>', "these devices have Pinprobe's CA in their system trust store: a refusal from them counts as pinning (repeatable; recorded in the session)", validated('--device-trusts-ca', checkDeviceSpec), []);
}

function mapRemoteRule(spec: string): MapRemoteRule {
  const eq = spec.indexOf('=');
  return { from: spec.slice(0, eq), to: spec.slice(eq + 1) };
}

function clientCertSetting(spec: string): ClientCertSetting {
  const parsed = parseClientCertSpec(spec);
  return parsed.kind === 'p12'
    ? { host: parsed.hostGlob, cert: parsed.path, passphrase: parsed.passphrase ?? undefined }
    : { host: parsed.hostGlob, cert: parsed.certPath, key: parsed.keyPath };
}

export function engineOptions(o: ProxyCliOptions, version: string): EngineOptions {
  return {
    port: o.port,
    listen: o.listen,
    dataDir: o.dataDir,
    record: o.record,
    version,
    settings: {
      scenario: o.scenario ?? null,
      autoPassthrough: o.autoPassthrough,
      passthrough: o.passthrough,
      mapRemote: o.mapRemote.map(mapRemoteRule),
      upstreamCa: o.upstreamCa,
      upstreamInsecure: Boolean(o.upstreamInsecure),
      clientCerts: o.clientCert.map(clientCertSetting),
      expectMtls: o.expectMtls,
      requestClientCert: Boolean(o.requestClientCert),
      deviceTrustsCa: o.deviceTrustsCa ?? [],
    },
  };
}
