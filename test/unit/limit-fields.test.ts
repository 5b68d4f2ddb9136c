// The UI's timeout/limit fields come from proxy/limit-fields.ts, as the settings table's
// entries do: same keys, flags and defaults; and what a typed text becomes (a number, null
// for automatic, the default for an empty timeout, or the text itself for the API to refuse
// at that field).
import { describe, expect, it } from 'vitest';
import { LIMIT_FIELDS, limitField } from '../../proxy/limit-fields.js';
import { checkPatch, DEFAULT_SETTINGS, SETTINGS, settingDef } from '../../proxy/settings.js';
import { SettingError } from '../../proxy/setting-error.js';
import { limitHint, limitText, limitValue } from '../../renderer/src/lib/limit-values.js';

describe('limit fields', () => {
  it('describe exactly the settings table entries with <seconds> or <n|auto> values', () => {
    const tableKeys = SETTINGS.filter((d) => d.arg === '<seconds>' || d.arg === '<n|auto>').map((d) => d.key);
    expect(LIMIT_FIELDS.map((f) => f.key)).toEqual(tableKeys);
    for (const f of LIMIT_FIELDS) {
      expect(settingDef(f.key).flag).toBe(f.flag);
      expect(DEFAULT_SETTINGS[f.key]).toBe(f.default);
      expect(settingDef(f.key).help).toContain(f.help);
    }
  });

  it('turn typed text into the value sent', () => {
    const idle = limitField('idleTimeout');
    const max = limitField('maxConnections');
    expect(limitValue(' 0.5 ', idle)).toBe(0.5);
    expect(limitValue('', idle)).toBe(30);
    expect(limitValue('1e3', idle)).toBe('1e3');
    expect(limitValue('', max)).toBeNull();
    expect(limitValue('AUTO', max)).toBeNull();
    expect(limitValue('200', max)).toBe(200);
    expect(limitValue('2.5', max)).toBe('2.5');
    expect(limitText(null)).toBe('');
    expect(limitText(1800)).toBe('1800');
  });

  it('send what is not a number as typed, so the API names the field', () => {
    for (const [key, text] of [['idleTimeout', 'soon'], ['maxConnections', 'lots'], ['maxConnectionsPerClient', '-3']] as const) {
      const value = limitValue(text, limitField(key));
      let err: unknown;
      try {
        checkPatch({ [key]: value });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SettingError);
      expect((err as SettingError).problem.key).toBe(key);
    }
  });

  it('hint at the default, or at what automatic is now', () => {
    expect(limitHint(limitField('tunnelIdleTimeout'), undefined)).toBe('seconds · default 1800');
    expect(limitHint(limitField('maxConnections'), 32736)).toBe('empty or auto: from the open-files limit (now 32,736)');
  });
});
