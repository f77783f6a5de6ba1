import { readFileSync } from 'node:fs';

const TICK_MS = 1000 / 100; // USER_HZ, 100 on Linux

/** CPU time a live process has used so far (user + system, from /proc/<pid>/stat), in ms; null once it is gone. */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/** Runs fn and returns its result with the CPU µs process pid spent per unit of `count(result)`. */
export async function withCpu<T>(pid: number | null, fn: () => Promise<T>, count: (r: T) => number): Promise<{ result: T; cpuUs: number | null }> {
  const before = pid === null ? null : cpuMs(pid);
  const result = await fn();
  const after = pid === null ? null : cpuMs(pid);
  const n = count(result);
  return { result, cpuUs: before === null || after === null || n === 0 ? null : ((after - before) * 1000) / n };
}
