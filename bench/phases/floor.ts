import type { AutocannonRequest } from 'autocannon';
import os from 'node:os';
import { ARGON2_PARAMS, defaultConcurrency } from '../../src/auth/password-hasher.js';
import { load } from '../http.js';
import { formHeaders } from '../portal.js';
import { formatNumber, row, type Row } from '../report.js';
import type { RunningServer } from '../server.js';
import { errorText, type PhaseResult, type Settings } from '../settings.js';
import { WRONG_PASSWORD_MIN_RATIO as MIN_RATIO, type FloodFigures } from './flood-slices.js';
import { startBaseline } from './hello.js';

const ms = (x: number) => formatNumber(x, 'ms');

/** The cores' busy ms per 401: the busy share over all the cores, divided by 401/s. */
const busyMsPer401 = (busy: number, cores: number, rps: number) => (busy * cores * 1000) / rps;

/** Hono + argon2 alone, running, with the portal's flood requests pointed at it. */
export type Floor = { server: RunningServer; requests: AutocannonRequest[] };

/**
 * What the floor is told: its page's length, and argon2's parameters and the number of checks
 * at once as the portal's hasher has them (it is plain JavaScript and cannot import them). The
 * number of checks follows `poolSize`, the thread pool the portal's npm start gives it (and the
 * floor's, started with the same flags), as the portal's own does. Both come from the bench's
 * checkout, as the floor's hono and argon2 do, even when `--app` names another.
 */
export function floorEnv(bytes: number, poolSize: number): Record<string, string> {
  return {
    FLOOR_BYTES: String(bytes),
    FLOOR_ARGON2: JSON.stringify(ARGON2_PARAMS),
    FLOOR_CONCURRENCY: String(defaultConcurrency(os.availableParallelism(), poolSize)),
  };
}

/**
 * Phase 3's floor (bench/argon2-floor-server.mjs): the same stack around one argon2 check a
 * request, answering a 401 page of `bytes` bytes, started as the hello-world is and warmed up
 * as the portal was, with the portal's own requests (paths and bodies; it ignores the path).
 * `poolSize` is the portal's thread pool (appThreadPool), read once for the phase.
 * Null, with an error saying why, when it could not be started or warmed up.
 */
export async function startFloor(s: Settings, bytes: number, poolSize: number, portalRequests: AutocannonRequest[], result: PhaseResult): Promise<Floor | null> {
  if (!(bytes > 0)) {
    result.errors.push("3. Hono + argon2 alone: the portal's warm-up gave no 401 to take the page's length from; not started");
    return null;
  }
  s.log(`3. Hono + argon2 alone (the floor): ${bytes} B 401 page, warm-up ${s.connections[0]} connections, ${s.warmupS} s`);
  let server: RunningServer | null = null;
  try {
    server = await startBaseline(s, 'argon2-floor', floorEnv(bytes, poolSize));
    const origin = server.origin;
    const requests = portalRequests.map((r) => ({ ...r, headers: formHeaders(origin) }));
    await load({ url: origin, connections: s.connections[0]!, durationS: s.warmupS, requests, expected: [401] });
    return { server, requests };
  } catch (err) {
    result.errors.push(`3. Hono + argon2 alone: ${errorText(err)}`);
    await server?.stop().catch((stopErr: unknown) => void result.errors.push(`3. stopping Hono + argon2 alone: ${errorText(stopErr)}`));
    return null;
  }
}

/** The floor's rows for one connection count: its rate against raw argon2 and the portal's against it. */
export function floorRows(at: string, floor: FloodFigures, portalRps: number, raw: number): Row[] {
  return [
    row({
      measure: `3. Hono + argon2 alone (the form, one check, a 401 page of the portal's size) 401/s, ${at}`,
      uketori: floor.flood.rps,
      baseline: raw,
      unit: 'verify/s',
      baselineNote: 'raw argon2id verify, the same slices',
    }),
    row({
      measure: `3. Password POST (wrong) 401/s vs Hono + argon2 alone, ${at}`,
      uketori: portalRps,
      baseline: floor.flood.rps,
      unit: 'verify/s',
      baselineNote: 'Hono + argon2 alone, by turns',
    }),
    row({ measure: `3. Hono + argon2 alone, CPU per 401 on its event loop, ${at}`, uketori: floor.threads?.mainMs ?? null, unit: 'ms' }),
  ];
}

