// The bounds under shared in-process models: at most `size` generations at once, first come first served, a
// waiter that is cancelled leaves the queue; one load per key, retried after a failure.
import { LoadOnce } from '../../src/models/load-once';
import { Slots } from '../../src/models/slots';

test('never more than `size` holders; waiters are served in order; an aborted waiter leaves the queue', async () => {
  const slots = new Slots(2);
  let holding = 0;
  let most = 0;
  const served: number[] = [];
  const work = async (id: number) => {
    const release = await slots.acquire();
    holding++;
    most = Math.max(most, holding);
    served.push(id);
    await new Promise((resolve) => setTimeout(resolve, 10));
    holding--;
    release();
  };
  await Promise.all([1, 2, 3, 4, 5, 6].map(work));
  expect(most).toBe(2);
  expect(served).toEqual([1, 2, 3, 4, 5, 6]);

  const first = await slots.acquire();
  const second = await slots.acquire();
  const controller = new AbortController();
  const cancelled = slots.acquire(controller.signal);
  const later = slots.acquire();
  controller.abort(new Error('cancelled while waiting'));
  await expect(cancelled).rejects.toThrow('cancelled while waiting');
  first();
  first(); // a second release of the same slot is ignored
  const third = await later; // the freed slot went to the next live waiter
  second();
  third();
  // Still two slots, not three: the double release above did not free an extra one.
  const again = await Promise.all([slots.acquire(), slots.acquire()]);
  const extra = slots.acquire();
  const state = await Promise.race([extra.then(() => 'granted'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 30))]);
  expect(state).toBe('waiting');
  again.forEach((release) => release());
  (await extra)();
});

test('one load per key; a failed load is forgotten and tried again', async () => {
  const loads = new LoadOnce<number>();
  let calls = 0;
  const load = async () => ++calls;
  expect(await Promise.all([loads.get('a', load), loads.get('a', load)])).toEqual([1, 1]);
  expect(calls).toBe(1);
  await expect(loads.get('b', async () => Promise.reject(new Error('bad file')))).rejects.toThrow('bad file');
  expect(await loads.get('b', load)).toBe(2);
  expect(await loads.drain()).toEqual([1, 2]);
  expect(await loads.get('a', load)).toBe(3); // drained: loaded afresh
});
