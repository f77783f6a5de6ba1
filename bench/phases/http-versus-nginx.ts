import { describeStatuses, load, mergeLoads, type LoadOptions, type LoadResult } from '../http.js';
import { cpuMs } from '../cpu-time.js';
import { formatNumber, row } from '../report.js';
import type { PhaseResult, Settings } from '../settings.js';

export type Target = Omit<LoadOptions, 'connections' | 'durationS'>;

/** Issue 15's baseline: the Hono hello-world page, and what Uketori must reach against it. */
export type FrameworkBaseline = { target: Target | null; pid: number | null; note: string; minRatio: number; maxP99Ms: number };

function answers(result: LoadResult): number {
  return Object.values(result.statuses).reduce((a, b) => a + b, 0);
}

function unexpected(result: LoadResult): boolean {
  return result.errors > 0 || result.served !== Object.values(result.statuses).reduce((a, b) => a + b, 0);
}

/** The figures at 10 connections that later steps need (the per-part profile's budget). */
export type AtTen = { helloRps: number | null; cpuUs: number | null; helloCpuUs: number | null };

export type Comparison = PhaseResult & { atTen: AtTen };

/** One side's slices at one connection count, and the CPU its server used in them. */
type Slices = { runs: LoadResult[]; cpuMs: number; cpuKnown: boolean };

const slices = (): Slices => ({ runs: [], cpuMs: 0, cpuKnown: true });

async function slice(into: Slices, target: Target, pid: number | null, connections: number, durationS: number): Promise<void> {
  // The server's CPU at the two ends of the counted window, as load() opens and closes it.
  const cpu: { from: number | null; to: number | null } = { from: null, to: null };
  const read = () => (pid === null ? null : cpuMs(pid));
  const count = { opened: () => void (cpu.from = read()), closed: () => void (cpu.to = read()) };
  into.runs.push(await load({ ...target, connections, durationS, keepLatencies: true, count }));
  if (cpu.from === null || cpu.to === null) into.cpuKnown = false;
  else into.cpuMs += cpu.to - cpu.from;
}

/** The slices as one run, and the server's CPU µs per answer over them (null when unknown). */
function merged(into: Slices): { result: LoadResult; cpuUs: number | null } {
  const result = mergeLoads(into.runs);
  const n = answers(result);
  return { result, cpuUs: into.cpuKnown && n > 0 ? (into.cpuMs * 1000) / n : null };
}

/**
 * Uketori, the Hono hello-world and nginx at each connection count, by turns: `s.rounds` rounds
 * of runS / rounds seconds each, so that all three see the same moments of a noisy machine (its
 * speed drifts by more than a target's margin within a minute). Each side's figures are over
 * all of its slices. Targets (issue 15): req/s at least `minRatio` of the hello-world's at 10
 * connections, and a p99 bound at 10 connections. nginx is for information.
 */
