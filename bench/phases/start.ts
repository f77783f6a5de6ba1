import { statSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun } from '../child.js';
import { freePort } from '../http.js';
import { row } from '../report.js';
import { startServer, type RunningServer } from '../server.js';
import { errorText, type PhaseResult, type Settings } from '../settings.js';

export type StartPhase = PhaseResult & { server: RunningServer | null; dataDir: string; port: number };

/**
 * Phase 5, first half: time from spawn to the first 200 from /healthz, each on a fresh data
 * dir. `npm start` is measured and stopped; then npm start's own node command, run without npm
 * (`node … scripts/start.mjs server`, one process), is measured and kept as the server under test.
 */
export async function runStart(s: Settings): Promise<StartPhase> {
  const errors: string[] = [];
  const notes: string[] = [];
  // A user starts a bundle that `npm ci` or an earlier start built. After a source edit the
  // first start builds dist/ itself, which is not what this phase times: build it first.
  s.log('5. Bundle: node scripts/build.mjs (exits at once when dist/ is current)');
  const bundle = join(s.appDir, 'dist', 'server.mjs');
  const before = statSync(bundle, { throwIfNoEntry: false })?.mtimeMs;
  await mustRun(process.execPath, [join(s.appDir, 'scripts', 'build.mjs')], { cwd: s.appDir, timeoutMs: 300_000 });
  if (statSync(bundle, { throwIfNoEntry: false })?.mtimeMs !== before) notes.push('5. dist/ was older than the sources: it was built before the starts were timed.');
  let npmMs: number | null = null;
  s.log('5. Cold start: npm start');
  try {
    const npm = await startServer('npm', {
      appDir: s.appDir,
      port: await freePort(),
      dataDir: join(s.workDir, 'data-npm-start'),
      logFile: join(s.rawDir, 'server-npm-start.log'),
    }, s.startTimeoutMs);
    npmMs = npm.startMs;
    await npm.stop();
  } catch (err) {
    errors.push(`5. npm start: ${errorText(err)}`);
  }
  s.log("5. Cold start: npm start's node command without npm (kept for phases 1-3)");
  const port = await freePort();
  const dataDir = join(s.workDir, 'data');
  let server: RunningServer | null = null;
  try {
    server = await startServer('direct', { appDir: s.appDir, port, dataDir, logFile: join(s.rawDir, 'server.log') }, s.startTimeoutMs);
  } catch (err) {
    errors.push(`5. npm start's node command: ${errorText(err)}`);
  }
  const rows = [
    row({ measure: '5. Start to first /healthz 200, `npm start`', uketori: npmMs, unit: 'ms', maxValue: 1000 }),
    row({ measure: "5. Start to first /healthz 200, npm start's node command without npm", uketori: server?.startMs ?? null, unit: 'ms', maxValue: 1000 }),
  ];
  return { rows, notes, errors, raw: { npmMs, directMs: server?.startMs ?? null }, server, dataDir, port };
}
