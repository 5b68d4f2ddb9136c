// Every setting, declared once. The CLI's `proxy`/`ui` options (cli-options.ts), the
// defaults, the control API's accepted keys and its checks (engine.updateSettings), the
// session header's recorded options and the desktop shell's argument forwarding
// (app/engine-args.ts) are all derived from these two tables. Adding a setting: add its key
// to EngineSettings (settings-types.ts) and one entry to SETTINGS; TypeScript insists on both.
import { accessSync, constants } from 'node:fs';
import { checkDeviceSpec } from './judge/device-trust.js';
import { parseClientCertSpec } from './net/client-certs.js';
import { parseMapRemote } from './net/upstream.js';
import { limitSetting, timeoutSetting } from './limit-settings.js';
import { SettingError } from './setting-error.js';
import { isScenario, SCENARIOS, type SessionHeader } from './session/events.js';
import type { ClientCertSetting, EngineSettings, MapRemoteRule, SettingKey } from './settings-types.js';

export type { ClientCertSetting, EngineSettings, MapRemoteRule, SettingKey } from './settings-types.js';

/** How an option looks on the command line. */
export type OptionKind =
  /** `--flag` sets true */
  | 'flag'
  /** `--no-flag` sets false (the setting defaults to true) */
  | 'negated-flag'
  /** `--flag VALUE`, once */
  | 'value'
  /** `--flag VALUE`, repeatable */
  | 'list';

export interface SettingDef<K extends SettingKey> {
  key: K;
  /** as typed, e.g. `--map-remote` or `--no-auto-passthrough` */
  flag: string;
  /** value placeholder in --help, for value and list options */
  arg?: string;
  kind: OptionKind;
  default: EngineSettings[K];
  help: string;
  /** Checks one command-line value when it is parsed; throws a SettingError. */
  checkCli?: (value: string) => void;
  /** The setting's value from what the CLI collected (string, string[] or boolean). */
  fromCli: (raw: unknown) => EngineSettings[K];
  /**
   * What is wrong with a value the control API sent (with the list entry when one is at
   * fault), or undefined when it is right.
   */
  check: (value: unknown) => string | { index: number; message: string } | undefined;
  /** A change needs a new upstream pool (and a listener restart). */
  rebuildsPool: boolean;
  /** What the session header records of it (the options verdicts depend on), if anything. */
  recorded?: (settings: EngineSettings) => Partial<SessionHeader['options']>;
}

type SettingTable = { [K in SettingKey]: SettingDef<K> };
export type AnySettingDef = SettingTable[SettingKey];

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const strings = (raw: unknown): string[] => (isStringList(raw) ? raw : []);
const stringList = (v: unknown) => (isStringList(v) ? undefined : 'must be a list of strings');
// An empty glob (an unset shell variable, a blank row in the UI) would match no host and say nothing.
const hostGlobList = (v: unknown) => (!isStringList(v) ? 'must be a list of strings' : v.some((g) => g.trim() === '') ? 'must not hold an empty host glob' : undefined);
function nonEmptyGlob(key: 'passthrough' | 'expectMtls', flag: string): (v: string) => void {
  return (v) => {
    if (v.trim() === '') throw new SettingError({ key, message: 'must not be an empty host glob' }, `${flag} "${v}": an empty host glob matches no host; name one such as api.example.com or *.example.com`);
  };
}
const boolean = (v: unknown) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

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

