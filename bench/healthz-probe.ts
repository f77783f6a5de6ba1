import { percentile } from './http.js';
import { firstMessage, startTsWorker } from './worker.js';

export type ProbeResult = { count: number; failures: number; p50: number; p99: number };

/**
 * GET /healthz every intervalMs on one keep-alive connection, from a worker thread so that the
 * load generator sharing the bench's event loop does not add its own delay to the figures.
 */
export function startHealthzProbe(url: string, intervalMs = 20): { stop(): Promise<ProbeResult> } {
  const worker = startTsWorker(new URL('./healthz-probe-worker', import.meta.url), { url, intervalMs });
  return {
    async stop() {
      const reply = firstMessage<{ latencies: number[]; failures: number }>(worker);
      worker.postMessage('stop');
      const { latencies, failures } = await reply;
      await worker.terminate();
      return { count: latencies.length, failures, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    },
  };
}
