// The text a timeout/limit field shows for a setting's value, and the value to send for
// what was typed. What cannot be read as a number is sent as typed: the control API then
// names the field and says what is wrong (one wording for the CLI, the API and the UI).
import type { LimitField } from '../../../proxy/limit-fields';

export type LimitValue = number | null | string;

export function limitText(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

export function limitValue(text: string, field: LimitField): LimitValue {
  const t = text.trim();
  if (field.unit === 'connections') {
    if (t === '' || t.toLowerCase() === 'auto') return null;
    return /^\d+$/.test(t) ? Number(t) : t;
  }
  if (t === '') return field.default;
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

/** The hint under a field: its unit and default, or what automatic is (and is now). */
export function limitHint(field: LimitField, autoNow: number | undefined): string {
  if (field.unit === 'seconds') return `seconds · default ${field.default}`;
  const now = autoNow === undefined ? '' : ` (now ${autoNow.toLocaleString('en-US')})`;
  return `empty or auto: ${field.auto ?? 'automatic'}${now}`;
}
