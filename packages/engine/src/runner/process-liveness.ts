// Whether a process on this machine is still the one that took a lease. `kill(pid, 0)` alone is not enough:
// it succeeds on a zombie (a killed process its parent has not reaped yet, which can last seconds once it is
// reparented to an init that reaps lazily) and on an unrelated process that was given the same pid later.
// Where Linux's /proc is available the process's state and start time settle both; elsewhere the signal
// check is all there is (and the lease's expiry still bounds how long a wrong answer can last).
import { readFileSync } from 'node:fs';

/** States in /proc/<pid>/stat of a process that has exited: zombie (not reaped yet) and dead. */
const EXITED_STATES = new Set(['Z', 'X', 'x']);

interface ProcStat {
  state: string;
  /** Field 22: clock ticks after boot at which the process started; with the pid, it names one process. */
  startTime: string;
}

let procAvailable: boolean | undefined;

function hasProc(): boolean {
  if (procAvailable === undefined) {
    try {
      readFileSync('/proc/self/stat', 'utf8');
      procAvailable = true;
    } catch {
      procAvailable = false;
    }
  }
  return procAvailable;
}

/** Parses /proc/<pid>/stat; undefined when the process does not exist. The name (field 2) may hold spaces and parentheses. */
function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field 22 is fields[19].
  return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
}

/**
 * An identity of this process's start, recorded with a lease so a later process given the same pid is not
 * mistaken for the holder. Undefined where it cannot be read (no /proc).
 */
export function processStartTime(pid: number = process.pid): string | undefined {
  if (!hasProc()) return undefined;
  return readProcStat(pid)?.startTime || undefined;
}

function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True while the process `pid` on this machine runs: not exited (zombies count as exited) and, when
 * `startTime` is given and can be checked, the same process that recorded it.
 */
export function processIsAlive(pid: number, startTime?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (!hasProc()) return signalReaches(pid);
  const stat = readProcStat(pid);
  // Not listed: gone, or hidden from us (/proc mounted with hidepid); the signal check tells them apart.
  if (!stat) return signalReaches(pid);
  if (EXITED_STATES.has(stat.state)) return false;
  return startTime === undefined || stat.startTime === startTime;
}
