import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 1000 / 100; // USER_HZ, 100 on Linux

/** The fields of a /proc stat file after the command name, which may itself hold spaces; field 0 is the state. */
function statFields(path: string): string[] {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

const statCpuMs = (fields: string[]) => (Number(fields[11]) + Number(fields[12])) * TICK_MS;

/** CPU time a live process has used so far (user + system, from /proc/<pid>/stat), in ms; null once it is gone. */
export function cpuMs(pid: number): number | null {
  try {
    return statCpuMs(statFields(`/proc/${pid}/stat`));
  } catch {
    return null;
  }
}

/** The machine's CPU time so far, all cores: busy (everything but idle and iowait) and total, in ticks. */
export function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, n) => sum + n, 0);
  return { busy: total - fields[3]! - fields[4]!, total };
}

export type ThreadCpu = { mainMs: number; otherMs: number; otherFaults: number };

/**
 * CPU time (user + system) of a process's main thread and of all its other threads together (the
 * libuv pool, where argon2 runs, and V8's helpers), with the other threads' minor page faults,
 * from /proc/<pid>/task/*\/stat; null once the process is gone. Threads that ended in between
 * are not counted.
 */
export function threadCpu(pid: number): ThreadCpu | null {
  try {
    const result: ThreadCpu = { mainMs: 0, otherMs: 0, otherFaults: 0 };
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const fields = statFields(`/proc/${pid}/task/${tid}/stat`);
      const ms = statCpuMs(fields);
      if (tid === String(pid)) result.mainMs += ms;
      else {
        result.otherMs += ms;
        result.otherFaults += Number(fields[7]);
      }
    }
    return result;
  } catch {
    return null;
  }
}

/**
 * Waits until the server has used under 10 ms of CPU over half a second. Returns the ms waited,
 * or -1 when it is still busy after 20 s.
 */
export async function serverIdle(pid: number): Promise<number> {
  const started = performance.now();
  const total = () => {
    const t = threadCpu(pid);
    return t === null ? null : t.mainMs + t.otherMs;
  };
  let last = total();
  while (last !== null && performance.now() - started < 20_000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = total();
    if (now === null || now - last < 10) return performance.now() - started;
    last = now;
  }
  return last === null ? performance.now() - started : -1;
}
