import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, pgMissingReason, startCluster, type Cluster } from '../test/pg/cluster.js';
import { freePort, load, type LoadResult } from './http.js';
import { REPO_ROOT } from './server.js';

// `npm run bench -- --stores`: the same three loads (landing GET, Download, a wrong-password flood)
// on SQLite with one instance, PostgreSQL with one instance, and PostgreSQL with two instances
// behind no balancer (the load is split between them), in one run on one machine. The private
// PostgreSQL is the one the tests use (test/pg/cluster.ts). On two cores two instances share the
// same CPUs as the database and the load generator: the figures say what this machine does.

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64url');
const KEYS = { SEAL_KEYS: `bench:${key(1)}`, PASSWORD_PEPPER: key(2), SESSION_KEY: key(3) };
const DURATION_S = Number(process.env.BENCH_STORES_SECONDS ?? 10);
const CONNECTIONS = 16;

type Mode = { name: string; instances: number; databaseUrl: string | null };
type Instance = { proc: ChildProcess; origin: string };
type Issued = { url: string; password: string; pin: string };

async function startInstance(env: NodeJS.ProcessEnv): Promise<Instance> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: REPO_ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  for (let i = 0; i < 300; i++) {
    if (await fetch(`${origin}/readyz`).then((r) => r.ok, () => false)) return { proc, origin };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  proc.kill('SIGKILL');
  throw new Error(`an instance on ${origin} never became ready`);
}

function issue(env: NodeJS.ProcessEnv): Issued {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/staff.ts', 'issue', '--name-romaji', 'BENCH USER', '--json', '--no-letters'], { cwd: REPO_ROOT, env, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Issued;
}

async function login(origin: string, p: Issued, publicUrl: string): Promise<string> {
  const res = await fetch(origin + new URL(p.url).pathname, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: publicUrl, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `password=${p.password}`,
  });
  if (res.status !== 303) throw new Error(`login answered ${res.status}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** The same load split over every instance at once; served requests and percentiles pooled. */
async function spread(instances: Instance[], opts: (origin: string) => Parameters<typeof load>[0]): Promise<LoadResult[]> {
  return Promise.all(instances.map((i) => load({ ...opts(i.origin), connections: Math.max(1, Math.round(CONNECTIONS / instances.length)) })));
}

function row(mode: string, what: string, results: LoadResult[]): string {
  const rps = results.reduce((sum, r) => sum + r.rps, 0);
  const p99 = Math.max(...results.map((r) => r.p99));
  const statuses = results.map((r) => Object.entries(r.statuses).map(([s, n]) => `${s}:${n}`).join(' ')).join(' / ');
  return `| ${mode} | ${what} | ${rps.toFixed(0)} | ${p99.toFixed(1)} | ${statuses} |`;
}

async function measure(mode: Mode, cluster: Cluster | null): Promise<string[]> {
  const publicUrl = 'http://bench.test';
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PUBLIC_URL: publicUrl, TRUST_PROXY: '127.0.0.1', ...KEYS };
  const dataDir = mkdtempSync(join(tmpdir(), 'uketori-bench-store-'));
  const env: NodeJS.ProcessEnv = { ...base, DATA_DIR: dataDir, ...(mode.databaseUrl && cluster ? { DATABASE_URL: await createDatabase(cluster.url, 'bench') } : {}) };
  const instances: Instance[] = [];
  try {
    for (let i = 0; i < mode.instances; i++) instances.push(await startInstance({ ...env, DATA_DIR: mode.databaseUrl ? mkdtempSync(join(tmpdir(), 'uketori-bench-inst-')) : dataDir }));
    const landingPickup = issue(env);
    const downloadPickup = issue(env);
    const floodPickup = issue(env);
    const path = (p: Issued) => new URL(p.url).pathname;
    const rows: string[] = [];
    rows.push(row(mode.name, 'landing GET', await spread(instances, (origin) => ({ url: origin + path(landingPickup), connections: CONNECTIONS, durationS: DURATION_S }))));
    const cookie = await login(instances[0]!.origin, downloadPickup, publicUrl);
    rows.push(
      row(mode.name, 'Download POST', await spread(instances, (origin) => ({
        url: `${origin}${path(downloadPickup)}/download`,
        connections: CONNECTIONS,
        durationS: DURATION_S,
        method: 'POST',
        headers: { Origin: publicUrl, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: '',
      }))),
    );
    let n = 0;
    rows.push(
      row(mode.name, 'wrong-password flood', await spread(instances, (origin) => ({
        url: origin + path(floodPickup),
        connections: CONNECTIONS,
        durationS: DURATION_S,
        expected: [401, 429, 503],
        requests: [
          {
            method: 'POST',
            setupRequest: (req) => ({
              ...req,
              headers: { Origin: publicUrl, 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': `10.${(n >> 8) & 255}.${n++ & 255}.1` },
              body: 'password=WRNGpw23',
            }),
          },
        ],
      }))),
    );
    return rows;
  } finally {
    for (const i of instances) i.proc.kill('SIGTERM');
  }
}

export async function runStoreComparison(): Promise<number> {
  const missing = pgMissingReason();
  if (missing) {
    console.error(`[bench --stores] ${missing}`);
    return 1;
  }
  const cluster = await startCluster();
  try {
    const modes: Mode[] = [
      { name: 'SQLite, 1 instance', instances: 1, databaseUrl: null },
      { name: 'PostgreSQL, 1 instance', instances: 1, databaseUrl: cluster.url },
      { name: 'PostgreSQL, 2 instances', instances: 2, databaseUrl: cluster.url },
    ];
    const lines = ['| store | load | req/s (expected statuses) | p99 ms | statuses |', '|---|---|---|---|---|'];
    for (const mode of modes) {
      console.error(`[bench --stores] ${mode.name}`);
      lines.push(...(await measure(mode, cluster)));
    }
    const report = `# Stores compared (${new Date().toISOString()})\n\n${CONNECTIONS} connections, ${DURATION_S} s per load; the flood counts 401/429/503 as answered.\n\n${lines.join('\n')}\n`;
    console.log(report);
    await writeFile(join(REPO_ROOT, 'bench', 'results', 'stores-latest.md'), report);
    return 0;
  } finally {
    cluster.remove();
  }
}
