import { percentile } from './http.js';
import { firstMessage, startTsWorker } from './worker.js';

export type ProbeResult = { count: number; failures: number; p50: number; p99: number };

/** What one probe saw: its answer times and its failures, summarised by mergeProbes. */
export type ProbeRun = { latencies: number[]; failures: number };

/** One or more probe runs summarised as one. */
export function mergeProbes(runs: ProbeRun[]): ProbeResult {
  const latencies = runs.flatMap((r) => r.latencies);
  return { count: latencies.length, failures: runs.reduce((sum, r) => sum + r.failures, 0), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/**
 * GET /healthz every intervalMs on one keep-alive connection, from a worker thread so that the
 * load generator sharing the bench's event loop does not add its own delay to the figures.
 * `ready` resolves once the worker is loaded and its first probe (which opens the connection) is
 * back: starting a worker costs CPU that a measured window should not hold. `restart()` drops
 * the answer times measured so far (not the failures).
 */
export function startHealthzProbe(url: string, intervalMs = 20): { ready: Promise<void>; restart(): void; stop(): Promise<ProbeRun> } {
  const worker = startTsWorker(new URL('./healthz-probe-worker', import.meta.url), { url, intervalMs });
  const ready = firstMessage<'ready'>(worker).then(() => undefined);
  return {
    ready,
    restart: () => worker.postMessage('restart'),
    async stop() {
      await ready;
      const reply = firstMessage<ProbeRun>(worker);
      worker.postMessage('stop');
      const run = await reply;
      await worker.terminate();
      return run;
    },
  };
}
