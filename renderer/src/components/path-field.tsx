// A file path: a text field, plus a native picker when the Electron preload offers one.
import { useId } from 'react';
import { bridge, type FileFilter } from '../bridge';

export interface PathFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  filters?: FileFilter[];
  mode?: 'open' | 'save';
}

export function PathField({ label, value, onChange, placeholder, filters, mode = 'open' }: PathFieldProps) {
  const id = useId();
  const b = bridge();
  const pick = mode === 'open' ? b?.openFile : b?.saveFile;
  return (
    <div className="path-field">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input id={id} type="text" value={value} placeholder={placeholder} spellCheck={false} onChange={(e) => onChange(e.target.value)} />
        {pick ? (
          <button
            type="button"
            onClick={async () => {
              const chosen = await pick({ title: label, filters });
              if (chosen) onChange(chosen);
            }}
          >
            Browse…
          </button>
        ) : null}
      </div>
    </div>
  );
}
