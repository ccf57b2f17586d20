// Asking the canvas to fit the view to the document (after it is opened or laid out). A request is state, not
// only an event: a document can be opened before the canvas has subscribed (its first render is slow on a loaded
// machine), and that document must still be fitted once the canvas is there.
const FIT_EVENT = 'storyloom:fit-view';

/** When the outstanding request was made (performance.now()), if any. */
let requestedAt: number | undefined;

export function requestFit(): void {
  requestedAt = performance.now();
  window.dispatchEvent(new CustomEvent(FIT_EVENT));
}

export function pendingFitSince(): number | undefined {
  return requestedAt;
}

/** Marks the request made at `at` as handled; a newer request stays outstanding. */
export function fitHandled(at: number): void {
  if (requestedAt === at) requestedAt = undefined;
}

/** Calls `listener` on every new request; returns the unsubscribe function. */
export function onFitRequest(listener: () => void): () => void {
  window.addEventListener(FIT_EVENT, listener);
  return () => window.removeEventListener(FIT_EVENT, listener);
}
