// Editing a list of strings as one entry per line.
import { useId } from 'react';

export function ListEditor({ label, value, onChange, placeholder, hint }: { label: string; value: string[]; onChange: (v: string[]) => void; placeholder?: string; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={Math.max(2, Math.min(6, value.length + 1))}
        spellCheck={false}
        placeholder={placeholder}
        value={value.join('\n')}
        onChange={(e) => onChange(e.target.value.split('\n'))}
      />
      {hint ? <p className="hint">{hint}</p> : null}
    </div>
  );
}

/** Drops blank entries and surrounding spaces before sending. */
export function cleanList(list: string[]): string[] {
  return list.map((s) => s.trim()).filter((s) => s !== '');
}
