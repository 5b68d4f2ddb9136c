// Editing a list of strings as one entry per line.
import { useId } from 'react';
import { useFieldError } from './field-error';

export function ListEditor({ label, value, onChange, placeholder, hint, field }: { label: string; value: string[]; onChange: (v: string[]) => void; placeholder?: string; hint?: string; field?: string }) {
  const id = useId();
  const err = useFieldError(field);
  return (
    <div className={`field${err.message ? ' invalid' : ''}`} data-field={field}>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={Math.max(2, Math.min(6, value.length + 1))}
        spellCheck={false}
        placeholder={placeholder}
        value={value.join('\n')}
        onChange={(e) => onChange(e.target.value.split('\n'))}
        {...err.inputProps}
      />
      {err.note}
      {hint ? <p className="hint">{hint}</p> : null}
    </div>
  );
}

/** Drops blank entries and surrounding spaces before sending. */
export function cleanList(list: string[]): string[] {
  return list.map((s) => s.trim()).filter((s) => s !== '');
}
