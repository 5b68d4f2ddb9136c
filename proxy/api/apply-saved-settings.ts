// At `pinprobe ui` start: the settings saved from the UI fill in every setting the command
// line did not give; the result says where each one came from (shown in Controls).
import type { EngineOptions } from '../engine.js';
import type { EngineSettings } from './engine-port.js';
import { cliAttribute, settingDef, SETTING_KEYS } from '../settings.js';
import { loadSavedSettings, type SettingSources } from './saved-settings.js';

export type { SettingSources };

export function applySavedSettings(options: EngineOptions, givenOnCommandLine: (flag: string) => boolean): SettingSources {
  const saved = loadSavedSettings(options.dataDir ?? '.', SETTING_KEYS);
  const settings: Partial<EngineSettings> = { ...(options.settings ?? {}) };
  const sources: SettingSources['sources'] = {};
  for (const key of SETTING_KEYS) {
    // commander's attribute name for the setting's flag (clientCerts -> clientCert)
    if (givenOnCommandLine(cliAttribute(settingDef(key).flag))) sources[key] = 'command line';
    else if (key in saved.values) {
      (settings as Record<string, unknown>)[key] = saved.values[key];
      sources[key] = 'saved';
    } else sources[key] = 'default';
  }
  options.settings = settings;
  return { file: saved.file, sources, ...(saved.warning ? { warning: saved.warning } : {}) };
}
