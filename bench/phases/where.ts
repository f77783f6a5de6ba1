import { join } from 'node:path';
import { cpuMs } from '../cpu-time.js';
import { freePort, load } from '../http.js';
import { PARTS, REST, perfUsable, profileWhile, removePerfMap, type Breakdown } from '../perf-profile.js';
import { download, formHeaders, logIn } from '../portal.js';
import { formatNumber, row } from '../report.js';
import { REPO_ROOT, startServer, type RunningServer } from '../server.js';
import { errorText, type PhaseResult, type Settings } from '../settings.js';
import type { IssuedPickup } from '../staff.js';
import type { Target } from './http-versus-nginx.js';

/** Seconds of load perf records for each side (after the usual warm-up). */
const PROFILE_S = { full: 5, quick: 2 };

/** Perf must name JavaScript frames: the flag writes /tmp/perf-<pid>.map as V8 compiles. */
const PERF_FLAGS = ['--perf-basic-prof-only-functions'];

type Side = { cpuUs: number; breakdown: Breakdown };

/** What phases 1 and 2 measured, for the budget each target leaves an answer. */
export type Measured = { label: string; minRatio: number; helloRps: number | null; cpuUs: number | null };

async function profileSide(s: Settings, server: RunningServer, target: Target, name: string): Promise<Side> {
  await load({ ...target, connections: 10, durationS: s.warmupS });
  const before = cpuMs(server.pid);
  const { result, breakdown } = await profileWhile(server.pid, join(s.rawDir, `${name}.perf.data`), () =>
    load({ ...target, connections: 10, durationS: s.quick ? PROFILE_S.quick : PROFILE_S.full }),
  );
  const after = cpuMs(server.pid);
  const answers = Object.values(result.statuses).reduce((a, b) => a + b, 0);
  if (before === null || after === null || answers === 0 || result.served !== answers) {
    throw new Error(`${name}: ${answers} answers, ${result.served} as expected; no CPU per answer`);
  }
  return { cpuUs: ((after - before) * 1000) / answers, breakdown };
}

const ORDER = ['node', 'send', 'wake', 'hono', 'app', ...PARTS.map((p) => p.key).filter((k) => k !== 'send' && k !== 'wake'), 'other'];
const LABELS: Record<string, string> = { ...Object.fromEntries(PARTS.map((p) => [p.key, p.label])), ...REST };
const us = (side: Side, key: string) => (side.breakdown.shares[key] ?? 0) * side.cpuUs;

/** One row per part that took at least 1% of either side, in µs per answer. */
function rows(label: string, uketori: Side, hello: Side) {
  return ORDER.filter((k) => (uketori.breakdown.shares[k] ?? 0) >= 0.01 || (hello.breakdown.shares[k] ?? 0) >= 0.01).map((k) =>
    row({
      measure: `${label}, server CPU per answer by part (perf, 10 conn): ${LABELS[k]}`,
      uketori: us(uketori, k),
      baseline: (hello.breakdown.shares[k] ?? 0) > 0 ? us(hello, k) : undefined,
      unit: 'µs',
      uketoriNote: `${((uketori.breakdown.shares[k] ?? 0) * 100).toFixed(1)}%`,
      baselineNote: 'hello-world',
    }),
  );
}

/**
 * What the target leaves an answer, against what the profile shows the answer took. At the
 * target the server, one event loop, answers minRatio × the hello-world's req/s, so it has
 * 1 / (minRatio × req/s) of CPU an answer. The profiled window runs slower than the measured
 * rows (perf's own cost, a single window), so its parts are scaled to the measured CPU per
 * answer, which takes every part to have slowed alike.
 */
