// The `proxy` options (shared by `pinprobe proxy` and `pinprobe ui`) and their conversion
// to engine options, derived from the settings table (settings.ts). Every bad value is a
// one-line error naming the option.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { EngineOptions } from './engine.js';
import { settingsFromCli, SETTINGS, START_OPTIONS, type AnySettingDef } from './settings.js';

/** What commander collects: the start options plus one attribute per setting (see cliAttribute). */
export interface ProxyCliOptions {
  port: number;
  listen: string;
  dataDir?: string;
  /** false with `--no-record` (`pinprobe proxy` only). */
  record?: string | false;
  [setting: string]: unknown;
}

export function parsePort(value: string, option = '--port'): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 0 || n > 65535) throw new InvalidArgumentError(`${option} must be a port number from 0 to 65535 (got "${value}")`);
  return n;
}

/** The table's check for one value, as the error commander prints. */
function checked(def: AnySettingDef, value: string): void {
  try {
    def.checkCli?.(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^--[\w-]+ /, `${def.flag} `));
  }
}

function addSetting(cmd: Command, def: AnySettingDef): void {
  const flags = def.arg ? `${def.flag} ${def.arg}` : def.flag;
  if (def.kind === 'list') {
    cmd.option(flags, def.help, (value: string, previous: string[] = []) => (checked(def, value), [...previous, value]), []);
  } else if (def.kind === 'value') {
    cmd.option(flags, def.help, (value: string) => (checked(def, value), value));
  } else {
    // Flags: commander gives true for `--flag` and the default true for `--no-flag` unless given.
    cmd.option(flags, def.help);
  }
}

export function addProxyOptions(cmd: Command): Command {
  const [port, listen, dataDir, record] = START_OPTIONS;
  cmd
    .option(`${port!.flag} ${port!.arg}`, port!.help, (v) => parsePort(v), 8080)
    .option(`${listen!.flag} ${listen!.arg}`, listen!.help, '0.0.0.0')
    .option(`${dataDir!.flag} ${dataDir!.arg}`, dataDir!.help)
    .option(`${record!.flag} ${record!.arg}`, record!.help);
  for (const def of SETTINGS) addSetting(cmd, def);
  // Repeatable options start empty; "(default: [])" in --help reads like noise.
  for (const o of cmd.options) if (Array.isArray(o.defaultValue)) o.defaultValueDescription = 'none';
  return cmd;
}

export function engineOptions(o: ProxyCliOptions, version: string): EngineOptions {
  return {
    port: o.port,
    listen: o.listen,
    dataDir: o.dataDir,
    record: o.record === false ? undefined : o.record,
    recording: o.record !== false,
    version,
    settings: settingsFromCli(o),
  };
}
