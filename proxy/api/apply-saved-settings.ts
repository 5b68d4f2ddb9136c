// At `pinprobe ui` start: the settings saved from the UI fill in every setting the command
// line did not give; the result says where each one came from (shown in Controls).
import type { EngineOptions } from '../engine.js';
import type { EngineSettings } from './engine-port.js';
import { SETTING_KEYS } from './routes.js';
import { loadSavedSettings, type SettingSources } from './saved-settings.js';

export type { SettingSources };

/** The CLI flag (commander's attribute name) behind each setting. */
const FLAG: Record<keyof EngineSettings, string> = {
  scenario: 'scenario', autoPassthrough: 'autoPassthrough', passthrough: 'passthrough', mapRemote: 'mapRemote',
  upstreamCa: 'upstreamCa', upstreamInsecure: 'upstreamInsecure', clientCerts: 'clientCert', expectMtls: 'expectMtls',
  requestClientCert: 'requestClientCert', deviceTrustsCa: 'deviceTrustsCa',
};

export function applySavedSettings(options: EngineOptions, givenOnCommandLine: (flag: string) => boolean): SettingSources {
  const saved = loadSavedSettings(options.dataDir ?? '.', SETTING_KEYS);
  const settings: Partial<EngineSettings> = { ...(options.settings ?? {}) };
  const sources: SettingSources['sources'] = {};
  for (const key of SETTING_KEYS) {
    if (givenOnCommandLine(FLAG[key])) sources[key] = 'command line';
    else if (key in saved.values) {
      (settings as Record<string, unknown>)[key] = saved.values[key];
      sources[key] = 'saved';
    } else sources[key] = 'default';
  }
  options.settings = settings;
  return { file: saved.file, sources, ...(saved.warning ? { warning: saved.warning } : {}) };
}