export async function compareWithNginx(
  s: Settings,
  label: string,
  uketori: Target | null,
  nginx: Target,
  nginxNote: string,
  framework: FrameworkBaseline,
  uketoriPid: number | null,
): Promise<Comparison> {
  s.log(`${label}: warm-up ${s.warmupS} s each`);
  if (uketori !== null) await load({ ...uketori, connections: 10, durationS: s.warmupS });
  if (framework.target !== null) await load({ ...framework.target, connections: 10, durationS: s.warmupS });
  await load({ ...nginx, connections: 10, durationS: s.warmupS });
  const result: Comparison = { rows: [], notes: [], errors: [], raw: {}, atTen: { helloRps: null, cpuUs: null, helloCpuUs: null } };
  const sliceS = s.runS / s.rounds;
  for (const connections of s.connections) {
    s.log(`${label}: ${connections} connections, ${s.rounds} rounds of ${sliceS} s each`);
    const sides = { uketori: slices(), hello: slices(), nginx: slices() };
    // Server CPU per answer, from /proc: it explains the req/s ratio, and other load on the
    // cores moves it far less than it moves req/s. Every other round runs backwards, so that no
    // side always comes first, or always right after Uketori, while the machine drifts.
    const hello = framework.target;
    const forwards = [
      ...(uketori === null ? [] : [() => slice(sides.uketori, uketori, uketoriPid, connections, sliceS)]),
      ...(hello === null ? [] : [() => slice(sides.hello, hello, framework.pid, connections, sliceS)]),
      () => slice(sides.nginx, nginx, null, connections, sliceS),
    ];
    for (let round = 1; round <= s.rounds; round++) {
      for (const run of round % 2 === 1 ? forwards : [...forwards].reverse()) await run();
    }
    const ukRun = uketori === null ? null : merged(sides.uketori);
    const fwRun = framework.target === null ? null : merged(sides.hello);
    const uk = ukRun?.result ?? null;
    const fw = fwRun?.result ?? null;
    const ng = merged(sides.nginx).result;
    const at = `${connections} conn`;
    const ten = connections === 10;
    result.rows.push(
      row({
        measure: `${label} req/s, ${at}, vs Hono hello-world`,
        uketori: uk?.rps ?? null,
        baseline: fw?.rps ?? null,
        unit: 'req/s',
        baselineNote: framework.note,
        minRatio: ten ? framework.minRatio : undefined,
      }),
      row({ measure: `${label} req/s, ${at}, vs nginx (for information)`, uketori: uk?.rps ?? null, baseline: ng.rps, unit: 'req/s', baselineNote: nginxNote }),
      row({
        measure: `${label} server CPU per answer (user+system), ${at}`,
        uketori: ukRun?.cpuUs ?? null,
        baseline: fwRun?.cpuUs ?? null,
        unit: 'µs',
        baselineNote: 'hello-world',
      }),
      row({ measure: `${label} p50, ${at}`, uketori: uk?.p50 ?? null, baseline: fw?.p50 ?? null, unit: 'ms', baselineNote: 'hello-world' }),
      row({ measure: `${label} p99, ${at}`, uketori: uk?.p99 ?? null, baseline: fw?.p99 ?? null, unit: 'ms', baselineNote: 'hello-world', maxValue: ten ? framework.maxP99Ms : undefined }),
    );
    if (fw !== null) {
      result.rows.push(row({ measure: `${label}: the hello-world itself vs nginx (for information), ${at}`, uketori: fw.rps, baseline: ng.rps, unit: 'req/s', baselineNote: 'nginx' }));
      if (unexpected(fw)) result.notes.push(`${label}, ${at}: the hello-world answered ${describeStatuses(fw)}; only 200s count.`);
    }
    if (ten) result.atTen = { helloRps: fw?.rps ?? null, cpuUs: ukRun?.cpuUs ?? null, helloCpuUs: fwRun?.cpuUs ?? null };
    const ratio = uk !== null && fw !== null && fw.rps > 0 ? uk.rps / fw.rps : null;
    if (ten && ratio !== null && ratio < framework.minRatio && ukRun?.cpuUs && fwRun?.cpuUs) {
      result.notes.push(
        `${label}, ${at}: below ${framework.minRatio}× the hello-world because each answer took ${Math.round(ukRun.cpuUs)} µs of server CPU ` +
          `against the hello-world's ${Math.round(fwRun.cpuUs)} µs (${(fwRun.cpuUs / ukRun.cpuUs).toFixed(2)}×), measured in this run; ` +
          'where that time goes: the rows by part below, from perf in this run.',
      );
    }
    if (ten && uk !== null && fw !== null && uk.p99 > framework.maxP99Ms && ukRun?.cpuUs) {
      result.notes.push(
        `${label}, ${at}: p99 over ${framework.maxP99Ms} ms (${formatNumber(uk.p99, 'ms')}; the hello-world's ${formatNumber(fw.p99, 'ms')}). ` +
          `Ten connections wait in turn on one event loop, so the p99 follows the CPU per answer, ${Math.round(ukRun.cpuUs)} µs in this run ` +
          `(ten in line: ${formatNumber((10 * ukRun.cpuUs) / 1000, 'ms')}), and the moments the load generator or the host takes the cores from it.`,
      );
    }
    if (uk !== null && unexpected(uk)) result.notes.push(`${label}, ${at}: Uketori answered ${describeStatuses(uk)}; only 200s count.`);
    if (unexpected(ng)) result.notes.push(`${label}, ${at}: nginx answered ${describeStatuses(ng)}; only 200s count.`);
    const bySlice = (side: Slices) => side.runs.map(({ latencies: _, ...run }) => run);
    result.raw[`${connections}`] = { uketori: uk, hello: fw, nginx: ng, cpuUs: { uketori: ukRun?.cpuUs ?? null, hello: fwRun?.cpuUs ?? null }, slices: { uketori: bySlice(sides.uketori), hello: bySlice(sides.hello), nginx: bySlice(sides.nginx) } };
  }
  return result;
}
