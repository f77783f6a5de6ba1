import type { AutocannonRequest } from 'autocannon';
import { startArgon2Pool, type Argon2Pool, type Argon2Rate } from '../argon2-baseline.js';
import os from 'node:os';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/open.js';
import { SqliteStore } from '../../src/db/sqlite-store.js';
import { threadPoolSize } from '../../src/auth/password-hasher.js';
import { assembleDeps } from '../../src/deps.js';
import { createLogger } from '../../src/lib/log.js';
import { cryptoRandom } from '../../src/lib/random.js';
import { loadSecrets } from '../../src/secrets/keyring.js';
import { mergeProbes, startHealthzProbe, type ProbeResult } from '../healthz-probe.js';
import { load } from '../http.js';
import { formatNumber, row, type Row } from '../report.js';
import { errorText, type PhaseResult, type Settings } from '../settings.js';
import { appThreadPool } from '../server.js';
import type { IssuedPickup } from '../staff.js';
import { serverIdle } from '../cpu-time.js';
import { countFromMs, floodFigures, floodSlice, noSlices, settlingRounds, WRONG_PASSWORD_MIN_RATIO as MIN_RATIO, type FloodFigures, type FloodSlices } from './flood-slices.js';
import { floodProfileGuesses, profileFlood, PROFILE_CONNECTIONS } from './flood-profile.js';
import { buildFloodRows, describeFloodLoop, describeFloodWindow, type FloodWindow } from '../part-costs.js';
import { perfUsable } from '../perf-profile.js';
import { atTarget, floorNote, floorRows, startFloor, type Floor } from './floor.js';
import { enoughPickups, pickupsFor, wrongPasswordRequests, type TopUp } from './flood-requests.js';

/**
 * The server's hasher (src/auth/password-hasher.ts) driven directly, as many checks waiting as it
 * admits: what the queue and pepper cost before any HTTP, database or page work.
 */
