// A file path: a text field, plus a native picker when the Electron preload offers one.
// `field` marks it for errors the API attributes to it (see field-error.tsx).
import { useId } from 'react';
import { bridge, type FileFilter } from '../bridge';
import { useFieldError } from './field-error';

export interface PathFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  filters?: FileFilter[];
  mode?: 'open' | 'save';
  field?: string;
}

export function PathField({ label, value, onChange, placeholder, filters, mode = 'open', field }: PathFieldProps) {
  const id = useId();
  const b = bridge();
  const pick = mode === 'open' ? b?.openFile : b?.saveFile;
  const err = useFieldError(field);
  return (
    <div className={`path-field${err.message ? ' invalid' : ''}`} data-field={field}>
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input id={id} type="text" value={value} placeholder={placeholder} spellCheck={false} onChange={(e) => onChange(e.target.value)} {...err.inputProps} />
        {pick ? (
          <button
            type="button"
            aria-label={`Browse: ${label}`}
            onClick={async () => {
              const chosen = await pick({ title: label, filters });
              if (chosen) onChange(chosen);
            }}
          >
            Browse…
          </button>
        ) : null}
      </div>
      {err.note}
    </div>
  );
}
