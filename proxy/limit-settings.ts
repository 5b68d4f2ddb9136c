// The connection timeouts and limits as settings-table entries (proxy/settings.ts), built
// from their description in limit-fields.ts: each is a `--flag VALUE` on the command line,
// a number (or null = automatic) in the control API, a field in the UI's Controls.
// Timeouts are seconds (fractions allowed, so tests can shorten them); limits are counts.
import { limitField, MAX_CONNECTIONS, MAX_TIMEOUT_S, type LimitFieldKey } from './limit-fields.js';
import { SettingError } from './setting-error.js';
import type { SettingDef } from './settings.js';
import type { SettingKey } from './settings-types.js';

type TimeoutKey = 'idleTimeout' | 'handshakeTimeout' | 'headersTimeout' | 'upstreamTimeout' | 'tunnelIdleTimeout';
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

export function timeoutSetting<K extends TimeoutKey>(key: K): SettingDef<K> {
  const { flag, help, default: defaultSeconds } = limitField(key);
  if (defaultSeconds === null) throw new Error(`${key}: a timeout needs a default`);
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

export function limitSetting<K extends LimitKey>(key: K): SettingDef<K> {
  const { flag, help, auto } = limitField(key);
  return {
    key,
    flag,
    arg: '<n|auto>',
    kind: 'value',
    default: null,
    help: `${help} (default: auto, ${auto ?? 'automatic'})`,
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
// Every key here is a setting key, and limit-fields.ts describes exactly these (compiler-checked).
const _keys: LimitSettingKey extends SettingKey ? (LimitSettingKey extends LimitFieldKey ? (LimitFieldKey extends LimitSettingKey ? true : never) : never) : never = true;
void _keys;
