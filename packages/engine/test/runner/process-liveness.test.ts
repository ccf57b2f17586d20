// A lease holder's process is judged alive only while it runs and is the process that took the lease: a
// zombie (exited, not reaped) and an unrelated process that got the same pid both count as gone, on real
// processes read through /proc.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { leaseIsDead } from '../../src/runner/lease';
import { processIsAlive, processStartTime } from '../../src/runner/process-liveness';

const linux = existsSync('/proc/self/stat');
const onLinux = linux ? test : test.skip;

/**
 * A shell that starts a short `sleep` in the background and then becomes a long `sleep`, which never reaps
 * it: once the short one ends (after the shell has become the long one), it is a zombie for the rest.
 */
async function withZombie(use: (zombiePid: number) => void | Promise<void>): Promise<void> {
  const parent: ChildProcess = spawn('/bin/sh', ['-c', 'sleep 1 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const zombie = await new Promise<number>((resolve) => parent.stdout!.once('data', (chunk) => resolve(Number(String(chunk).trim()))));
    // Wait until the short sleep has exited (it is then Z until its parent, the long sleep, is gone).
    const deadline = Date.now() + 10_000;
    while (!/\) Z /.test(safeStat(zombie)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await use(zombie);
  } finally {
    parent.kill('SIGKILL');
  }
}

function safeStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}

const lease = (pid: number, started?: string) => ({ owner: `${hostname()}:${pid}`, host: hostname(), pid, started, expiresAt: Date.now() + 60_000, epoch: 1 });

describe('process liveness for leases', () => {
  onLinux('a zombie counts as dead although a signal still reaches it', async () => {
    await withZombie((zombie) => {
      expect(safeStat(zombie)).toMatch(/\) Z /);
      expect(() => process.kill(zombie, 0)).not.toThrow(); // what the old check relied on
      expect(processIsAlive(zombie)).toBe(false);
      expect(leaseIsDead(lease(zombie))).toBe(true);
    });
  });

  onLinux('a live process is alive only with its own start time: a reused pid does not keep a lease', async () => {
    const sleeper = spawn('sleep', ['20'], { stdio: 'ignore' });
    try {
      const pid = sleeper.pid!;
      const started = processStartTime(pid);
      expect(started).toMatch(/^\d+$/);
      expect(processIsAlive(pid, started)).toBe(true);
      expect(leaseIsDead(lease(pid, started))).toBe(false);
      // The lease was taken by an earlier process that had this pid: the one running now is not its holder.
      const earlier = String(Number(started) - 1);
      expect(processIsAlive(pid, earlier)).toBe(false);
      expect(leaseIsDead(lease(pid, earlier))).toBe(true);
      // A lease recorded before start times were (an older database) is judged by the pid alone.
      expect(leaseIsDead(lease(pid))).toBe(false);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  onLinux('this process: alive under its own start time, not under another process that had its pid', () => {
    const own = processStartTime();
    expect(leaseIsDead(lease(process.pid, own))).toBe(false);
    expect(leaseIsDead(lease(process.pid, String(Number(own) - 1)))).toBe(true);
  });

  test('a process that has exited and been reaped is dead; an expired lease is dead whoever holds it', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    expect(processIsAlive(gone)).toBe(false);
    expect(leaseIsDead(lease(gone))).toBe(true);
    expect(processIsAlive(0)).toBe(false);
    expect(processIsAlive(-1)).toBe(false);
    expect(leaseIsDead({ ...lease(process.pid, processStartTime()), expiresAt: Date.now() - 1 })).toBe(true);
    // On another host nothing can be checked but the expiry.
    expect(leaseIsDead({ ...lease(gone), host: 'elsewhere' })).toBe(false);
  });
});
