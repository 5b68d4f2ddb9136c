// A settings section with its own Apply button and its own error line, so a bad value
// is reported right where it was typed.
import { useState, type FormEvent, type ReactNode } from 'react';
import { errorText } from '../lib/format';
import { ErrorNote } from './error-note';

export function SectionForm({ title, children, onApply, description }: { title: string; children: ReactNode; onApply: () => Promise<void>; description?: ReactNode }) {
  const [error, setError] = useState<string | null>(null);
  const [state, setState] = useState<'idle' | 'saving' | 'saved'>('idle');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState('saving');
    try {
      await onApply();
      setError(null);
      setState('saved');
      window.setTimeout(() => setState('idle'), 1500);
    } catch (err) {
      setError(errorText(err));
      setState('idle');
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      {description ? <div className="muted">{description}</div> : null}
      {children}
      <ErrorNote error={error} />
      <div className="form-actions">
        <button type="submit" disabled={state === 'saving'}>
          {state === 'saving' ? 'Applying…' : state === 'saved' ? 'Applied ✓' : 'Apply'}
        </button>
      </div>
    </form>
  );
}