/**
 * What the floor says of the target: its own ratio to raw argon2, the portal's rate as a share
 * of the floor's, where the floor's cores went a 401 (shortfall's split), anything but 401s,
 * and where the portal missed, the event loop the target left the portal beside the floor's.
 */
export function floorNote(floor: FloodFigures, portalRps: number, raw: number, cores: number, portal: FloodFigures | null = null): string {
  const { flood, healthz } = floor;
  if (!(flood.rps > 0)) return `no 401s (socket errors ${flood.errors}, timeouts ${flood.timeouts}); nothing to compare.`;
  const ratio = flood.rps / raw;
  const others = Object.entries(flood.statuses).filter(([code]) => code !== '401');
  let split = '';
  if (floor.threads !== null && floor.busy !== null) {
    const busyMs = busyMsPer401(floor.busy, cores, flood.rps);
    const { mainMs, otherMs } = floor.threads;
    split =
      ` Per 401 the ${cores} cores were busy for ${ms(busyMs)} (${(floor.busy * 100).toFixed(1)}%): argon2's pool threads ${ms(otherMs)}, ` +
      `its event loop ${ms(mainMs)} and ${ms(Math.max(0, busyMs - otherMs - mainMs))} outside it.`;
  }
  const trouble =
    others.length > 0 || flood.errors > 0 || flood.timeouts > 0 || healthz.failures > 0
      ? ` Other answers ${others.map(([c, n]) => `${c}: ${n}`).join(', ') || 'none'}; socket errors ${flood.errors}; timeouts ${flood.timeouts}; /healthz failures ${healthz.failures}.`
      : '';
  return (
    `${formatNumber(flood.rps, '401/s')}, ${ratio.toFixed(3)}× raw argon2 ` +
    `(${ratio >= MIN_RATIO ? 'at or above' : 'below'} the portal's ${MIN_RATIO}× target with none of the portal's work); ` +
    `the portal ran at ${(portalRps / flood.rps).toFixed(3)}× its rate.${split}${trouble}` +
    leftToTheLoop(floor, portal, portalRps / raw, cores)
  );
}

/**
 * Where the portal missed: the event loop the target left it (shortfall's arithmetic) beside
 * the floor's own, which only reads the form and runs the check. '' otherwise.
 */
function leftToTheLoop(floor: FloodFigures, portal: FloodFigures | null, ratio: number, cores: number): string {
  if (portal === null || floor.threads === null || !(ratio < MIN_RATIO)) return '';
  const left = atTarget(ratio, portal, cores)?.mainMs;
  if (left === undefined) return '';
  return (
    " With argon2's threads and what lay outside the server as they were, the target left the portal's event loop " +
    `${left > 0 ? ms(left) : 'nothing'} a guess; the floor's, which only reads the form and runs the check, took ${ms(floor.threads.mainMs)}.`
  );
}

/**
 * The cores' busy ms per 401 and what the portal's event loop could have taken a 401 for the
 * flood to reach the target, all else as it was (below 0 when even none would not do); null
 * when the figures are missing.
 */
export function atTarget(ratio: number, m: FloodFigures, cores: number): { busyMs: number; over: number; mainMs: number } | null {
  if (m.threads === null || m.busy === null || !(m.flood.rps > 0)) return null;
  const busyMs = busyMsPer401(m.busy, cores, m.flood.rps);
  // At the target, with the cores as busy, a 401 would have ratio ÷ target of today's busy time.
  const over = busyMs * (1 - ratio / MIN_RATIO);
  return { busyMs, over, mainMs: m.threads.mainMs - over };
}
