// The hook the editor's modals share to close on Escape; it listens on the window only while its modal is open.
import { useEffect } from 'react';

/** Calls `onEscape` when Escape is pressed while `active` (closing a modal). */
export function useEscape(active: boolean, onEscape: () => void): void {
  useEffect(() => {
    if (!active) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onEscape();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, onEscape]);
}
