import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The fixed set of route classes a request is counted under. A path never becomes a label:
 * pickup URLs carry tokens, and unknown paths are unbounded.
 */
export const ROUTE_CLASSES = ['landing', 'password', 'download', 'health', 'static', 'help', 'metrics', 'other'] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

/** Index into ROUTE_CLASSES from the method and path alone: a few string tests, no allocation. */
export function routeClass(method: string, path: string): number {
  if (path.startsWith('/d/')) return path.endsWith('/download') ? 2 : method === 'POST' ? 1 : 0;
  if (path === '/healthz') return 3;
  if (path.startsWith('/static/') || path === '/favicon.ico') return 4;
  if (path.startsWith('/help')) return 5;
  if (path === '/metrics') return 6;
  return 7;
}

/** What a password check came to; `malformed` input (empty, wrong length or alphabet) spends no guess. */
export type PasswordResult = 'ok' | 'wrong' | 'throttled' | 'busy' | 'malformed' | 'abandoned';

/** A PostgreSQL pool's state; the SQLite store has no pool and reports null. */
export type PoolStats = { inUse: number; waiting: number };

/** Values read at scrape time rather than kept up to date on every request. */
export type ScrapeSources = { hasherQueued: number; hasherInFlight: number; pool: PoolStats | null };

/** The parts of a sweep result the metrics count (services/sweep.ts SweepResult fits). */
export type SweepCounts = {
  destroyed: ReadonlyArray<{ reason: string }>;
  files: { deleted: readonly unknown[]; failed: readonly unknown[] };
  walClean: boolean;
  staleClients: number;
};

export type Metrics = {
  readonly registry: Registry;
  readonly contentType: string;
  guessBudgetDrained: Counter;
  windowsStarted: Counter;
  downloads: Counter;
  /** Called once per request by the app's first middleware. */
  observeRequest(routeIndex: number, status: number, seconds: number): void;
  countPassword(result: PasswordResult): void;
  recordSweep(result: SweepCounts, now: number): void;
  /** The exposition text, with the live values read now. */
  scrape(sources: ScrapeSources): Promise<string>;
};

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STATUS_SLOTS = 600;

/**
 * The portal's metrics on a registry of its own (never prom-client's global one), so every app a
 * test builds counts alone. Request counts live in a plain array and reach prom-client only when
 * scraped, which keeps the per-request cost to an array increment and one histogram observation.
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const requestCounts = new Float64Array(ROUTE_CLASSES.length * STATUS_SLOTS);

  new Counter({
    name: 'uketori_http_requests_total',
    help: 'HTTP requests answered, by route class and status code',
    labelNames: ['route', 'status'] as const,
    registers,
    collect() {
      this.reset();
      for (let i = 0; i < requestCounts.length; i++) {
        const n = requestCounts[i]!;
        if (n > 0) this.inc({ route: ROUTE_CLASSES[Math.floor(i / STATUS_SLOTS)]!, status: String(i % STATUS_SLOTS) }, n);
      }
    },
  });
  const latency = new Histogram({
    name: 'uketori_http_request_duration_seconds',
    help: 'Time from receiving a request to its response being ready, by route class',
    labelNames: ['route'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const latencyByClass = ROUTE_CLASSES.map((route) => latency.labels(route));

  const passwords = new Counter({
    name: 'uketori_password_checks_total',
    help: 'Password submissions by outcome: ok, wrong, throttled, busy (hasher queue full), malformed (no guess spent), abandoned (the connection closed before its check started)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const passwordByResult = new Map((['ok', 'wrong', 'throttled', 'busy', 'malformed', 'abandoned'] as const).map((r) => [r, passwords.labels(r)]));

  const hasherQueued = new Gauge({ name: 'uketori_hasher_queue_depth', help: 'Password checks waiting for a hasher slot', registers });
  const hasherInFlight = new Gauge({ name: 'uketori_hasher_in_flight', help: 'Password checks or hashes running now', registers });

  // A registry of their own: with SQLite there is no pool, and the scrape leaves them out entirely.
  const poolRegistry = new Registry();
  const poolInUse = new Gauge({ name: 'uketori_db_pool_in_use', help: 'PostgreSQL pool connections checked out by a query or transaction', registers: [poolRegistry] });
  const poolWaiting = new Gauge({ name: 'uketori_db_pool_waiting', help: 'Queries waiting for a PostgreSQL pool connection', registers: [poolRegistry] });

  const sweepRuns = new Counter({ name: 'uketori_sweep_runs_total', help: 'Sweeps of ended key material run by this process', registers });
  const sweepDestroyed = new Counter({
    name: 'uketori_sweep_destroyed_total',
    help: 'Sealed PKCS#12 files destroyed by the sweep, by why the pickup ended',
    labelNames: ['reason'] as const,
    registers,
  });
  const sweepFiles = new Counter({ name: 'uketori_sweep_files_deleted_total', help: 'Letters and outbox mails of ended pickups deleted by the sweep', registers });
  const sweepFileFailures = new Counter({ name: 'uketori_sweep_file_failures_total', help: 'Files of ended pickups the sweep could not delete (tried again next sweep)', registers });
  const sweepStale = new Counter({ name: 'uketori_sweep_stale_clients_total', help: 'Throttle entries of clients quiet long enough to be forgotten', registers });
  const sweepWalClean = new Gauge({ name: 'uketori_sweep_wal_clean', help: '1 when the last sweep left no WAL truncation owed, 0 while one is still owed', registers });
  const sweepLast = new Gauge({ name: 'uketori_sweep_last_run_timestamp_seconds', help: 'When the last sweep ran (Unix time, from the portal clock)', registers });

  return {
    registry,
    contentType: registry.contentType,
    guessBudgetDrained: new Counter({
      name: 'uketori_guess_budget_drained_total',
      help: "Times a pickup's shared guess budget drained into its reserve (at most once an hour per pickup)",
      registers,
    }),
    windowsStarted: new Counter({ name: 'uketori_windows_started_total', help: 'Download windows started (first Download press of a pickup)', registers }),
    downloads: new Counter({ name: 'uketori_downloads_total', help: 'PKCS#12 files handed out, re-downloads within the window included', registers }),
    observeRequest(routeIndex, status, seconds) {
      if (status >= 0 && status < STATUS_SLOTS) requestCounts[routeIndex * STATUS_SLOTS + status]! += 1;
      latencyByClass[routeIndex]!.observe(seconds);
    },
    countPassword(result) {
      passwordByResult.get(result)!.inc();
    },
    recordSweep(result, now) {
      sweepRuns.inc();
      for (const d of result.destroyed) sweepDestroyed.inc({ reason: d.reason });
      sweepFiles.inc(result.files.deleted.length);
      sweepFileFailures.inc(result.files.failed.length);
      sweepStale.inc(result.staleClients);
      sweepWalClean.set(result.walClean ? 1 : 0);
      sweepLast.set(Math.floor(now / 1000));
    },
    async scrape(sources) {
      hasherQueued.set(sources.hasherQueued);
      hasherInFlight.set(sources.hasherInFlight);
      const text = await registry.metrics();
      if (!sources.pool) return text;
      poolInUse.set(sources.pool.inUse);
      poolWaiting.set(sources.pool.waiting);
      return text + (await poolRegistry.metrics());
    },
  };
}
