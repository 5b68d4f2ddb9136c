// The connection timeouts and limits as settings-table entries (proxy/settings.ts): each is
// a `--flag VALUE` on the command line, a number (or null = automatic) in the control API.
// Timeouts are seconds (fractions allowed, so tests can shorten them); limits are counts.
import { SettingError } from './setting-error.js';
import type { SettingDef } from './settings.js';
import type { SettingKey } from './settings-types.js';

/** A day: longer would only hide a typo (ms given as seconds). */
const MAX_TIMEOUT_S = 86_400;
const MAX_CONNECTIONS = 1_000_000;

type TimeoutKey = 'idleTimeout' | 'handshakeTimeout' | 'headersTimeout' | 'tunnelIdleTimeout';
type LimitKey = 'maxConnections' | 'maxConnectionsPerClient';

function timeoutProblem(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_TIMEOUT_S
    ? undefined
    : `must be a number of seconds above 0 and at most ${MAX_TIMEOUT_S}`;
}

function limitProblem(v: unknown): string | undefined {
  return v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_CONNECTIONS)
    ? undefined
    : `must be a whole number from 1 to ${MAX_CONNECTIONS}, or null (automatic)`;
}

export function timeoutSetting<K extends TimeoutKey>(key: K, flag: string, defaultSeconds: number, help: string): SettingDef<K> {
  return {
    key,
    flag,
    arg: '<seconds>',
    kind: 'value',
    default: defaultSeconds,
    help: `${help} (default: ${defaultSeconds})`,
    checkCli: (raw) => {
      // Only plain decimals: Number() would also take "1e3", "0x10" or "".
      const problem = /^\d+(\.\d+)?$/.test(raw) ? timeoutProblem(Number(raw)) : 'must be a number of seconds, e.g. 30 or 0.5';
      if (problem) throw new SettingError({ key, message: problem }, `${flag} ${raw}: ${problem}`);
    },
    fromCli: (raw) => (typeof raw === 'string' ? Number(raw) : defaultSeconds),
    check: timeoutProblem,
    rebuildsPool: false,
  } as SettingDef<K>;
}

export function limitSetting<K extends LimitKey>(key: K, flag: string, help: string): SettingDef<K> {
  return {
    key,
    flag,
    arg: '<n|auto>',
    kind: 'value',
    default: null,
    help,
    checkCli: (raw) => {
      const problem = raw === 'auto' ? undefined : /^\d+$/.test(raw) ? limitProblem(Number(raw)) : `must be a whole number or auto (got "${raw}")`;
      if (problem) throw new SettingError({ key, message: problem }, `${flag} ${raw}: ${problem}`);
    },
    fromCli: (raw) => (typeof raw === 'string' && raw !== 'auto' ? Number(raw) : null),
    check: limitProblem,
    rebuildsPool: false,
  } as SettingDef<K>;
}

export type LimitSettingKey = TimeoutKey | LimitKey;
// Every key here is a setting key (checked by the compiler).
const _keys: LimitSettingKey extends SettingKey ? true : never = true;
void _keys;