function budgetNote(m: Measured, uketori: Side, hello: Side): string {
  const scale = m.cpuUs === null ? 1 : m.cpuUs / uketori.cpuUs;
  const at = (key: string) => us(uketori, key) * scale;
  const sum = (keys: string[]) => keys.reduce((total, k) => total + at(k), 0);
  const shared = ['node', 'send', 'wake', 'other'];
  const own = ORDER.filter((k) => !shared.includes(k) && k !== 'hono')
    .filter((k) => at(k) >= 1)
    .sort((a, b) => at(b) - at(a))
    .map((k) => `${LABELS[k]} ${Math.round(at(k))} µs`);
  const scaled =
    m.cpuUs === null
      ? `In the profiled window an answer took ${Math.round(uketori.cpuUs)} µs. `
      : `The measured rows above took ${Math.round(m.cpuUs)} µs an answer; the profiled window (a second server under perf) took ${Math.round(uketori.cpuUs)} µs, ` +
        `so its parts are scaled by ${scale.toFixed(2)}. `;
  const budget = m.helloRps === null ? null : 1e6 / (m.minRatio * m.helloRps);
  const nodeSide = sum(shared);
  const ownTotal = sum(ORDER.filter((k) => !shared.includes(k) && k !== 'hono'));
  return (
    `${m.label}: ` +
    (budget === null ? '' : `at ${m.minRatio}× the hello-world's ${formatNumber(m.helloRps!, 'req/s')} the server, one event loop, may spend ${Math.round(budget)} µs of CPU an answer. `) +
    scaled +
    `Node's HTTP server and event loop, sending the answer and the kernel around them took ${Math.round(nodeSide)} µs, ` +
    `${Math.round(at('wake'))} µs of it waking the load generator (in its own window the hello-world spent ${Math.round(us(hello, 'wake'))} µs ` +
    `of its ${Math.round(hello.cpuUs)} µs an answer on that); Hono ${Math.round(at('hono'))} µs; ` +
    `the portal's own parts ${Math.round(ownTotal)} µs: ${own.join(', ')}.` +
    (budget !== null && m.cpuUs !== null && m.cpuUs > budget
      ? ` Within the budget, with Node's part and Hono as they are, the portal's own parts would have to fit in ${Math.round(budget - nodeSide - at('hono'))} µs.`
      : '')
  );
}

/**
 * Phases 1–2, continued: where an answer's CPU goes, from perf on the event loop of a second
 * portal server (same data, the perf flag added) and a second hello-world, so the measured runs
 * above stay untouched. Each part is µs per answer: its share of the samples × the CPU per answer
 * of the profiled window.
 */
export async function runWhere(s: Settings, dataDir: string, pickup: IssuedPickup | null, helloBytes: number, measured: Measured[]): Promise<PhaseResult> {
  const result: PhaseResult = { rows: [], notes: [], errors: [], raw: {} };
  if (pickup === null) return result;
  if (!perfUsable()) {
    result.notes.push('1–2. No per-part profile: `perf record` cannot run here (Debian: apt-get install linux-perf; perf_event_paranoid ≤ 2).');
    return result;
  }
  s.log('1–2. where an answer goes: perf on a second portal server and hello-world');
  const started: RunningServer[] = [];
  try {
    const port = await freePort();
    const portal = await startServer('direct', { appDir: s.appDir, port, dataDir, logFile: join(s.rawDir, 'perf-server.log'), nodeArgs: PERF_FLAGS }, s.startTimeoutMs);
    started.push(portal);
    const hello = await startServer(
      'direct',
      { appDir: s.appDir, port: await freePort(), dataDir: join(s.workDir, 'perf-hello'), logFile: join(s.rawDir, 'perf-hello.log'), script: join(REPO_ROOT, 'bench', 'hello-server.mjs'), env: { HELLO_BYTES: String(helloBytes) }, nodeArgs: PERF_FLAGS },
      s.startTimeoutMs,
    );
    started.push(hello);
    const url = pickup.url.replace(new URL(pickup.url).origin, portal.origin);
    const cookie = await logIn(url, pickup.password, portal.origin);
    await download(url, cookie, portal.origin);
    const targets: Record<string, Target> = {
      landing: { url },
      download: { url: `${url}/download`, method: 'POST', headers: { ...formHeaders(portal.origin, cookie), 'content-length': '0' }, body: '' },
    };
    const helloSide = await profileSide(s, hello, { url: `${hello.origin}/` }, 'hello');
    for (const [name, m] of [['landing', measured[0]], ['download', measured[1]]] as const) {
      if (m === undefined) continue;
      const side = await profileSide(s, portal, targets[name]!, name);
      result.rows.push(...rows(m.label, side, helloSide));
      result.notes.push(budgetNote(m, side, helloSide));
      result.raw[name] = side;
    }
    result.raw.hello = helloSide;
  } catch (err) {
    result.errors.push(`1–2. where an answer goes: ${errorText(err)}`);
  } finally {
    for (const server of started) {
      await server.stop();
      await removePerfMap(server.pid);
    }
  }
  return result;
}
