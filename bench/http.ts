import autocannon, { type AutocannonRequest, type Result } from 'autocannon';
import { createServer } from 'node:net';

export type LoadOptions = {
  url: string;
  connections: number;
  durationS: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Per-request hooks (setupRequest/onResponse); they replace method/headers/body above. */
  requests?: AutocannonRequest[];
  /** Statuses that count as served; the rest are reported but not in req/s or latency. */
  expected?: number[];
  /** Keep every served response's latency in the result, for mergeLoads. */
  keepLatencies?: boolean;
  /**
   * The counted window, on the bench's own clock: answers, their latencies and the duration
   * count from `fromMs` into the run (0 by default) to `durationS`, whenever autocannon itself
   * stops; answers outside it are only counted as such. `opened` and `closed` are called at its
   * two ends, for figures read beside the run.
   */
  count?: { fromMs?: number; opened?: () => void; closed?: () => void };
};

export type LoadResult = {
  connections: number;
  durationS: number;
  /** Responses with an expected status, per second of the run. */
  rps: number;
  /** Milliseconds, over expected responses only. */
  p50: number;
  p99: number;
  served: number;
  /** Answers inside the counted window, by status. */
  statuses: Record<string, number>;
  /** Answers before the window opened or after it closed, counted nowhere else. */
  outsideWindow: number;
  errors: number;
  timeouts: number;
  /** With keepLatencies only: ms per served response. */
  latencies?: number[];
};

/** Nearest-rank percentile of unsorted values; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * How long autocannon may flood past the duration it was given: it stops at its next
 * once-a-second sample after it. What a load sends is budgeted with it (phase 3's pickups).
 */
export const LOAD_OVERRUN_S = 1;

/**
 * One autocannon run. autocannon's own histogram has 1 ms resolution, which turns loopback
 * latencies into 0 or 1; the 'response' event carries the hrtime duration, so percentiles are
 * computed from that instead.
 */
export async function load(opts: LoadOptions): Promise<LoadResult> {
  const expected = new Set(opts.expected ?? [200]);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let outsideWindow = 0;
  const fromMs = opts.count?.fromMs ?? 0;
  if (fromMs >= opts.durationS * 1000) throw new Error('load: the counted window must open before the run ends');
  const started = performance.now();
  // When the window really opened and closed, in ms from the start: a timer's lateness is not counted time.
  const counted: { openedAt: number | null; closedAt: number | null } = { openedAt: null, closedAt: null };
  const open = () => {
    counted.openedAt = performance.now() - started;
    opts.count?.opened?.();
  };
  const close = () => {
    if (counted.openedAt === null || counted.closedAt !== null) return;
    counted.closedAt = performance.now() - started;
    opts.count?.closed?.();
  };
  const opening = fromMs === 0 ? (open(), undefined) : setTimeout(open, fromMs);
  // autocannon stops at its next once-a-second sample after the duration, or later if an
  // answer is late: the window closes on time whatever it does.
  const closing = setTimeout(close, opts.durationS * 1000);
  let result: Result;
  try {
    const instance = autocannon({
      url: opts.url,
      connections: opts.connections,
      duration: opts.durationS,
      timeout: 10,
      method: opts.method ?? 'GET',
      headers: opts.headers,
      body: opts.body,
      requests: opts.requests,
    });
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (counted.openedAt === null || counted.closedAt !== null) {
        outsideWindow++;
        return;
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (expected.has(status)) latencies.push(ms);
    });
    result = await instance;
  } finally {
    clearTimeout(opening);
    clearTimeout(closing);
    close();
  }
  const { openedAt, closedAt } = counted;
  const durationS = openedAt === null || closedAt === null ? 0 : Math.round(closedAt - openedAt) / 1000;
  return {
    connections: opts.connections,
    durationS,
    rps: durationS > 0 ? latencies.length / durationS : 0,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    served: latencies.length,
    statuses,
    outsideWindow,
    errors: result.errors,
    timeouts: result.timeouts,
    ...(opts.keepLatencies === true && { latencies }),
  };
}

/**
 * Several runs of one load (made with keepLatencies) as if they were one run as long as all of
 * them: served responses over the summed durations, percentiles over every latency.
 */
export function mergeLoads(runs: LoadResult[]): LoadResult {
  const latencies = runs.flatMap((r) => r.latencies ?? []);
  const durationS = runs.reduce((sum, r) => sum + r.durationS, 0);
  const statuses: Record<string, number> = {};
  for (const run of runs) for (const [code, n] of Object.entries(run.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
  const served = runs.reduce((sum, r) => sum + r.served, 0);
  if (latencies.length !== served) throw new Error('mergeLoads needs runs made with keepLatencies');
  return {
    connections: runs[0]?.connections ?? 0,
    durationS,
    rps: durationS > 0 ? served / durationS : 0,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    served,
    statuses,
    outsideWindow: runs.reduce((sum, r) => sum + r.outsideWindow, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    timeouts: runs.reduce((sum, r) => sum + r.timeouts, 0),
  };
}

/** "200: 5120, 429: 3" — for notes on runs that saw anything unexpected. */
export function describeStatuses(result: LoadResult): string {
  const parts = Object.entries(result.statuses).map(([code, n]) => `${code}: ${n}`);
  if (result.errors > 0) parts.push(`socket errors: ${result.errors} (timeouts ${result.timeouts})`);
  return parts.join(', ') || 'no responses';
}

/** A port free on 127.0.0.1 right now (the kernel picks it; a race is possible but unlikely). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('could not get a free port');
  return address.port;
}