/** Ordered as `pinprobe proxy --help` lists them. */
const TABLE: SettingTable = {
  scenario: {
    key: 'scenario',
    flag: '--scenario',
    arg: '<name>',
    kind: 'value',
    default: null,
    help: `present this certificate on every intercepted connection (${SCENARIOS.join(', ')}); default: audit rotation`,
    checkCli: (v) => {
      if (!isScenario(v)) throw new SettingError({ key: 'scenario', message: `must be one of ${SCENARIOS.join(', ')} (got "${v}")` }, `--scenario must be one of ${SCENARIOS.join(', ')} (got "${v}")`);
    },
    fromCli: (raw) => (typeof raw === 'string' && isScenario(raw) ? raw : null),
    check: (v) => (v === null || (typeof v === 'string' && isScenario(v)) ? undefined : `must be one of ${SCENARIOS.join(', ')} or null (audit rotation)`),
    rebuildsPool: false,
    recorded: (s) => ({ scenario: s.scenario }),
  },
  passthrough: {
    key: 'passthrough',
    flag: '--passthrough',
    arg: '<glob>',
    kind: 'list',
    default: [],
    help: 'tunnel these hosts untouched (repeatable)',
    checkCli: nonEmptyGlob('passthrough', '--passthrough'),
    fromCli: strings,
    check: hostGlobList,
    rebuildsPool: false,
    recorded: (s) => ({ passthrough: s.passthrough }),
  },
  mapRemote: {
    key: 'mapRemote',
    flag: '--map-remote',
    arg: '<rule>',
    kind: 'list',
    default: [],
    help: 'HOST[:PORT]=ADDR:PORT: connect there instead, keeping SNI and Host (repeatable)',
    checkCli: (v) => void parseMapRemote(v),
    fromCli: (raw) => strings(raw).map(mapRemoteRule),
    check: (v) => (Array.isArray(v) && v.every((r) => isRecord(r) && typeof r['from'] === 'string' && typeof r['to'] === 'string') ? undefined : 'must be a list of {from, to} rules'),
    rebuildsPool: true,
    // A mapped host's backend is another server (a local mock): the report must say whose answers it judged.
    recorded: (s) => ({ mapRemote: s.mapRemote.map((r) => ({ from: r.from, to: r.to })) }),
  },
  upstreamCa: {
    key: 'upstreamCa',
    flag: '--upstream-ca',
    arg: '<file>',
    kind: 'list',
    default: [],
    help: 'trust this extra CA upstream (repeatable)',
    // The file is read when the pool is built; on the command line a typo fails before start.
    checkCli: (file) => {
      try {
        accessSync(file, constants.R_OK);
      } catch {
        throw new SettingError({ key: 'upstreamCa', message: 'file not found or not readable' }, `--upstream-ca ${file}: file not found or not readable`);
      }
    },
    fromCli: strings,
    check: stringList,
    rebuildsPool: true,
  },
  upstreamInsecure: {
    key: 'upstreamInsecure',
    flag: '--upstream-insecure',
    kind: 'flag',
    default: false,
    help: 'do not verify backend certificates (dangerous)',
    fromCli: (raw) => Boolean(raw),
    check: boolean,
    rebuildsPool: true,
  },
  clientCerts: {
    key: 'clientCerts',
    flag: '--client-cert',
    arg: '<spec>',
    kind: 'list',
    default: [],
    help: 'HOST=CERT.pem,KEY.pem or HOST=FILE.p12[:PASS]: client certificate upstream (repeatable)',
    checkCli: (v) => void parseClientCertSpec(v),
    fromCli: (raw) => strings(raw).map(clientCertSetting),
    check: (v) =>
      Array.isArray(v) && v.every((c) => isRecord(c) && typeof c['host'] === 'string' && typeof c['cert'] === 'string'
        && (c['key'] === undefined || typeof c['key'] === 'string') && (c['passphrase'] === undefined || typeof c['passphrase'] === 'string'))
        ? undefined
        : 'must be a list of {host, cert, key?, passphrase?}',
    rebuildsPool: true,
    recorded: (s) => ({ clientCertHosts: s.clientCerts.map((c) => c.host) }),
  },
  autoPassthrough: {
    key: 'autoPassthrough',
    flag: '--no-auto-passthrough',
    kind: 'negated-flag',
    default: true,
    help: 'keep intercepting hosts whose trusted certificate was rejected',
    fromCli: (raw) => raw !== false,
    check: boolean,
    rebuildsPool: false,
    recorded: (s) => ({ autoPassthrough: s.autoPassthrough }),
  },
  expectMtls: {
    key: 'expectMtls',
    flag: '--expect-mtls',
    arg: '<glob>',
    kind: 'list',
    default: [],
    help: 'hosts that must enforce mTLS: not enforcing is a high finding (repeatable)',
    checkCli: nonEmptyGlob('expectMtls', '--expect-mtls'),
    fromCli: strings,
    check: hostGlobList,
    rebuildsPool: false,
    recorded: (s) => ({ expectMtls: s.expectMtls }),
  },
  requestClientCert: {
    key: 'requestClientCert',
    flag: '--request-client-cert',
    kind: 'flag',
    default: false,
    help: 'ask the app for a client certificate and record whether it has one',
    fromCli: (raw) => Boolean(raw),
    check: boolean,
    rebuildsPool: false,
    recorded: (s) => ({ requestClientCert: s.requestClientCert }),
  },
  deviceTrustsCa: {
    key: 'deviceTrustsCa',
    flag: '--device-trusts-ca',
    arg: '<addr|cidr>',
    kind: 'list',
    default: [],
    help: "these devices have Pinprobe's CA in their system trust store: a refusal from them counts as pinning (repeatable; recorded in the session)",
    checkCli: checkDeviceSpec,
    fromCli: strings,
    check: (v) => {
      if (!isStringList(v)) return 'must be a list of addresses or CIDRs';
      for (const [index, d] of v.entries()) {
        if (d.trim() === '') continue; // the engine drops empty rows
        try {
          checkDeviceSpec(d.trim());
        } catch (err) {
          return { index, message: (err as Error).message.replace(`--device-trusts-ca ${d.trim()}: `, '') };
        }
      }
      return undefined;
    },
    rebuildsPool: false,
    // Not in the header: each change is its own `device-trust` line (the engine writes them).
  },
  // Timeouts and limits (docs/decisions.md, "Silent sockets"): not recorded, no verdict
  // depends on them; a change applies to the next connection (or check) without a restart.
  // Their flags, defaults and wording are in limit-fields.ts (the UI reads them there too).
  idleTimeout: timeoutSetting('idleTimeout'),
  handshakeTimeout: timeoutSetting('handshakeTimeout'),
  headersTimeout: timeoutSetting('headersTimeout'),
  upstreamTimeout: timeoutSetting('upstreamTimeout'),
  tunnelIdleTimeout: timeoutSetting('tunnelIdleTimeout'),
  maxConnections: limitSetting('maxConnections'),
  maxConnectionsPerClient: limitSetting('maxConnectionsPerClient'),
};

