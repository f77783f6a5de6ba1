import { describeStatuses, load, type LoadOptions, type LoadResult } from '../http.js';
import { row } from '../report.js';
import type { PhaseResult, Settings } from '../settings.js';

export type Target = Omit<LoadOptions, 'connections' | 'durationS'>;

function unexpected(result: LoadResult): boolean {
  return result.errors > 0 || result.served !== Object.values(result.statuses).reduce((a, b) => a + b, 0);
}

/**
 * Uketori and nginx at each connection count, one after the other, so both see the same
 * moment of a noisy machine. Targets: req/s ≥ 0.5× nginx, and p99 ≤ 10 ms at 10 connections.
 */
export async function compareWithNginx(
  s: Settings,
  label: string,
  uketori: Target | null,
  nginx: Target,
  nginxNote: string,
): Promise<PhaseResult> {
  s.log(`${label}: warm-up ${s.warmupS} s each`);
  if (uketori !== null) await load({ ...uketori, connections: 10, durationS: s.warmupS });
  await load({ ...nginx, connections: 10, durationS: s.warmupS });
  const result: PhaseResult = { rows: [], notes: [], errors: [], raw: {} };
  for (const connections of s.connections) {
    s.log(`${label}: ${connections} connections, ${s.runS} s each`);
    const uk = uketori === null ? null : await load({ ...uketori, connections, durationS: s.runS });
    const ng = await load({ ...nginx, connections, durationS: s.runS });
    const at = `${connections} conn`;
    result.rows.push(
      row({ measure: `${label} req/s, ${at}`, uketori: uk?.rps ?? null, baseline: ng.rps, unit: 'req/s', baselineNote: nginxNote, minRatio: 0.5 }),
      row({ measure: `${label} p50, ${at}`, uketori: uk?.p50 ?? null, baseline: ng.p50, unit: 'ms' }),
      row({ measure: `${label} p99, ${at}`, uketori: uk?.p99 ?? null, baseline: ng.p99, unit: 'ms', maxValue: connections === 10 ? 10 : undefined }),
    );
    if (uk !== null && unexpected(uk)) result.notes.push(`${label}, ${at}: Uketori answered ${describeStatuses(uk)}; only 200s count.`);
    if (unexpected(ng)) result.notes.push(`${label}, ${at}: nginx answered ${describeStatuses(ng)}; only 200s count.`);
    result.raw[`${connections}`] = { uketori: uk, nginx: ng };
  }
  return result;
}
