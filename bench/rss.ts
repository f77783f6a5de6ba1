import { readFileSync } from 'node:fs';

/** VmRSS, VmHWM (peak), and VmRSS split into anonymous and file-backed pages. */
export type Rss = { rssKb: number; hwmKb: number; anonKb: number; fileKb: number };

/** The memory figures of a live process, from /proc; null once it is gone. */
export function readRss(pid: number): Rss | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM'), anonKb: field('RssAnon'), fileKb: field('RssFile') };
  } catch {
    return null;
  }
}

export type RssSampler = {
  /** Attributes the following samples to a phase; null pauses attribution. */
  phase(label: string | null): void;
  /** Peak sampled VmRSS per phase, and the process's own VmHWM at this moment. */
  peaks(): { byPhase: Map<string, number>; hwmKb: number | null };
  stop(): void;
};

export function sampleRss(pid: number, intervalMs = 100): RssSampler {
  const byPhase = new Map<string, number>();
  let current: string | null = null;
  let lastHwm: number | null = null;
  const take = () => {
    const rss = readRss(pid);
    if (rss === null) return;
    lastHwm = rss.hwmKb;
    if (current !== null) byPhase.set(current, Math.max(byPhase.get(current) ?? 0, rss.rssKb));
  };
  const timer = setInterval(take, intervalMs);
  return {
    phase(label) {
      take();
      current = label;
      take();
    },
    peaks() {
      take();
      return { byPhase, hwmKb: lastHwm };
    },
    stop: () => clearInterval(timer),
  };
}
