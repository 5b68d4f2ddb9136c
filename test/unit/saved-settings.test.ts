import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSavedSettings, SAVED_SETTINGS_FILE } from '../../proxy/api/saved-settings.js';
import { SETTING_KEYS } from '../../proxy/settings.js';

describe('saved UI settings (DATA/settings.json)', () => {
  it('leave out a hand-edited value the control API would refuse, with a warning naming the file and key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinprobe-saved-'));
    const file = join(dir, SAVED_SETTINGS_FILE);
    writeFileSync(file, JSON.stringify({ schema: 'pinprobe.settings/1', settings: { scenario: 'bogus', passthrough: ['*.bank.test'] } }));
    const saved = loadSavedSettings(dir, SETTING_KEYS);
    expect(saved.values).toEqual({ passthrough: ['*.bank.test'] });
    expect(saved.warning).toContain(file);
    expect(saved.warning).toContain('scenario');
  });
});