export const SETTINGS: readonly AnySettingDef[] = Object.values(TABLE);

export const SETTING_KEYS: ReadonlySet<SettingKey> = new Set(SETTINGS.map((d) => d.key));

export function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as ReadonlySet<string>).has(key);
}

export function settingDef<K extends SettingKey>(key: K): SettingDef<K> {
  return TABLE[key];
}

export const DEFAULT_SETTINGS: EngineSettings = defaults();

function defaults(): EngineSettings {
  const out: Record<string, unknown> = {};
  for (const d of SETTINGS) out[d.key] = structuredClone(d.default);
  return out as unknown as EngineSettings;
}

/** The engine settings from the collected CLI values, keyed by commander's attribute names. */
export function settingsFromCli(values: Readonly<Record<string, unknown>>): EngineSettings {
  const out: Record<string, unknown> = {};
  for (const d of SETTINGS) out[d.key] = d.fromCli(values[cliAttribute(d.flag)]);
  return out as unknown as EngineSettings;
}

/** commander's attribute for a flag: `--no-auto-passthrough` -> autoPassthrough. */
export function cliAttribute(flag: string): string {
  return flag.replace(/^--(no-)?/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Checks the shape of every value in a control-API patch; throws a SettingError for the first bad one. */
export function checkPatch(patch: Partial<EngineSettings>): void {
  for (const d of SETTINGS) {
    if (!(d.key in patch)) continue;
    const value = (patch as Record<string, unknown>)[d.key];
    const problem = d.check(value);
    if (problem === undefined) continue;
    if (typeof problem === 'string') throw new SettingError({ key: d.key, message: problem }, `${d.key}: ${problem}`);
    // An entry at fault: the CLI line names the flag and the value, as on the command line.
    const entry = Array.isArray(value) ? String(value[problem.index]).trim() : '';
    throw new SettingError({ key: d.key, index: problem.index, message: problem.message }, `${d.flag} ${entry}: ${problem.message}`);
  }
}

/** Whether applying the patch needs a new upstream pool. */
export function patchRebuildsPool(patch: Partial<EngineSettings>): boolean {
  return SETTINGS.some((d) => d.rebuildsPool && d.key in patch);
}

/** The options a session header records (what its verdicts depend on). */
export function recordedOptions(settings: EngineSettings): SessionHeader['options'];
/** Only those of the settings a patch changed (for a `settings` line). */
export function recordedOptions(settings: EngineSettings, changed: Partial<EngineSettings>): Partial<SessionHeader['options']>;
export function recordedOptions(settings: EngineSettings, changed?: Partial<EngineSettings>): Partial<SessionHeader['options']> {
  const out: Partial<SessionHeader['options']> = {};
  for (const d of SETTINGS) if (d.recorded && (!changed || changed[d.key] !== undefined)) Object.assign(out, d.recorded(settings));
  return out;
}

/**
 * Options of `pinprobe proxy`/`ui` that are not engine settings: they choose where the
 * engine listens and records and apply at start-up only. The shell forwards them too.
 */
export interface StartOptionDef {
  flag: string;
  arg: string;
  help: string;
}

export const START_OPTIONS: readonly StartOptionDef[] = [
  { flag: '--port', arg: '<n>', help: 'proxy port' },
  { flag: '--listen', arg: '<addr>', help: 'address to listen on' },
  { flag: '--data-dir', arg: '<dir>', help: 'holds ca/ (root CA) and sessions/' },
  { flag: '--record', arg: '<file>', help: 'session file to append to' },
];

/** Every `proxy` option as typed, and whether it takes a value: what the desktop shell forwards. */
export function proxyOptionFlags(): Array<{ flag: string; takesValue: boolean }> {
  return [
    ...START_OPTIONS.map((o) => ({ flag: o.flag, takesValue: true })),
    ...SETTINGS.map((d) => ({ flag: d.flag, takesValue: d.kind === 'value' || d.kind === 'list' })),
  ];
}
