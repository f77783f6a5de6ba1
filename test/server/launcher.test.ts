import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCommand } from '../../bench/server.js';
import { firstHealthz, freePort } from '../ports.js';

// scripts/start.mjs is what `npm start` and `npm run staff` run. Each test works on a copy of the
// project (node_modules linked), so it can make dist/ stale or break a source file without
// touching the checkout the other tests build and run.
const root = path.resolve(import.meta.dirname, '../..');
const copied = ['src', 'views', 'scripts', 'drizzle', 'package.json', 'package-lock.json', 'tsconfig.json'];
const LONG_AGO = new Date('2001-01-01T00:00:00Z');
const FUTURE = new Date(Date.now() + 86_400_000);

const projects: string[] = [];
afterEach(() => {
  for (const dir of projects.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function copyProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-launcher-'));
  projects.push(dir);
  for (const entry of copied) fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** A dist/ whose server, if run, says so and exits 3: whether the launcher ran it shows in the result. */
function plantBundle(dir: string, time: Date): void {
  fs.mkdirSync(path.join(dir, 'dist'));
  for (const name of ['server', 'staff']) {
    const file = path.join(dir, 'dist', `${name}.mjs`);
    fs.writeFileSync(file, `export function run() { console.log('planted ${name} ran'); process.exit(3); }\n`);
    fs.utimesSync(file, time, time);
  }
}

type Launch = { code: number | null; stdout: string; stderr: string; healthz: number | null };

/** Runs `node scripts/start.mjs server` in dir; once /healthz answers (or the process ends), stops it with SIGTERM. */
async function launch(dir: string): Promise<Launch> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-launcher-data-'));
  projects.push(dataDir);
  const env = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, ['scripts/start.mjs', 'server'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b));
  child.stderr.on('data', (b: Buffer) => (stderr += b));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const healthz = await firstHealthz(port, child, 600);
    if (child.exitCode === null) child.kill('SIGTERM');
    return { code: await exited, stdout, stderr, healthz };
  } finally {
    child.kill('SIGKILL');
  }
}

describe('scripts/start.mjs, what npm start runs', () => {
  it('rebuilds a stale dist/ before it serves, and shuts down on SIGTERM with exit 0', async () => {
    const dir = copyProject();
    plantBundle(dir, LONG_AGO);
    const r = await launch(dir);
    expect(r.healthz, r.stderr).toBe(200);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('planted');
    // The rebuilt bundle is dated when its build began, after every source file.
    expect(fs.statSync(path.join(dir, 'dist', 'server.mjs')).mtimeMs).toBeGreaterThan(fs.statSync(path.join(dir, 'src', 'server.ts')).mtimeMs);
    expect(fs.readFileSync(path.join(dir, 'dist', 'server.mjs'), 'utf8')).not.toContain('planted');
  }, 120_000);

  it('runs a dist/ newer than every source as it is, without building', async () => {
    const dir = copyProject();
    plantBundle(dir, FUTURE);
    const r = await launch(dir);
    expect(r.healthz).toBeNull();
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('planted server ran\n');
    expect(fs.readdirSync(path.join(dir, 'dist')).sort()).toEqual(['server.mjs', 'staff.mjs']);
  }, 60_000);

  it('stops with a message and exit 1 when the build fails, and runs neither the old bundle nor a server', async () => {
    const dir = copyProject();
    plantBundle(dir, LONG_AGO);
    fs.appendFileSync(path.join(dir, 'src', 'server.ts'), '\nexport const broken = ;\n');
    const r = await launch(dir);
    expect(r.code).toBe(1);
    expect(r.healthz).toBeNull();
    expect(r.stdout).not.toContain('planted');
    expect(r.stderr).toContain('src/server.ts');
    expect(r.stderr).toMatch(/^uketori: building dist\/ failed \(exit code 1\); the server was not started$/m);
  }, 120_000);

  it('runs a staff command from the same launcher, with its arguments and exit code', async () => {
    const dir = copyProject();
    plantBundle(dir, LONG_AGO);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-launcher-data-'));
    projects.push(dataDir);
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, ['scripts/start.mjs', 'staff', ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'ignore'] });
        let stdout = '';
        child.stdout.on('data', (b: Buffer) => (stdout += b));
        child.once('exit', (code) => resolve({ code, stdout }));
      });
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    // The build's own output goes to stderr: stdout is the command's alone.
    expect(help.stdout).toMatch(/^usage: npm run staff -- <command>/);
    const unknown = await run(['no-such-command']);
    expect(unknown.code).not.toBe(0);
  }, 120_000);

  it("npm start's node flags size libuv's pool to the cores (2 to 4) before the bundle runs; a size the environment names stays", async () => {
    const dir = copyProject();
    fs.mkdirSync(path.join(dir, 'dist'));
    // A bundle that puts work on the pool (which starts its threads then) and reports the pool's
    // size as set and the process's thread count.
    const bundle =
      "import { readdirSync } from 'node:fs';\nimport { pbkdf2 } from 'node:crypto';\n" +
      'export async function run() {\n' +
      "  await Promise.all(Array.from({ length: 8 }, () => new Promise((r) => pbkdf2('x', 'y', 1, 32, 'sha256', r))));\n" +
      "  console.log(JSON.stringify({ size: process.env.UV_THREADPOOL_SIZE ?? null, threads: readdirSync('/proc/self/task').length }));\n" +
      '}\n';
    for (const name of ['server', 'staff']) {
      const file = path.join(dir, 'dist', `${name}.mjs`);
      fs.writeFileSync(file, bundle);
      fs.utimesSync(file, FUTURE, FUTURE);
    }
    const start = await startCommand(dir);
    const run = (env: Record<string, string>, flags = start.flags) => {
      const r = spawnSync(process.execPath, [...flags, start.script, ...start.scriptArgs], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { size: string | null; threads: number };
    };
    const pool = Math.min(Math.max(os.availableParallelism(), 2), 4);
    const sized = run({});
    expect(sized.size).toBe(String(pool));
    // Without npm start's flags the pool is libuv's 4: the difference is the threads the flag saved.
    const unsized = run({}, start.flags.filter((flag) => !flag.startsWith('--require=')));
    expect(unsized.size).toBeNull();
    expect(unsized.threads - sized.threads).toBe(4 - pool);
    const named = run({ UV_THREADPOOL_SIZE: '5' });
    expect(named.size).toBe('5');
    expect(named.threads - sized.threads).toBe(5 - pool);
  }, 60_000);
});
