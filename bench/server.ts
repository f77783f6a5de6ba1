import { execFile, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { threadPoolSize } from '../src/auth/password-hasher.js';
import { spawnTracked, stopGroup } from './child.js';

const execFileAsync = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export type ServerSettings = {
  appDir: string;
  port: number;
  dataDir: string;
  logFile: string;
  /** Runs this file instead of the script npm start names, with its environment and node flags (the hello-world baseline). */
  script?: string;
  env?: Record<string, string>;
  /** Extra node flags before npm start's own (`--cpu-prof` for a profile). */
  nodeArgs?: string[];
};

/** The bench's environment without its own UV_THREADPOOL_SIZE, which the app's npm start decides. */
function appBaseEnv(): NodeJS.ProcessEnv {
  const { UV_THREADPOOL_SIZE: _benchPool, ...env } = process.env;
  return env;
}

/**
 * The environment the app reads: PORT, HOST, PUBLIC_URL, DATA_DIR. Not the bench's own
 * UV_THREADPOOL_SIZE (its --require of scripts/thread-pool.cjs sets it): the app's thread pool is
 * whatever its own npm start gives it (appThreadPool).
 */
export function serverEnv(settings: { port: number; dataDir: string }): NodeJS.ProcessEnv {
  return {
    ...appBaseEnv(),
    PORT: String(settings.port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${settings.port}`,
    DATA_DIR: settings.dataDir,
  };
}

export type RunningServer = {
  /** The node process itself for 'direct'; the npm process (group leader) for 'npm'. */
  pid: number;
  origin: string;
  /** From spawn to the first 200 from GET /healthz. */
  startMs: number;
  stop(): Promise<void>;
};

export class ServerStartError extends Error {}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-15).join('\n') || '(empty log)';
  } catch {
    return '(no log)';
  }
}

async function healthzStatus(origin: string): Promise<number | null> {
  try {
    const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return null;
  }
}

async function waitForHealthz(child: ChildProcess, origin: string, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last: number | null = null;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ServerStartError(
        `the server exited (${child.exitCode ?? child.signalCode}) before GET ${origin}/healthz answered 200.\n` +
          `Last lines of ${logFile}:\n${logTail(logFile)}`,
      );
    }
    last = await healthzStatus(origin);
    if (last === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new ServerStartError(
    `GET ${origin}/healthz never answered 200 within ${timeoutMs / 1000} s (last: ${last ?? 'no connection'}).\n` +
      `Last lines of ${logFile}:\n${logTail(logFile)}`,
  );
}

/**
 * The environment, node flags, script and script arguments of the app's own `npm start`, so the
 * bench runs exactly that (`node … scripts/start.mjs server`, or in older checkouts `node …
 * dist/server.mjs`). Node flags must be written as one word each (`--name=value`).
 */
export async function startCommand(appDir: string): Promise<{ env: Record<string, string>; flags: string[]; script: string; scriptArgs: string[] }> {
  const pkg = JSON.parse(await readFile(join(appDir, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  const [node, ...rest] = words;
  const at = rest.findIndex((word) => !word.startsWith('-'));
  if (node !== 'node' || at < 0) throw new Error(`npm start is not a plain node command running a script: ${pkg.scripts.start}`);
  return { env, flags: rest.slice(0, at), script: rest[at]!, scriptArgs: rest.slice(at + 1) };
}

/**
 * The libuv thread pool of the app as its npm start runs it, asked of node itself: node with npm
 * start's flags (its preloads included) and environment, in the app's folder, prints the
 * UV_THREADPOOL_SIZE they leave, read as libuv reads it.
 */
export async function appThreadPool(appDir: string): Promise<number> {
  const start = await startCommand(appDir);
  const args = [...start.flags, '-p', 'process.env.UV_THREADPOOL_SIZE ?? ""'];
  const { stdout } = await execFileAsync(process.execPath, args, { cwd: appDir, env: { ...appBaseEnv(), ...start.env }, timeout: 20_000 });
  const size = stdout.trim();
  return threadPoolSize(size === '' ? {} : { UV_THREADPOOL_SIZE: size });
}

/**
 * Starts the app and waits for its first 200 from /healthz. 'direct' runs npm start's own node
 * command without npm (the launcher, which builds dist/ when it is out of date and then runs the
 * bundle in its own process), so pid is the server itself and RSS can be read from it; 'npm' runs
 * `npm start` as a user would (npm -> sh -> node). With settings.script, 'direct' runs that file
 * instead, with npm start's environment and node flags but not its script's arguments.
 */
export async function startServer(how: 'direct' | 'npm', settings: ServerSettings, timeoutMs: number): Promise<RunningServer> {
  await mkdir(settings.dataDir, { recursive: true });
  const direct = how === 'direct' ? await startCommand(settings.appDir) : null;
  const env = { ...serverEnv(settings), ...direct?.env, ...settings.env };
  const origin = env.PUBLIC_URL!;
  const log = openSync(settings.logFile, 'a');
  const cmd = how === 'direct' ? process.execPath : 'npm';
  const args = !direct
    ? ['start']
    : [...(settings.nodeArgs ?? []), ...direct.flags, ...(settings.script === undefined ? [direct.script, ...direct.scriptArgs] : [settings.script])];
  const started = performance.now();
  const child = spawnTracked(cmd, args, { cwd: settings.appDir, env, stdio: ['ignore', log, log] });
  closeSync(log);
  try {
    await waitForHealthz(child, origin, settings.logFile, timeoutMs);
  } catch (err) {
    await stopGroup(child);
    throw err;
  }
  return { pid: child.pid!, origin, startMs: performance.now() - started, stop: () => stopGroup(child, 5000) };
}
