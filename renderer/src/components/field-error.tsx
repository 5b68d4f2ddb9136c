// Errors shown at the field they are about. The control API names the setting an engine
// error concerns (`{error, field: "clientCerts.0.cert"}`); SectionForm finds the element
// marked `data-field="…"` in its form and provides the error through this context, and
// the field shows it underneath itself (linked with aria-describedby).
import { createContext, useContext, useId, type ReactNode } from 'react';

export interface FieldErrorState {
  field: string;
  message: string;
}

export const FieldErrorContext = createContext<FieldErrorState | null>(null);

export interface FieldErrorBinding {
  /** the message when the current error is about this field */
  message: string | null;
  /** spread on the input */
  inputProps: { 'aria-invalid'?: true; 'aria-describedby'?: string };
  /** render under the input */
  note: ReactNode;
}

export function useFieldError(field: string | undefined): FieldErrorBinding {
  const ctx = useContext(FieldErrorContext);
  const id = useId();
  const message = field !== undefined && ctx?.field === field ? ctx.message : null;
  if (message === null) return { message: null, inputProps: {}, note: null };
  return {
    message,
    inputProps: { 'aria-invalid': true, 'aria-describedby': id },
    note: (
      <p id={id} className="field-error" role="alert">
        {message}
      </p>
    ),
  };
}

/** The closest marked field for `field` inside `root`: `a.0.b`, else `a.0`, else `a`. */
export function locateField(root: HTMLElement | null, field: string | undefined): string | null {
  if (!root || !field) return null;
  const parts = field.split('.');
  while (parts.length > 0) {
    const key = parts.join('.');
    if (root.querySelector(`[data-field="${CSS.escape(key)}"]`)) return key;
    parts.pop();
  }
  return null;
}
