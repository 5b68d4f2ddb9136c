// A settings section with its own Apply button. An error is reported right where the bad
// value was typed: next to the field the API names, or at the foot of the section when
// it names none.
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { errorText } from '../lib/format';
import { ErrorNote } from './error-note';
import { FieldErrorContext, locateField, type FieldErrorState } from './field-error';

export interface SectionFormProps {
  title: string;
  children: ReactNode;
  onApply: () => Promise<void>;
  description?: ReactNode;
  /** When an applied change takes effect, said after "Applied" (e.g. "new connections from now on"). */
  takesEffect?: string;
  /** Where the current values came from (command line, saved from the UI, defaults). */
  origin?: string | null;
}

export function SectionForm({ title, children, onApply, description, takesEffect, origin }: SectionFormProps) {
  const form = useRef<HTMLFormElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<FieldErrorState | null>(null);
  const [state, setState] = useState<'idle' | 'saving' | 'saved'>('idle');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState('saving');
    try {
      await onApply();
      setError(null);
      setFieldError(null);
      setState('saved');
      window.setTimeout(() => setState('idle'), 4000);
    } catch (err) {
      const message = errorText(err);
      const api = err instanceof ApiError ? err : null;
      const field = locateField(form.current, api?.field);
      setFieldError(field ? { field, message: api?.detail ?? message } : null);
      setError(field ? null : message);
      setState('idle');
    }
  };
  return (
    <form ref={form} className="card" onSubmit={submit} aria-label={title} noValidate>
      <h2>{title}</h2>
      {description ? <div className="muted">{description}</div> : null}
      <FieldErrorContext.Provider value={fieldError}>{children}</FieldErrorContext.Provider>
      <ErrorNote error={error} />
      {origin ? <p className="muted setting-origin">{origin}</p> : null}
      <div className="form-actions">
        {fieldError ? <span className="text-bad not-applied">Not applied — see the error above</span> : null}
        {state === 'saved' && takesEffect ? (
          <span className="text-ok applied-note" role="status">
            Applied: {takesEffect}
          </span>
        ) : null}
        <button type="submit" disabled={state === 'saving'}>
          {state === 'saving' ? 'Applying…' : state === 'saved' ? 'Applied ✓' : 'Apply'}
        </button>
      </div>
    </form>
  );
}
