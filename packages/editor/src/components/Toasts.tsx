// The toasts on screen, each with a dismiss button; errors are announced as alerts, the others politely. Adding them
// and timing them out is done in store/toasts.ts.
import { dismissToast } from '../store/toasts';
import { useEditor } from '../store/state';

export function Toasts() {
  const toasts = useEditor((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} data-testid={`toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <span>{t.message}</span>
          <button className="icon" onClick={() => dismissToast(t.id)} aria-label="Dismiss">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
