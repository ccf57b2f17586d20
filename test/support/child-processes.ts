// Child processes started by tests (CLIs, stub servers, terminals), so whatever a failing test left running
// is killed when its file ends: a leftover child would otherwise keep jest from exiting.
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();

/** Remembers `child` until it exits; returns it. */
export function trackChild<T extends ChildProcess>(child: T): T {
  if (child.exitCode === null && child.signalCode === null) {
    live.add(child);
    child.once('exit', () => live.delete(child));
  }
  return child;
}

/** Kills every tracked child still running and waits (briefly) for each to go. */
export async function killStrayChildren(): Promise<number> {
  const stray = [...live];
  await Promise.all(
    stray.map(
      (child) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 2_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGKILL');
        }),
    ),
  );
  live.clear();
  return stray.length;
}
