// RecentAnswer on a hand-driven clock: one read per period however many ask, a fresh read once the answer is
// too old, nothing kept from a read that `forget` overtook or that failed.
import { RecentAnswer } from '../../src/runner/recent-answer';

/** A read whose answers the test hands out one at a time. */
function controlledRead() {
  const waiting: Array<{ resolve: (value: boolean) => void; reject: (error: Error) => void }> = [];
  const read = jest.fn(() => new Promise<boolean>((resolve, reject) => waiting.push({ resolve, reject })));
  return { read, answer: (value: boolean) => waiting.shift()!.resolve(value), fail: (error: Error) => waiting.shift()!.reject(error) };
}

it('reads once per period, sharing one read among callers meanwhile', async () => {
  let now = 0;
  const { read, answer } = controlledRead();
  const users = new RecentAnswer(read, 1000, () => now);
  const first = [users.get(), users.get(), users.get()];
  answer(false);
  expect(await Promise.all(first)).toEqual([false, false, false]);
  now = 999;
  expect(await users.get()).toBe(false);
  expect(read).toHaveBeenCalledTimes(1);
  now = 1000;
  const later = users.get();
  answer(true);
  expect(await later).toBe(true);
  expect(read).toHaveBeenCalledTimes(2);
});

it('forget makes the next get read again, and drops a read that began before it', async () => {
  let now = 0;
  const { read, answer } = controlledRead();
  const users = new RecentAnswer(read, 1000, () => now);
  const before = users.get(); // began before the change
  users.forget();
  const after = users.get(); // must not share the older read
  expect(read).toHaveBeenCalledTimes(2);
  answer(false);
  answer(true);
  expect([await before, await after]).toEqual([false, true]);
  now = 10;
  expect(await users.get()).toBe(true); // the newer read's answer is the one kept
  expect(read).toHaveBeenCalledTimes(2);
});

it('does not keep a failed read: the next caller reads again', async () => {
  const { read, answer, fail } = controlledRead();
  const users = new RecentAnswer(read, 1000, () => 0);
  const failed = users.get();
  fail(new Error('database unreachable'));
  await expect(failed).rejects.toThrow('database unreachable');
  const retried = users.get();
  answer(true);
  expect(await retried).toBe(true);
  expect(read).toHaveBeenCalledTimes(2);
});
