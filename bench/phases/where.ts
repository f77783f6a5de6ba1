import { join } from 'node:path';
import { threadCpu } from '../cpu-time.js';
import { freePort, load } from '../http.js';
import { buildPartRows, describeBudget, scaleWindow, type Measured, type ProfiledWindow } from '../part-costs.js';
import { perfUsable, PROFILE_S, profileWhile, startPerfServer } from '../perf-profile.js';
import { download, downloadTarget, logIn } from '../portal.js';
import { REPO_ROOT, type RunningServer } from '../server.js';
import { errorText, type PhaseResult, type Settings } from '../settings.js';
import type { IssuedPickup } from '../staff.js';
import type { Target } from './http-versus-nginx.js';

/**
 * A fresh server's first seconds run slower while V8 compiles: each side is warmed up for as
 * long as a measured run lasts before perf records it.
 */
async function profileSide(s: Settings, server: RunningServer, target: Target, name: string): Promise<ProfiledWindow> {
  await load({ ...target, connections: 10, durationS: s.runS });
  const before = threadCpu(server.pid);
  const { result, breakdown } = await profileWhile(server.pid, join(s.rawDir, `${name}.perf.data`), () =>
    load({ ...target, connections: 10, durationS: s.quick ? PROFILE_S.quick : PROFILE_S.full }),
  );
  const after = threadCpu(server.pid);
  const answers = Object.values(result.statuses).reduce((a, b) => a + b, 0);
  if (before === null || after === null || answers === 0 || result.served !== answers) {
    throw new Error(`${name}: ${answers} answers, ${result.served} as expected; no CPU per answer`);
  }
  const perAnswer = (ms: number) => (ms * 1000) / answers;
  return { mainUs: perAnswer(after.mainMs - before.mainMs), otherUs: perAnswer(after.otherMs - before.otherMs), rps: result.rps, breakdown };
}

/**
 * Phases 1–2, continued: where an answer's CPU goes, from perf on the event loop of a second
 * portal server (same data, the perf flag added) and a second hello-world, so the measured runs
 * above stay untouched. Rows and notes give µs an answer, scaled to the measured rows.
 */
export async function runWhere(
  s: Settings,
  dataDir: string,
  pickup: IssuedPickup | null,
  helloBytes: number,
  measured: { landing: Measured; download: Measured },
): Promise<PhaseResult> {
  const result: PhaseResult = { rows: [], notes: [], errors: [], raw: {} };
  if (pickup === null) return result;
  if (!perfUsable()) {
    result.notes.push('1–2. No profile by part: perf cannot sample the kernel here (Debian: apt-get install linux-perf; run as root or with perf_event_paranoid ≤ 1).');
    return result;
  }
  s.log('1–2. where an answer goes: perf on a second portal server and hello-world');
  const started: RunningServer[] = [];
  try {
    const portal = await startPerfServer({ appDir: s.appDir, port: await freePort(), dataDir, logFile: join(s.rawDir, 'perf-server.log') }, s.startTimeoutMs);
    started.push(portal);
    const hello = await startPerfServer(
      { appDir: s.appDir, port: await freePort(), dataDir: join(s.workDir, 'perf-hello'), logFile: join(s.rawDir, 'perf-hello.log'), script: join(REPO_ROOT, 'bench', 'hello-server.mjs'), env: { HELLO_BYTES: String(helloBytes) } },
      s.startTimeoutMs,
    );
    started.push(hello);
    const url = pickup.url.replace(new URL(pickup.url).origin, portal.origin);
    const cookie = await logIn(url, pickup.password, portal.origin);
    await download(url, cookie, portal.origin);
    const routes = [['landing', { url }], ['download', downloadTarget(url, portal.origin, cookie)]] as const;
    const helloWindow = await profileSide(s, hello, { url: `${hello.origin}/` }, 'hello');
    result.raw.hello = helloWindow;
    for (const [name, target] of routes) {
      const m = measured[name];
      const window = await profileSide(s, portal, target, name);
      const uketori = scaleWindow(window, m.cpuUs);
      const helloCosts = scaleWindow(helloWindow, m.helloCpuUs);
      result.rows.push(...buildPartRows(m.label, uketori, helloCosts));
      result.notes.push(describeBudget(m, uketori, helloCosts));
      result.raw[name] = window;
    }
  } catch (err) {
    result.errors.push(`1–2. where an answer goes: ${errorText(err)}`);
  } finally {
    for (const server of started) await server.stop();
  }
  return result;
}