async function measureHasherRate(seconds: number): Promise<number> {
  const key = Buffer.alloc(32, 7).toString('base64url');
  const config = loadConfig({ DATA_DIR: os.tmpdir(), SEAL_KEYS: `bench:${key}`, PASSWORD_PEPPER: key, SESSION_KEY: key, LOG_LEVEL: 'silent' });
  // Assembled as the server assembles it, so the queue and its limits are the server's own.
  const deps = assembleDeps({ store: new SqliteStore(openDb(':memory:')), config, secrets: loadSecrets(config, Date.now(), cryptoRandom), log: createLogger('silent') });
  const { hasher } = deps;
  const hash = await hasher.hash('Bench2pw');
  const started = performance.now();
  let done = 0;
  const worker = async () => {
    while (performance.now() - started < seconds * 1000) {
      await hasher.verify(hash, 'Wrong2pw');
      done++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await deps.store.close();
  return done / ((performance.now() - started) / 1000);
}

/** The report's rows for one connection count; all of them unmeasured when `m` is null. */
function floodRows(at: string, m: FloodFigures | null, raw: { perSecond: number; note: string; workers: number }, idle: ProbeResult | null): Row[] {
  return [
    row({ measure: `3. Password POST (wrong) 401/s, ${at}`, uketori: m?.flood.rps ?? null, baseline: raw.perSecond, unit: 'verify/s', baselineNote: raw.note, minRatio: MIN_RATIO }),
    row({ measure: `3. Password POST p99 (p50) of 401s, ${at}`, uketori: m?.flood.p99 ?? null, unit: 'ms', uketoriNote: m ? `p50 ${formatNumber(m.flood.p50, 'ms')}` : undefined }),
    row({ measure: `3. 429 throttled / 503 queue full, ${at}`, uketori: m ? (m.flood.statuses['429'] ?? 0) : null, unit: '', uketoriNote: m ? `503: ${m.flood.statuses['503'] ?? 0}` : undefined }),
    row({
      measure: `3. Server CPU per 401, argon2's pool threads (and V8's helpers), ${at}`,
      uketori: m?.threads?.otherMs ?? null,
      uketoriNote: m?.threads ? `page faults: ${Math.round(m.threads.otherFaults)}` : undefined,
      baseline: (raw.workers * 1000) / raw.perSecond,
      unit: 'ms',
      baselineNote: 'raw: cores ÷ verify/s',
    }),
    row({ measure: `3. Server CPU per 401, the event loop, ${at}`, uketori: m?.threads?.mainMs ?? null, unit: 'ms' }),
    row({ measure: `3. All cores busy during the flood, ${at}`, uketori: m?.busy == null ? null : m.busy * 100, unit: '%' }),
    row({ measure: `3. /healthz p99 during the flood, ${at}`, uketori: m?.healthz.p99 ?? null, baseline: idle?.p99 ?? null, unit: 'ms', baselineNote: 'idle server', maxValue: 20 }),
  ];
}

/**
 * Why a flood fell short of MIN_RATIO, from this run's own figures: the cores' busy time per 401
 * (busy share × cores ÷ 401/s) split into argon2's pool threads, the event loop and the rest.
 * `cores` are all the machine's, as the busy share is read over all of them (/proc/stat). At
 * MIN_RATIO with the cores as busy, a 401 could take ratio ÷ MIN_RATIO of the busy ms it took:
 * the note says how much less that is, and what the event loop would have to fall to. With
 * `profile`, the event loop's time is split by part (perf in this run). Null when the target
 * was met or the per-thread figures are missing.
 */
export function shortfall(ratio: number, m: FloodFigures, rawMs: number, cores: number, profile: FloodWindow | null = null): string | null {
  if (!(ratio < MIN_RATIO) || m.threads === null || m.busy === null || !(m.flood.rps > 0)) return null;
  const { busyMs, over } = atTarget(ratio, m, cores)!;
  const { otherMs, mainMs } = m.threads;
  const ms = (x: number) => formatNumber(x, 'ms');
  const fix =
    over < mainMs
      ? `with the rest as it was the event loop would have to fall from ${ms(mainMs)} to ${ms(mainMs - over)} a guess`
      : `that is more than the event loop's whole ${ms(mainMs)}, so argon2's threads or what lies outside the server would have to cost less too`;
  return (
    `below ${MIN_RATIO}× raw argon2 (${ratio.toFixed(3)}×). Per 401 the ${cores} cores were busy for ${ms(busyMs)} ` +
    `(${(m.busy * 100).toFixed(1)}% of the time): argon2's pool threads ${ms(otherMs)} against ${ms(rawMs)} for a raw check ` +
    `(${(otherMs / rawMs).toFixed(2)}×), the event loop ${ms(mainMs)}, and ${ms(Math.max(0, busyMs - otherMs - mainMs))} outside the ` +
    "server's threads (the bench's load generator and /healthz probe, the kernel's loopback work, and anything else on the host). " +
    `At this busy share the target leaves a 401 ${ms(busyMs - over)} of the cores: it needs ${ms(over)} less, and ${fix}. ` +
    (profile === null
      ? "The event loop's time is JavaScript that stays in V8's interpreter and baseline tier at tens of guesses a second " +
        '(a perf profile: docs/benchmarks.md, fifth round).'
      : describeFloodLoop(profile, mainMs))
  );
}

/**
 * Pickups of its own for the profiled flood (issued untimed), then the profile; null, with a
 * note or an error saying why, when there is none.
 */
async function floodProfile(s: Settings, dataDir: string | null, perSecond: number, topUp: TopUp | null, result: PhaseResult): Promise<FloodWindow | null> {
  if (dataDir === null || topUp === null) return null;
  if (!perfUsable()) {
    result.notes.push('3. No profile of the flood by part: perf cannot sample the kernel here (Debian: apt-get install linux-perf; run as root or with perf_event_paranoid ≤ 1).');
    return null;
  }
  const count = pickupsFor(floodProfileGuesses(s, perSecond));
  s.log(`3. where a wrong guess goes: ${count} more pickups (untimed), then perf on a second portal server`);
  try {
    const pickups = await topUp(count);
    const window = await profileFlood(s, dataDir, (origin) => wrongPasswordRequests(pickups, origin, new Set()));
    result.notes.push(`3. Where a wrong guess goes, over ${pickups.length} pickups of its own (issued untimed): ${describeFloodWindow(window)}`);
    if (window.startedBusy) result.notes.push('3. The profiled flood began with its server still busy after 20 s of waiting.');
    return window;
  } catch (err) {
    result.errors.push(`3. where a wrong guess goes: ${errorText(err)}`);
    return null;
  }
}

/**
 * Phase 3: the argon2 path, against raw argon2 verifies in a pool sized like the server's;
 * /healthz is probed during the flood and, as its baseline, on the idle server.
 *
 * The machine's speed drifts by more than the target's margin over a minute (other sessions, the
 * host), so the floods and the raw rate they are held to are measured by turns, in `s.rounds`
 * rounds of raw argon2 for argon2S / rounds seconds and each flood for runS / rounds seconds,
 * every slice on an idle server. A flood's figure is its 401s over the summed counted time of
 * its slices (flood-slices.ts says which part of a slice counts); the baseline is the raw
 * verifies over the summed time of the raw slices.
 */
export async function runPassword(
  s: Settings,
  origin: string | null,
  issued: IssuedPickup[],
  topUp: TopUp | null,
  serverPid: number | null = null,
  dataDir: string | null = null,
): Promise<PhaseResult> {
  const result: PhaseResult = { rows: [], notes: [], errors: [], raw: {} };
  // The raw workers are loaded once and wait between their measures.
  const pool = await startArgon2Pool();
  try {
    return await measurePassword(s, origin, issued, topUp, serverPid, dataDir, pool, result);
  } finally {
    await pool.close();
  }
}

/**
 * Raw argon2 runs on this process's libuv pool and the portal's checks on the portal's. The
 * pool's size can move argon2's own rate (a scratch measure on 2 cores: 93.6–93.7 checks a
 * second on 4 threads, 99–102 on 2; docs/benchmarks.md, fifteenth round), so the ratio is only
 * fair when both pools are the same size.
 */
function poolNote(portal: number): string {
  const raw = threadPoolSize();
  if (raw === portal) return `3. Raw argon2 and the portal each ran on a libuv thread pool of ${raw} threads.`;
  return `3. Raw argon2 ran on a libuv thread pool of ${raw} threads and the portal on one of ${portal}: the ratios compare unlike pools (npm run bench starts the bench with npm start's --require of scripts/thread-pool.cjs).`;
}

/** runPassword's body, with the raw argon2 pool it keeps for the whole phase. */
async function measurePassword(
  s: Settings,
  origin: string | null,
  issued: IssuedPickup[],
  topUp: TopUp | null,
  serverPid: number | null,
  dataDir: string | null,
  pool: Argon2Pool,
  result: PhaseResult,
): Promise<PhaseResult> {
  s.log(`3. argon2 baseline: ${s.argon2S} s`);
  const argon2 = await pool.run(s.argon2S);
  result.raw.argon2 = argon2;
  const argon2Note = `raw argon2id verify, ${argon2.workers} workers`;
  const portalPool = await appThreadPool(s.appDir);
  result.notes.push(poolNote(portalPool));
  s.log(`3. The portal's own hasher in-process (queue, pepper, no HTTP): ${s.argon2S} s`);
  const hasher = await measureHasherRate(s.argon2S);
  result.raw.hasher = hasher;
  result.rows.push(
    row({
      measure: "3. The portal's password hasher alone (bounded queue, pepper), no HTTP",
      uketori: hasher,
      baseline: argon2.perSecond,
      unit: 'verify/s',
      baselineNote: `${argon2Note}, measured just before it`,
    }),
  );
  if (origin === null || issued.length === 0) {
    if (origin !== null) result.notes.push('3. Password POST: no pickups from the batch phase, so no flood was run.');
    for (const connections of s.connections) result.rows.push(...floodRows(`${connections} conn`, null, { perSecond: argon2.perSecond, note: argon2Note, workers: argon2.workers }, null));
    return result;
  }
  const pickups = await enoughPickups(s, issued, argon2.perSecond, topUp, result.notes);
  s.log('3. /healthz on the idle server');
  const idleProbe = startHealthzProbe(`${origin}/healthz`);
  await idleProbe.ready;
  await new Promise((resolve) => setTimeout(resolve, Math.min(3, s.runS) * 1000));
  const idle = mergeProbes([await idleProbe.stop()]);
  result.raw.healthzIdle = idle;

  const throttled = new Set<number>();
  const answer = { bytes: 0 };
  const requests = wrongPasswordRequests(pickups, origin, throttled, answer);
  // The flood's own path warms up first, as every other phase's load does.
  s.log(`3. Password POST warm-up: ${s.connections[0]} connections, ${s.warmupS} s`);
  await load({ url: origin, connections: s.connections[0]!, durationS: s.warmupS, requests, expected: [401] });
  const floor = await startFloor(s, answer.bytes, portalPool, requests, result);
  try {
    return await floodByTurns({ s, origin, pickups, requests, serverPid, dataDir, topUp, pool, argon2, floor, idle, throttled, result });
  } finally {
    // A failed stop must not hide what went wrong in the floods.
    await floor?.server.stop().catch((err: unknown) => void result.errors.push(`3. stopping Hono + argon2 alone: ${errorText(err)}`));
  }
}

/** What floodByTurns works with: measurePassword's settings, servers, baseline and result. */
type Turns = {
  s: Settings;
  origin: string;
  pickups: IssuedPickup[];
  requests: AutocannonRequest[];
  serverPid: number | null;
  dataDir: string | null;
  topUp: TopUp | null;
  pool: Argon2Pool;
  argon2: Argon2Rate;
  floor: Floor | null;
  idle: ProbeResult;
  throttled: Set<number>;
  result: PhaseResult;
};

/** A flood's slices for the raw results, without their per-answer latencies. */
const countedLoads = (slices: FloodSlices) => slices.loads.map(({ latencies: _, ...counted }) => counted);

/** A side of the turns: raw argon2, the portal at some connections, or the floor at some. */
type Step = { kind: 'raw' } | { kind: 'portal' | 'floor'; connections: number };

/**
 * measurePassword's floods, by turns with raw argon2 and the floor, and their rows and notes.
 * The settling round, when there is one (settlingRounds), runs first and is not counted.
 */
async function floodByTurns(t: Turns): Promise<PhaseResult> {
  const { s, origin, pickups, requests, serverPid, dataDir, topUp, pool, argon2, floor, idle, throttled, result } = t;
  const argon2Note = `raw argon2id verify, ${argon2.workers} workers`;
  const rounds = s.rounds;
  const rawSlices: Argon2Rate[] = [];
  const floods = new Map(s.connections.map((c) => [c, noSlices()]));
  const floors = new Map(s.connections.map((c) => [c, noSlices()]));
  const busyAfter = { portal: 0, floor: 0 };
  // autocannon drops its sockets at the end of a slice with guesses still queued. The portal drops
  // those and finishes the checks already running; the floor runs every queued check. Either way
  // the next slice, raw ones included, starts once the server flooded last is idle: at first
  // the floor, just warmed up (or the portal, when there is no floor).
  let last: { kind: 'portal' | 'floor'; pid: number | null } = floor === null ? { kind: 'portal', pid: serverPid } : { kind: 'floor', pid: floor.server.pid };
  const idleFirst = async () => {
    if (last.pid !== null && (await serverIdle(last.pid)) < 0) busyAfter[last.kind]++;
  };
  // Every other round runs backwards (raw, portal 10, 50, floor 10, 50, then back), so that no
  // side always comes first, or always right after the raw slice, while the machine drifts.
  const forwards: Step[] = [
    { kind: 'raw' },
    ...s.connections.map((connections) => ({ kind: 'portal' as const, connections })),
    ...(floor === null ? [] : s.connections.map((connections) => ({ kind: 'floor' as const, connections }))),
  ];
  const durationS = s.runS / rounds;
  const fromMs = countFromMs(rounds);
  for (let round = 1 - settlingRounds(rounds); round <= rounds; round++) {
    const counted = round > 0;
    const label = counted ? `round ${round}/${rounds}` : 'round 0 (settling, not counted)';
    for (const step of round % 2 === 1 ? forwards : [...forwards].reverse()) {
      await idleFirst();
      if (step.kind === 'raw') {
        s.log(`3. ${label}: raw argon2 ${s.argon2S / rounds} s`);
        const slice = await pool.run(s.argon2S / rounds);
        if (counted) rawSlices.push(slice);
        continue;
      }
      const into = (slices: Map<number, FloodSlices>) => (counted ? slices.get(step.connections)! : noSlices());
      if (step.kind === 'floor') {
        const server = floor!.server;
        s.log(`3. ${label}: Hono + argon2 alone, ${step.connections} connections, ${durationS} s`);
        last = { kind: 'floor', pid: server.pid };
        await floodSlice(into(floors), { origin: server.origin, connections: step.connections, durationS, requests: floor!.requests, serverPid: server.pid, fromMs });
        continue;
      }
      s.log(`3. ${label}: password POST, ${step.connections} connections over ${pickups.length} pickups, ${durationS} s`);
      last = { kind: 'portal', pid: serverPid };
      await floodSlice(into(floods), { origin, connections: step.connections, durationS, requests, serverPid, fromMs });
    }
  }
  for (const [kind, count] of Object.entries(busyAfter)) {
    if (count > 0) result.notes.push(`3. ${count} slices started with ${kind === 'floor' ? 'Hono + argon2 alone' : 'the portal'} still busy after 20 s of waiting.`);
  }
  const profile = await floodProfile(s, dataDir, argon2.perSecond, topUp, result);
  result.raw.floodProfile = profile;

  const verified = rawSlices.reduce((sum, r) => sum + r.verified, 0);
  const seconds = rawSlices.reduce((sum, r) => sum + r.seconds, 0);
  const raw = verified / seconds;
  const rates = rawSlices.map((r) => r.perSecond);
  const rawNote =
    rounds === 1
      ? `${argon2Note}, measured just before the floods`
      : `${argon2Note}, in ${rounds} slices of ${s.argon2S / rounds} s taken by turns with the floods' slices ` +
        `(${formatNumber(Math.min(...rates), 'verify/s')} to ${formatNumber(Math.max(...rates), 'verify/s')})`;
  result.raw.argon2Slices = { verified, seconds, perSecond: raw, slices: rawSlices };
  for (const [connections, slices] of floods) {
    const at = `${connections} conn`;
    const figures = floodFigures(slices);
    const { flood, healthz } = figures;
    result.raw[`${connections}`] = { ...figures, slices: countedLoads(slices) };
    if ((flood.statuses['503'] ?? 0) > 0) {
      result.notes.push(
        `3. Password POST, ${at}: ${flood.statuses['503']} answers were 503 (queue full). autocannon asks again at once, ` +
          'as a flood would, without honouring Retry-After: the 503 path then competes with argon2 for the cores.',
      );
    }
    const other = Object.entries(flood.statuses).filter(([code]) => !['401', '429', '503'].includes(code));
    if (other.length > 0 || flood.errors > 0 || healthz.failures > 0) {
      result.notes.push(
        `3. Password POST, ${at}: other answers ${other.map(([c, n]) => `${c}: ${n}`).join(', ') || 'none'}; ` +
          `socket errors ${flood.errors}; /healthz failures ${healthz.failures}.`,
      );
    }
    result.rows.push(...floodRows(at, figures, { perSecond: raw, note: rawNote, workers: argon2.workers }, idle));
    const floorFigures = floor === null ? null : floodFigures(floors.get(connections)!);
    if (floorFigures !== null) {
      result.raw[`floor-${connections}`] = { ...floorFigures, slices: countedLoads(floors.get(connections)!) };
      result.rows.push(...floorRows(at, floorFigures, flood.rps, raw));
    }
    if (profile !== null && connections === PROFILE_CONNECTIONS) result.rows.push(...buildFloodRows(at, profile, figures.threads?.mainMs ?? null));
    const why = shortfall(flood.rps / raw, figures, (argon2.workers * 1000) / raw, os.cpus().length, profile);
    if (why !== null) result.notes.push(`3. Password POST, ${at}: ${why}`);
    if (floorFigures !== null) result.notes.push(`3. Hono + argon2 alone, ${at}: ${floorNote(floorFigures, flood.rps, raw, os.cpus().length, figures)}`);
  }
  if (throttled.size > 0) result.notes.push(`3. ${throttled.size} of ${pickups.length} pickups answered 429 and were skipped from then on.`);
  if (throttled.size > 0 && throttled.size === pickups.length) {
    result.notes.push('3. Every pickup was throttled before the end: the 401/s figure is bounded by the throttle, not by argon2.');
  }
  return result;
}
