import type { AutocannonRequest, RequestContext } from 'autocannon';
import { measureArgon2Rate } from '../argon2-baseline.js';
import { busyShare, machineTicks, threadCpu, type ThreadCpu } from '../cpu-time.js';
import os from 'node:os';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/open.js';
import { SqliteStore } from '../../src/db/sqlite-store.js';
import { assembleDeps } from '../../src/deps.js';
import { createLogger } from '../../src/lib/log.js';
import { cryptoRandom } from '../../src/lib/random.js';
import { loadSecrets } from '../../src/secrets/keyring.js';
import { startHealthzProbe, type ProbeResult } from '../healthz-probe.js';
import { load, type LoadResult } from '../http.js';
import { formHeaders } from '../portal.js';
import { formatNumber, row } from '../report.js';
import { errorText, type PhaseResult, type Settings } from '../settings.js';
import type { IssuedPickup } from '../staff.js';

/**
 * The right password with its characters rotated: the same length and alphabet, so it passes
 * whatever format check the form makes (a malformed one is a 400 that never reaches argon2).
 */
export function wrongPassword(right: string): string {
  const rotated = right.slice(1) + right.slice(0, 1);
  if (rotated !== right) return rotated;
  return right.length > 0 && right[0] !== 'A' ? 'A' + right.slice(1) : 'B' + right.slice(1);
}

/**
 * Wrong-password POSTs spread round-robin over many pickups. Every request comes from
 * 127.0.0.1 and the portal throttles a client's repeated failures on one pickup, so many
 * pickups keep each pair under the limit; a pickup that answers 429 anyway is skipped from
 * then on, so the run goes on measuring argon2 and not the throttle. 429s get their own row.
 */
function wrongPasswordRequests(pickups: IssuedPickup[], origin: string, throttled: Set<number>): AutocannonRequest[] {
  const paths = pickups.map((p) => {
    const url = new URL(p.url);
    return url.pathname + url.search;
  });
  const bodies = pickups.map((p) => new URLSearchParams({ password: wrongPassword(p.password) }).toString());
  let next = 0;
  const pick = (): number => {
    for (let tries = 0; tries < paths.length; tries++) {
      const i = next++ % paths.length;
      if (!throttled.has(i)) return i;
    }
    return next++ % paths.length;
  };
  return [
    {
      method: 'POST',
      headers: formHeaders(origin),
      setupRequest: (req: AutocannonRequest, context: RequestContext) => {
        const i = pick();
        context.pickup = i;
        return { ...req, path: paths[i], body: bodies[i] };
      },
      onResponse: (status: number, _body: string, context: RequestContext) => {
        if (status === 429 && typeof context.pickup === 'number') throttled.add(context.pickup);
      },
    },
  ];
}

/**
 * A client gets about ten free wrong guesses per pickup before the portal makes it wait; eight
 * keeps a margin. The flood needs one pickup per this many verifies it can make.
 */
const GUESSES_PER_PICKUP = 8;
const MAX_PICKUPS = 1000;

export type TopUp = (count: number) => Promise<IssuedPickup[]>;

/**
 * Issues (untimed) as many more pickups as the flood needs at the baseline's verify rate, so
 * that it measures argon2 and not the throttle. A failure leaves the pool as it was.
 */
async function enoughPickups(s: Settings, pickups: IssuedPickup[], perSecond: number, topUp: TopUp | null, notes: string[]): Promise<IssuedPickup[]> {
  const needed = Math.min(MAX_PICKUPS, Math.ceil((perSecond * s.runS * s.connections.length) / GUESSES_PER_PICKUP));
  if (pickups.length >= needed || topUp === null) return pickups;
  s.log(`3. setup: issuing ${needed - pickups.length} more pickups (untimed) so the flood does not reach the throttle`);
  try {
    const more = await topUp(needed - pickups.length);
    notes.push(`3. The flood is spread over ${pickups.length + more.length} pickups (${more.length} issued for it, untimed).`);
    return [...pickups, ...more];
  } catch (err) {
    notes.push(`3. Issuing ${needed - pickups.length} more pickups failed (${errorText(err)}); the flood uses ${pickups.length}.`);
    return pickups;
  }
}

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

/**
 * The server's CPU per 401, split by thread. Everything the server did in the window is charged
 * to the 401s: the probe's /healthz answers, any 429 or 503.
 */
function perAnswer(before: ThreadCpu | null, after: ThreadCpu | null, answers: number): ThreadCpu | null {
  if (before === null || after === null || answers === 0) return null;
  return {
    mainMs: (after.mainMs - before.mainMs) / answers,
    otherMs: (after.otherMs - before.otherMs) / answers,
    otherFaults: (after.otherFaults - before.otherFaults) / answers,
  };
}

/**
 * Waits until the server has used under 10 ms of CPU over half a second. Returns the ms waited,
 * or -1 when it is still busy after 20 s.
 */
async function serverIdle(pid: number): Promise<number> {
  const started = performance.now();
  const total = () => {
    const t = threadCpu(pid);
    return t === null ? null : t.mainMs + t.otherMs;
  };
  let last = total();
  while (last !== null && performance.now() - started < 20_000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = total();
    if (now === null || now - last < 10) return performance.now() - started;
    last = now;
  }
  return last === null ? performance.now() - started : -1;
}

/**
 * Phase 3: the argon2 path, against raw argon2 verifies in a pool sized like the server's;
 * /healthz is probed during the flood and, as its baseline, on the idle server.
 */
