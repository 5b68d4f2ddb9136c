// Escape closes an open detail pane and puts the focus back on the list beside it.
import type { KeyboardEvent } from 'react';

export function closeOnEscape(open: boolean, close: () => void): (e: KeyboardEvent<HTMLElement>) => void {
  return (e) => {
    if (e.key !== 'Escape' || !open) return;
    e.preventDefault();
    const list = e.currentTarget.querySelector<HTMLElement>('[role="listbox"]');
    close();
    list?.focus();
  };
}
