// The editor's fit request is state, not only an event: a document opened before the canvas subscribes (its
// first render is slow on a loaded machine) must still be fitted when it does. The canvas side (waiting for
// measured nodes and an initialised viewport) is covered in the browser by editor.test.ts.
import { fitHandled, onFitRequest, pendingFitSince, requestFit } from '../../packages/editor/src/store/fitRequest';

const globals = globalThis as { window?: unknown };
let hadWindow: boolean;
beforeAll(() => {
  hadWindow = 'window' in globals;
  if (!hadWindow) globals.window = new EventTarget(); // the module only needs window's event methods
});
afterAll(() => {
  if (!hadWindow) delete globals.window;
});

test('a request made before anyone listens stays pending until it is handled', () => {
  requestFit();
  const requestedAt = pendingFitSince();
  expect(requestedAt).toEqual(expect.any(Number));

  // A canvas subscribing later hears nothing, but finds the request outstanding.
  const heard = jest.fn();
  const unsubscribe = onFitRequest(heard);
  expect(heard).not.toHaveBeenCalled();
  expect(pendingFitSince()).toBe(requestedAt);

  fitHandled(requestedAt!);
  expect(pendingFitSince()).toBeUndefined();
  unsubscribe();
});

test('handling an older request leaves a newer one outstanding; listeners hear every request', async () => {
  const heard = jest.fn();
  const unsubscribe = onFitRequest(heard);
  requestFit();
  const older = pendingFitSince()!;
  await new Promise((resolve) => setTimeout(resolve, 5)); // a later performance.now()
  requestFit();
  const newer = pendingFitSince()!;
  expect(newer).toBeGreaterThan(older);
  expect(heard).toHaveBeenCalledTimes(2);

  fitHandled(older);
  expect(pendingFitSince()).toBe(newer);
  fitHandled(newer);
  expect(pendingFitSince()).toBeUndefined();

  unsubscribe();
  requestFit();
  expect(heard).toHaveBeenCalledTimes(2); // unsubscribed
  fitHandled(pendingFitSince()!);
});
