import { setTimeout as sleep } from 'node:timers/promises';
import { collectDefaultMetrics } from 'prom-client';
import { openDeps } from './bootstrap.js';
import { ConfigError } from './config.js';
import type { Deps } from './deps.js';
import { createPortalServer, type PortalServer } from './http/node-server.js';
import { isEntryPoint } from './lib/entry-point.js';
import { errorMessage } from './lib/error-message.js';
import { sweepKeyMaterial } from './services/sweep.js';

/** How long a shutdown waits for requests in flight before it cuts their connections. */
export const SHUTDOWN_GRACE_MS = 10_000;
/** How often the event loop's delay is sampled for `nodejs_eventloop_lag_*`. */
export const EVENT_LOOP_SAMPLE_MS = 100;
/** Once connections are cut, how long handlers still running (an argon2 check) get before the database closes. */
const HANDLER_SETTLE_MS = 1_000;

export type Running = {
  deps: Deps;
  server: PortalServer;
  timer: NodeJS.Timeout;
  /** Stops accepting, lets requests in flight finish (at most SHUTDOWN_GRACE_MS), closes the database. Idempotent. */
  shutdown(reason: string): Promise<void>;
};

/** The one place that opens resources and listens. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<Running> {
  const deps = await openDeps(env, { durability: 'normal' });
  const { log } = deps;
  // Process figures (CPU, memory, event-loop delay, GC) for the server only: tests build many apps.
  // The event-loop delay is sampled every EVENT_LOOP_SAMPLE_MS, not prom-client's 10 ms: a timer
  // that fires a hundred times a second woke the idle server that often (docs/operations.md).
  collectDefaultMetrics({ register: deps.metrics.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const first = await sweepKeyMaterial(deps);
  if (first.destroyed.length > 0) log.info({ destroyed: first.destroyed.length }, 'start-up sweep destroyed ended key material');
  let sweeping = false;
  const timer = setInterval(() => {
    // Every instance sweeps; one still running (a slow database) is not overlapped.
    if (sweeping) return;
    sweeping = true;
    sweepKeyMaterial(deps).then(
      (result) => {
        if (result.destroyed.length > 0) log.info({ destroyed: result.destroyed.length }, 'sweep destroyed ended key material');
      },
      (err: Error) => log.warn({ err: { name: err.name, message: errorMessage(err) } }, 'sweep failed; the next one tries again'),
    ).finally(() => (sweeping = false));
  }, deps.config.sweepIntervalMs);
  timer.unref();

  const server = createPortalServer(deps);
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (server.listening) {
      log.error({ err: { name: err.name, message: err.message } }, 'server error');
      return;
    }
    // A port in use or not permitted is a configuration problem: one line, no trace.
    console.error(`uketori: cannot listen on ${deps.config.host}:${deps.config.port}: ${err.code ?? err.message}`);
    process.exit(2);
  });
  server.listen(deps.config.port, deps.config.host, () => {
    const info = server.address() as { address: string; port: number };
    log.info({ address: info.address, port: info.port, publicUrl: deps.config.publicUrl.origin }, 'uketori listening');
  });

  let closing: Promise<void> | null = null;
  async function stop(reason: string): Promise<void> {
    clearInterval(timer);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Logged once the listener is closed: whoever reads this line can count on new connections failing.
    log.info({ reason, handling: server.handling }, 'shutting down: no new connections, requests in flight may finish');
    // A connection whose response has just finished is idle now: close it rather than wait for keep-alive.
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const cut = await Promise.race([closed.then(() => false), sleep(SHUTDOWN_GRACE_MS, true, { ref: false })]);
    clearInterval(idle);
    if (cut) {
      log.warn({ handling: server.handling }, 'shutdown grace over: cutting the connections still open');
      server.closeAllConnections();
      await closed;
    }
    for (let waited = 0; server.handling > 0 && waited < HANDLER_SETTLE_MS; waited += 50) await sleep(50);
    await deps.store.close();
    log.info('database closed, shutdown complete');
  }
  return { deps, server, timer, shutdown: (reason) => (closing ??= stop(reason)) };
}

/** SIGTERM or SIGINT shuts down gracefully; a second one exits at once. */
export function exitOnSignals(running: Running): void {
  let signalled = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (signalled) process.exit(1);
      signalled = true;
      running.shutdown(signal).then(
        () => process.exit(0),
        (err: Error) => {
          running.deps.log.error({ err: { name: err.name, message: errorMessage(err) } }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

/**
 * Starts the server as a process of its own: `node dist/server.mjs`, or scripts/start.mjs (what
 * `npm start` runs) once it has checked the bundle. A bad configuration is one line and exit 2.
 */
export function run(): void {
  main().then(exitOnSignals, (err: Error) => {
    if (err instanceof ConfigError) {
      console.error(`uketori: ${err.message}`);
      process.exit(2);
    }
    throw err;
  });
}

if (isEntryPoint(import.meta.url)) run();
