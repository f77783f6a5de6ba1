import type { AutocannonRequest } from 'autocannon';
import { join } from 'node:path';
import { serverIdle, threadCpu, type ThreadCpu } from '../cpu-time.js';
import { freePort, load, LOAD_OVERRUN_S } from '../http.js';
import type { FloodWindow } from '../part-costs.js';
import { PROFILE_S, profileWhile, startPerfServer } from '../perf-profile.js';
import type { Settings } from '../settings.js';
import { COUNT_FROM_MS } from './flood-slices.js';

/** The profiled window's connections: the target is read at 10. */
export const PROFILE_CONNECTIONS = 10;

/** Seconds of the profiled load (after a warm-up as long as a measured run). */
const profiledSeconds = (s: Settings): number => (s.quick ? PROFILE_S.quick : PROFILE_S.full);

/**
 * The wrong guesses the profile sends at `perSecond`, what it needs pickups for: its two loads
 * (the warm-up and the profiled one), each running LOAD_OVERRUN_S past its duration, and the
 * guess each connection leaves queued at the end of each.
 */
export const floodProfileGuesses = (s: Settings, perSecond: number): number =>
  perSecond * (s.runS + profiledSeconds(s) + 2 * LOAD_OVERRUN_S) + 2 * PROFILE_CONNECTIONS;

/**
 * Phase 3, continued: where the event loop's time a wrong guess goes, from perf on a second
 * portal server (the same DATA_DIR, the perf flag added), so that the measured floods stay
 * untouched. It is flooded for as long as a measured run to warm up, as every profiled side is,
 * then, once idle, for PROFILE_S under `perf record` on its event loop; its 401s and CPU are
 * counted from COUNT_FROM_MS in, as a measured slice's are. perf samples the whole load, the
 * first half-second and autocannon's overrun past the window included: the same flood's work,
 * and only the shares of its samples are used. `requestsFor` gives the flood's
 * requests for the server's origin, over pickups of their own: a guess spent here is not one
 * the measured floods could have made.
 */
export async function profileFlood(s: Settings, dataDir: string, requestsFor: (origin: string) => AutocannonRequest[]): Promise<FloodWindow> {
  const server = await startPerfServer({ appDir: s.appDir, port: await freePort(), dataDir, logFile: join(s.rawDir, 'perf-flood-server.log') }, s.startTimeoutMs);
  try {
    const flood = { url: server.origin, connections: PROFILE_CONNECTIONS, requests: requestsFor(server.origin), expected: [401] };
    await load({ ...flood, durationS: s.runS });
    // As a measured slice is: begun on an idle server, its CPU read over the counted window.
    const idle = await serverIdle(server.pid);
    const ends: { opened: ThreadCpu | null; closed: ThreadCpu | null } = { opened: null, closed: null };
    const count = { fromMs: COUNT_FROM_MS, opened: () => void (ends.opened = threadCpu(server.pid)), closed: () => void (ends.closed = threadCpu(server.pid)) };
    const { result, breakdown } = await profileWhile(server.pid, join(s.rawDir, 'flood.perf.data'), () =>
      load({ ...flood, durationS: profiledSeconds(s), count }),
    );
    const wrong = result.statuses['401'] ?? 0;
    const others = Object.entries(result.statuses).filter(([code]) => code !== '401');
    const { opened, closed } = ends;
    if (opened === null || closed === null || wrong === 0 || others.length > 0) {
      const also = others.map(([code, n]) => `${code}: ${n}`).join(', ');
      throw new Error(`the profiled flood got ${wrong} 401s${also ? ` and ${also}` : ''}; no CPU per 401`);
    }
    return {
      connections: PROFILE_CONNECTIONS,
      rps: result.rps,
      mainMs: (closed.mainMs - opened.mainMs) / wrong,
      otherMs: (closed.otherMs - opened.otherMs) / wrong,
      breakdown,
      startedBusy: idle < 0,
    };
  } finally {
    await server.stop();
  }
}
