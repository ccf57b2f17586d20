// Toasts: short messages that dismiss themselves (errors after 8 s, others after 3.5 s), and the helpers that turn a
// failed API call into one, with the server's own message and its first few validation problems.
import { ApiError } from '../api/client';
import { editorStore, type Toast } from './state';

let nextToastId = 1;

export function toast(kind: Toast['kind'], message: string, ttlMs = kind === 'error' ? 8000 : 3500): void {
  const id = nextToastId++;
  editorStore.setState((s) => ({ toasts: [...s.toasts, { id, kind, message }] }));
  setTimeout(() => dismissToast(id), ttlMs);
}

export function dismissToast(id: number): void {
  editorStore.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

/** Shows a failed call's message (the API's own `error.message`) and, for validation failures, the first problems. */
export function toastError(prefix: string, error: unknown): void {
  let message = error instanceof Error ? error.message : String(error);
  if (error instanceof ApiError && Array.isArray(error.details)) {
    const problems = (error.details as Array<{ message?: string }>).slice(0, 3).map((p) => p.message).filter(Boolean);
    if (problems.length) message += ` — ${problems.join('; ')}`;
  }
  toast('error', `${prefix}: ${message}`);
}

/** Runs an async UI action, reporting failure as a toast. */
export async function attempt<T>(label: string, action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    toastError(label, error);
    return undefined;
  }
}
