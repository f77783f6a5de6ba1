import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../ports.js';

/**
 * A real PostgreSQL the tests start themselves: Debian's `postgresql` package (.ci/run installs
 * it), initdb into a temporary folder, listening on a free loopback port, stopped at the end.
 * initdb refuses to run as root, so under root every server command runs as the `postgres` user.
 */
export type Cluster = { url: string; dir: string; port: number; stop(): void; start(): void; kill(): void; remove(): void };

const PASSWORD = 'uketori-test-pw';

export function findPgBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  const preferred = versions.includes('15') ? '15' : versions[0];
  return preferred ? path.join(root, preferred, 'bin') : null;
}

/** Why the PostgreSQL tests cannot run here, or null when they can. */
export function pgMissingReason(): string | null {
  if (!findPgBin()) return 'PostgreSQL server binaries are missing (apt-get install -y postgresql)';
  if (process.getuid?.() === 0) {
    const id = spawnSync('id', ['-u', 'postgres']);
    if (id.status !== 0) return 'running as root and there is no `postgres` user to run initdb as';
  }
  return null;
}

function asServerUser(cmd: string, args: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', cmd, ...args] : [cmd, ...args];
}

function run(cmd: string, args: string[]): void {
  const [bin, ...rest] = asServerUser(cmd, args);
  execFileSync(bin!, rest, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

export async function startCluster(): Promise<Cluster> {
  const bin = findPgBin();
  if (!bin) throw new Error('PostgreSQL server binaries are missing: apt-get install -y postgresql');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-pg-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, PASSWORD + '\n');
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres', dir]);
  fs.chmodSync(dir, 0o700);
  run(path.join(bin, 'initdb'), ['-D', data, '-U', 'uketori', '--pwfile', pwfile, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const pgCtl = (...args: string[]) => run(path.join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const start = () => pgCtl('-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start');
  start();
  return {
    url: `postgres://uketori:${PASSWORD}@127.0.0.1:${port}/postgres`,
    dir,
    port,
    start,
    stop: () => pgCtl('-m', 'fast', '-w', 'stop'),
    kill: () => pgCtl('-m', 'immediate', '-w', 'stop'),
    remove: () => {
      try {
        pgCtl('-m', 'immediate', '-w', 'stop');
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new, empty database on the cluster, so each test file (or test) starts clean. */
export async function createDatabase(adminUrl: string, prefix = 'uketori'): Promise<string> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}
