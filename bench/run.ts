import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllGroupsSync, stopAllGroups } from './child.js';
import { keySpecFromP12, type KeySpec } from './key-spec.js';
import { describeCommit, machineFacts } from './machine.js';
import { ensureNginx, startNginx } from './nginx.js';
import { prepareBenchHsm } from './hsm.js';
import { runBatch } from './phases/batch.js';
import { DOWNLOAD_MIN_RATIO, runDownload } from './phases/download.js';
import { startHello } from './phases/hello.js';
import { LANDING_MIN_RATIO, runLanding } from './phases/landing.js';
import { runPassword } from './phases/password.js';
import { runStart } from './phases/start.js';
import { runWhere } from './phases/where.js';
import type { Comparison } from './phases/http-versus-nginx.js';
import { renderReport, writeReport } from './report.js';
import { rssRows } from './rss-rows.js';
import { summarize } from './summary.js';
import { sampleRss } from './rss.js';
import { REPO_ROOT, serverEnv } from './server.js';
import { errorText, parseSettings, type PhaseResult } from './settings.js';
import { issueBatch, issueOne, type IssuedPickup } from './staff.js';
import { fetchLanding } from './portal.js';

const RESULTS_DIR = fileURLToPath(new URL('./results', import.meta.url));

/** Undone in reverse order on the way out, whether the run ends, fails or is interrupted. */
const cleanups: Array<() => Promise<void>> = [];

async function cleanUp(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  await stopAllGroups();
}

// `on`, not `once`: Ctrl-C reaches this process twice (from the terminal and relayed by tsx),
// and a second default SIGINT would exit before the cleanup is done.
let interrupted = false;
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n[bench] ${signal}: stopping nginx and the server`);
    void cleanUp().finally(() => process.exit(code));
  });
}
process.once('uncaughtException', (err) => {
  console.error(`[bench] ${err.stack ?? err}`);
  void cleanUp().finally(() => process.exit(1));
});
process.once('exit', killAllGroupsSync);

async function main(): Promise<number> {
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  const workDir = await mkdtemp(join(tmpdir(), 'uketori-bench-'));
  cleanups.push(() => rm(workDir, { recursive: true, force: true }));
  const rawDir = join(RESULTS_DIR, 'raw', stamp);
  await mkdir(rawDir, { recursive: true });
  const s = parseSettings(process.argv.slice(2), { workDir, rawDir, repoRoot: REPO_ROOT });
  const errors: string[] = [];
  const phases: Record<string, PhaseResult> = {};
  const attempt = async <T extends PhaseResult>(name: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      const result = await fn();
      phases[name] = result;
      errors.push(...result.errors);
      return result;
    } catch (err) {
      errors.push(`${name}: ${errorText(err)}`);
      return null;
    }
  };

  const nginx = await startNginx(await ensureNginx(s.log));
  cleanups.push(() => nginx.stop());
  const machine = await machineFacts(nginx.version);

  const start = await attempt('start', () => runStart(s));
  const server = start?.server ?? null;
  if (server !== null) cleanups.push(() => server.stop());
  const env = serverEnv({ port: start?.port ?? 0, dataDir: start?.dataDir ?? join(workDir, 'data') });
  const sampler = server === null ? null : sampleRss(server.pid);

  let pickup: IssuedPickup | null = null;
  if (server !== null) {
    s.log('setup: npm run staff -- issue (one pickup)');
    pickup = await issueOne(s.appDir, env).catch((err) => (errors.push(`setup, one pickup: ${errorText(err)}`), null));
  }
  // Issue 15's baseline: a Hono hello-world of the landing page's size, with npm start's flags.
  const helloBytes = pickup === null ? 4096 : await fetchLanding(pickup.url).catch(() => 4096);
  s.log(`baseline: Hono hello-world of ${helloBytes} B (bench/hello-server.mjs)`);
  const hello = await startHello(s, helloBytes).catch((err) => (errors.push(`hello-world baseline: ${errorText(err)}`), null));
  if (hello !== null) cleanups.push(() => hello.stop());
  sampler?.phase('landing');
  const landing = await attempt('landing', () => runLanding(s, nginx, pickup?.url ?? null, hello, server?.pid ?? null));
  sampler?.phase('download');
  const download = await attempt('download', () => runDownload(s, nginx, pickup, server?.origin ?? null, hello, server?.pid ?? null));
  sampler?.phase(null);
  // Phases 1 and 2 at 10 connections: the hello-world's req/s sets each target's CPU budget.
  const measured = (label: string, minRatio: number, phase: Comparison | null) => ({ label, minRatio, ...(phase?.atTen ?? { helloRps: null, cpuUs: null, helloCpuUs: null }) });
  await attempt('where', () =>
    runWhere(s, env.DATA_DIR!, pickup, helloBytes, {
      landing: measured('1. Landing GET', LANDING_MIN_RATIO, landing),
      download: measured('2. Download POST', DOWNLOAD_MIN_RATIO, download),
    }),
  );
  await hello?.stop();

  let key: KeySpec | null = s.key;
  if (key === null && download?.p12File && pickup !== null) {
    key = await keySpecFromP12(download.p12File, [pickup.pin, pickup.password, '']);
  }
  const hsm = prepareBenchHsm();
  if ('cleanup' in hsm) cleanups.push(hsm.cleanup);
  const batch = await attempt('batch', () => runBatch(s, env, key, hsm));
  sampler?.phase('password');
  // Each top-up has a label of its own: a batch skips the application codes an earlier one issued.
  let topUps = 0;
  const topUp = async (count: number) => (await issueBatch(s.appDir, env, count, workDir, `flood-${++topUps}`)).pickups;
  await attempt('password', () => runPassword(s, server?.origin ?? null, batch?.pickups ?? [], topUp, server?.pid ?? null, env.DATA_DIR!));
  const rss = rssRows(sampler, server === null);
  sampler?.stop();
  await cleanUp();

  const app = `${s.appDir === REPO_ROOT ? 'this checkout' : s.appDir}, ${await describeCommit(s.appDir)}`;
  const report = summarize(s, { stamp, machine, app, rawDir: relative(REPO_ROOT, rawDir), phases, rss, errors });
  const markdown = renderReport(report);
  const paths = await writeReport(RESULTS_DIR, `${stamp}${s.quick ? '-quick' : ''}`, markdown);
  await writeFile(join(rawDir, 'results.json'), JSON.stringify({ phases, errors }, null, 2));
  s.log(`report: ${paths.map((p) => relative(REPO_ROOT, p)).join(', ')}`);
  if (errors.length > 0) console.error(`\n[bench] not everything could be measured:\n\n${errors.join('\n\n')}`);
  return errors.length > 0 ? 1 : 0;
}

// `npm run bench -- --stores`: SQLite against PostgreSQL, one instance against two (bench/stores.ts).
const run = process.argv.includes('--stores') ? () => import('./stores.js').then((m) => m.runStoreComparison()) : main;

run()
  .catch(async (err) => {
    console.error(`[bench] ${errorText(err)}`);
    return 1;
  })
  .then(async (code) => {
    await cleanUp();
    process.exit(code);
  });
