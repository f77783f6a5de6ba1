import type { AutocannonRequest } from 'autocannon';
import { machineTicks, threadCpu, type ThreadCpu } from '../cpu-time.js';
import { mergeProbes, startHealthzProbe, type ProbeResult, type ProbeRun } from '../healthz-probe.js';
import { load, mergeLoads, type LoadResult } from '../http.js';

/**
 * Where a flood slice starts counting: its 401s and their latencies, the server's CPU, the
 * cores' busy share and /healthz. The first half-second sets up the slice's connections and
 * takes every connection's first guess at once, which a flood that goes on does not do again;
 * the target is about the rate a flood keeps up. With one round (the quick run) the only slice
 * is counted whole; with more, the settling round runs the floods' start and no counted slice
 * is counted whole (docs/benchmarks.md, fourteenth round, says why this changed).
 */
export const COUNT_FROM_MS = 500;

/**
 * Rounds run before the counted ones and not counted: with more than one round, one. In the
 * first runs with the floor, every side's first slice ran slower than its later ones, raw
 * argon2's most, and a slow raw baseline flatters every ratio.
 */
export const settlingRounds = (rounds: number): number => (rounds > 1 ? 1 : 0);

/** Where every counted flood slice of a run of `rounds` rounds starts counting (see COUNT_FROM_MS). */
export const countFromMs = (rounds: number): number => (settlingRounds(rounds) > 0 ? COUNT_FROM_MS : 0);

/** Issue 15's wrong-password target: 401/s at least this share of the raw argon2 rate. */
export const WRONG_PASSWORD_MIN_RATIO = 0.85;

/** One connection count's flood, slice by slice, and what the server and the cores did meanwhile. */
export type FloodSlices = { loads: LoadResult[]; probes: ProbeRun[]; cpu: ThreadCpu; ticks: { busy: number; total: number }; cpuKnown: boolean };

export const noSlices = (): FloodSlices => ({ loads: [], probes: [], cpu: { mainMs: 0, otherMs: 0, otherFaults: 0 }, ticks: { busy: 0, total: 0 }, cpuKnown: true });

export type SliceRun = { origin: string; connections: number; durationS: number; requests: AutocannonRequest[]; serverPid: number | null; fromMs: number };

type Reading = { ticks: { busy: number; total: number }; cpu: ThreadCpu | null };

/** Runs one flood slice, probing /healthz beside it, and adds what it measured to `into`. */
export async function floodSlice(into: FloodSlices, run: SliceRun): Promise<void> {
  // Started and loaded before the slice: a worker's start-up is CPU the flood should not lose.
  const probe = startHealthzProbe(`${run.origin}/healthz`);
  // The counted window's ends, as load() opens and closes it (see COUNT_FROM_MS).
  const ends: { opened: Reading | null; closed: Reading | null } = { opened: null, closed: null };
  const reading = (): Reading => ({ ticks: machineTicks(), cpu: run.serverPid === null ? null : threadCpu(run.serverPid) });
  const opened = () => {
    probe.restart();
    ends.opened = reading();
  };
  const closed = () => void (ends.closed = reading());
  let flood: LoadResult;
  try {
    await probe.ready;
    flood = await load({
      url: run.origin,
      connections: run.connections,
      durationS: run.durationS,
      requests: run.requests,
      expected: [401],
      keepLatencies: true,
      count: { fromMs: run.fromMs, opened, closed },
    });
  } catch (err) {
    await probe.stop().catch(() => undefined);
    throw err;
  }
  into.loads.push(flood);
  into.probes.push(await probe.stop());
  const { opened: start, closed: end } = ends;
  if (start === null || end === null) throw new Error('a flood slice ended without its counted window');
  into.ticks.busy += end.ticks.busy - start.ticks.busy;
  into.ticks.total += end.ticks.total - start.ticks.total;
  if (start.cpu === null || end.cpu === null) into.cpuKnown = false;
  else {
    into.cpu.mainMs += end.cpu.mainMs - start.cpu.mainMs;
    into.cpu.otherMs += end.cpu.otherMs - start.cpu.otherMs;
    into.cpu.otherFaults += end.cpu.otherFaults - start.cpu.otherFaults;
  }
}

export type FloodFigures = { flood: LoadResult; healthz: ProbeResult; threads: ThreadCpu | null; busy: number | null };

/**
 * The slices as one flood: 401s over the summed counted time, and the server's CPU per 401 split
 * by thread. Everything the server did in the counted windows is charged to the 401s: the
 * probe's /healthz answers, any 429 or 503, and the checks of guesses still queued when a
 * window opened.
 */
export function floodFigures(slices: FloodSlices): FloodFigures {
  const flood = mergeLoads(slices.loads);
  const n = flood.served;
  const threads = slices.cpuKnown && n > 0 ? { mainMs: slices.cpu.mainMs / n, otherMs: slices.cpu.otherMs / n, otherFaults: slices.cpu.otherFaults / n } : null;
  return { flood, healthz: mergeProbes(slices.probes), threads, busy: slices.ticks.total > 0 ? slices.ticks.busy / slices.ticks.total : null };
}
