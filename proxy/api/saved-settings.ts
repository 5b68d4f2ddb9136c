// Settings made in the UI survive a restart: they are saved in the data dir and applied
// at the next `pinprobe ui` / desktop start, except where the command line says otherwise.
// Each setting's origin is kept so Controls can say where a value came from.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EngineSettings } from './engine-port.js';
import { checkPatch } from '../settings.js';

export const SAVED_SETTINGS_FILE = 'settings.json';
const SCHEMA = 'pinprobe.settings/1';

export type SettingKey = keyof EngineSettings;
export type SettingSource = 'default' | 'command line' | 'saved' | 'ui';

export interface SettingSources {
  /** where UI changes are saved */
  file: string;
  sources: Partial<Record<SettingKey, SettingSource>>;
  /** a problem met reading the file at start (it was then ignored) */
  warning?: string;
}

export interface SavedSettings {
  file: string;
  values: Partial<EngineSettings>;
  warning?: string;
}

/** Reads DATA/settings.json; a missing file is no settings, a broken one is ignored with a warning. */
export function loadSavedSettings(dataDir: string, allowed: ReadonlySet<string>): SavedSettings {
  const file = join(dataDir, SAVED_SETTINGS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { file, values: {} };
  }
  try {
    const parsed = JSON.parse(text) as { schema?: unknown; settings?: unknown };
    if (parsed.schema !== SCHEMA || typeof parsed.settings !== 'object' || parsed.settings === null) throw new Error(`not a ${SCHEMA} file`);
    const values: Record<string, unknown> = {};
    const dropped: string[] = [];
    for (const [k, v] of Object.entries(parsed.settings)) {
      if (!allowed.has(k)) continue;
      // A hand-edited file gets the same shape checks as the control API; a bad value is left
      // out (its default applies) rather than reaching the engine unchecked.
      try {
        checkPatch({ [k]: v } as Partial<EngineSettings>);
        values[k] = v;
      } catch (err) {
        dropped.push(`${k}: ${(err as Error).message}`);
      }
    }
    const warning = dropped.length ? `${file}: ignored ${dropped.join('; ')}` : undefined;
    return { file, values: values as Partial<EngineSettings>, ...(warning ? { warning } : {}) };
  } catch (err) {
    return { file, values: {}, warning: `${file}: ignored (${(err as Error).message}); settings made in the UI will overwrite it` };
  }
}

/** Merges `patch` into the saved file (written whole, then renamed, mode 0600: it may hold a .p12 passphrase). */
export function saveSettings(file: string, patch: Partial<EngineSettings>, allowed: ReadonlySet<string>): void {
  let current: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { settings?: Record<string, unknown> };
    if (parsed.settings && typeof parsed.settings === 'object') current = parsed.settings;
  } catch {
    current = {};
  }
  for (const [k, v] of Object.entries(patch)) if (allowed.has(k)) current[k] = v;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ schema: SCHEMA, settings: current }, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}