export async function runPassword(s: Settings, origin: string | null, issued: IssuedPickup[], topUp: TopUp | null, serverPid: number | null = null): Promise<PhaseResult> {
  const result: PhaseResult = { rows: [], notes: [], errors: [], raw: {} };
  s.log(`3. argon2 baseline: ${s.argon2S} s`);
  const argon2 = await measureArgon2Rate(s.argon2S);
  result.raw.argon2 = argon2;
  const argon2Note = `raw argon2id verify, ${argon2.workers} workers`;
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
  let idle: ProbeResult | null = null;
  const pickups = origin === null || issued.length === 0 ? issued : await enoughPickups(s, issued, argon2.perSecond, topUp, result.notes);
  if (origin !== null && pickups.length > 0) {
    s.log('3. /healthz on the idle server');
    const probe = startHealthzProbe(`${origin}/healthz`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(3, s.runS) * 1000));
    idle = await probe.stop();
    result.raw.healthzIdle = idle;
  } else if (origin !== null) {
    result.notes.push('3. Password POST: no pickups from the batch phase, so no flood was run.');
  }
  const throttled = new Set<number>();
  const floods: Array<{ at: string; flood: LoadResult | null; healthz: ProbeResult | null; threads: ThreadCpu | null; busy: number | null }> = [];
  for (const connections of s.connections) {
    const at = `${connections} conn`;
    if (idle === null || origin === null) {
      floods.push({ at, flood: null, healthz: null, threads: null, busy: null });
      continue;
    }
    s.log(`3. Password POST: ${connections} connections over ${pickups.length} pickups, ${s.runS} s`);
    // The checks the flood before left queued are finished first, so each window holds its own.
    if (serverPid !== null) await serverIdle(serverPid);
    const probe = startHealthzProbe(`${origin}/healthz`);
    const requests = wrongPasswordRequests(pickups, origin, throttled);
    const ticks = machineTicks();
    const cpuBefore = serverPid === null ? null : threadCpu(serverPid);
    const flood = await load({ url: origin, connections, durationS: s.runS, requests, expected: [401] });
    const cpuAfter = serverPid === null ? null : threadCpu(serverPid);
    const busy = busyShare(ticks, machineTicks());
    const healthz = await probe.stop();
    const threads = perAnswer(cpuBefore, cpuAfter, flood.served);
    floods.push({ at, flood, healthz, threads, busy });
    result.raw[`${connections}`] = { flood, healthz, threads, busy };
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
  }
  // The raw rate again after the floods: the target's baseline is the mean of the two, so the
  // machine's drift over the phase (other sessions, the host) weighs on both sides alike.
  let raw = argon2.perSecond;
  let rawNote = argon2Note;
  if (floods.some((f) => f.flood !== null)) {
    // autocannon drops its sockets at the end with guesses still queued in the server, and the
    // server finishes those checks: measuring beside them would lower the "after" rate.
    const waited = serverPid === null ? 0 : await serverIdle(serverPid);
    if (waited < 0) result.notes.push('3. The server was still busy 20 s after the last flood; the second raw argon2 rate was measured anyway.');
    s.log(`3. argon2 baseline again, after the floods: ${s.argon2S} s`);
    const after = await measureArgon2Rate(s.argon2S);
    result.raw.argon2After = after;
    raw = (argon2.perSecond + after.perSecond) / 2;
    rawNote = `${argon2Note}; mean of ${formatNumber(argon2.perSecond, 'verify/s')} before the floods and ${formatNumber(after.perSecond, 'verify/s')} after`;
  }
  for (const { at, flood, healthz, threads, busy } of floods) {
    result.rows.push(
      row({ measure: `3. Password POST (wrong) 401/s, ${at}`, uketori: flood?.rps ?? null, baseline: raw, unit: 'verify/s', baselineNote: rawNote, minRatio: 0.85 }),
      row({ measure: `3. Password POST p99 (p50) of 401s, ${at}`, uketori: flood?.p99 ?? null, unit: 'ms', uketoriNote: flood ? `p50 ${formatNumber(flood.p50, 'ms')}` : undefined }),
      row({ measure: `3. 429 throttled / 503 queue full, ${at}`, uketori: flood ? (flood.statuses['429'] ?? 0) : null, unit: '', uketoriNote: flood ? `503: ${flood.statuses['503'] ?? 0}` : undefined }),
      row({
        measure: `3. Server CPU per 401, argon2's pool threads (and V8's helpers), ${at}`,
        uketori: threads?.otherMs ?? null,
        uketoriNote: threads ? `page faults: ${Math.round(threads.otherFaults)}` : undefined,
        baseline: (argon2.workers * 1000) / raw,
        unit: 'ms',
        baselineNote: 'raw: cores ÷ verify/s',
      }),
      row({ measure: `3. Server CPU per 401, the event loop, ${at}`, uketori: threads?.mainMs ?? null, unit: 'ms' }),
      row({ measure: `3. All cores busy during the flood, ${at}`, uketori: busy === null ? null : busy * 100, unit: '%' }),
      row({ measure: `3. /healthz p99 during the flood, ${at}`, uketori: healthz?.p99 ?? null, baseline: idle?.p99 ?? null, unit: 'ms', baselineNote: 'idle server', maxValue: 20 }),
    );
  }
  if (throttled.size > 0) result.notes.push(`3. ${throttled.size} of ${pickups.length} pickups answered 429 and were skipped from then on.`);
  if (throttled.size > 0 && throttled.size === pickups.length) {
    result.notes.push('3. Every pickup was throttled before the end: the 401/s figure is bounded by the throttle, not by argon2.');
  }
  return result;
}
