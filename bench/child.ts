import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';

/**
 * Every child the bench starts runs in its own process group (detached), so that stopping it
 * also stops what it started (npm -> sh -> tsx -> node, sh -> openssl). The set below is the
 * one place that knows which groups are still alive.
 */
const live = new Set<ChildProcess>();

export function spawnTracked(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  const child = spawn(cmd, args, { ...opts, detached: true });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the whole group is already gone.
  }
}

/** SIGTERM to the group, SIGKILL to whatever is left after graceMs. */
export async function stopGroup(child: ChildProcess, graceMs = 3000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const exited = child.exitCode !== null || child.signalCode !== null;
  signalGroup(child, signal);
  if (!exited) {
    const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([once(child, 'exit'), timer]);
  }
  // The leader may be gone while a grandchild that ignored the signal is not.
  signalGroup(child, 'SIGKILL');
  live.delete(child);
}

export async function stopAllGroups(): Promise<void> {
  await Promise.all([...live].map((child) => stopGroup(child, 2000)));
}

/** Last resort for a synchronous exit: no time to wait, so kill outright. */
export function killAllGroupsSync(): void {
  for (const child of live) signalGroup(child, 'SIGKILL');
  live.clear();
}

export type RunResult = { code: number | null; stdout: string; stderr: string; ms: number };

/**
 * Runs a command to completion in its own process group and captures its output. Never throws
 * on a non-zero exit: callers decide. timeoutMs bounds every command the bench starts.
 */
export async function runCommand(
  cmd: string,
  args: string[],
  opts: SpawnOptions & { timeoutMs?: number } = {},
): Promise<RunResult> {
  const started = performance.now();
  const child = spawnTracked(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => {
    stderr += `\n[bench] killed after ${opts.timeoutMs} ms`;
    void stopGroup(child, 1000);
  }, opts.timeoutMs ?? 600_000);
  try {
    // 'close' waits for the output pipes too; events.once rejects if 'error' comes first.
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, stdout, stderr, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a command and throws a readable error unless it exits 0. */
export async function mustRun(cmd: string, args: string[], opts: Parameters<typeof runCommand>[2] = {}): Promise<RunResult> {
  const result = await runCommand(cmd, args, opts);
  if (result.code !== 0) {
    // Stack frames crowd out the line that says what went wrong.
    const lines = (result.stderr || result.stdout).trim().split('\n').filter((l) => !/^\s+at /.test(l));
    const tail = lines.slice(-10).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited with ${result.code}:\n${tail}`);
  }
  return result;
}
