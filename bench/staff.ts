import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand, type RunResult } from './child.js';

/** One line of `npm run staff -- issue ... --json`. */
export type IssuedPickup = {
  serial: string;
  url: string;
  password: string;
  pin: string;
  issuedAt: string;
  expiresAt: string;
};

/** npm prints its own banner on stdout: keep only the lines that are JSON objects. */
function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function isPickup(line: Record<string, unknown>): boolean {
  return typeof line.url === 'string' && typeof line.password === 'string';
}

/** Names in the subscriber's romaji alphabet (A-Z and spaces): BENCH USER AAAA, AAAB, ... */
function romajiName(index: number): string {
  let suffix = '';
  for (let n = index, i = 0; i < 4; i++, n = Math.floor(n / 26)) suffix = String.fromCharCode(65 + (n % 26)) + suffix;
  return `BENCH USER ${suffix}`;
}

/**
 * The pickups a staff command printed. A non-zero exit with every pickup printed (the app
 * exits 3 when only the letters failed) still yields them; fewer pickups is an error.
 */
function expectPickups(result: RunResult, count: number, what: string): IssuedPickup[] {
  const lines = jsonLines(result.stdout);
  const pickups = lines.filter(isPickup) as IssuedPickup[];
  if (pickups.length === count) return pickups;
  const refused = lines.find((line) => !isPickup(line));
  const tail = (result.stderr || result.stdout).trim().split('\n').filter((l) => !/^\s+at /.test(l)).slice(-10);
  throw new Error(
    `${what} exited with ${result.code} and printed ${pickups.length} of ${count} pickups:\n` +
      (refused === undefined ? '' : `first refusal: ${JSON.stringify(refused)}\n`) +
      tail.join('\n'),
  );
}

export async function issueOne(appDir: string, env: NodeJS.ProcessEnv): Promise<IssuedPickup> {
  const args = ['run', 'staff', '--', 'issue', '--name-romaji', 'BENCH USER', '--email', 'bench@example.jp', '--no-letters', '--json'];
  const result = await runCommand('npm', args, { cwd: appDir, env, timeoutMs: 120_000 });
  return expectPickups(result, 1, 'npm run staff -- issue')[0]!;
}

export type BatchResult = { pickups: IssuedPickup[]; seconds: number; perSecond: number; exitCode: number | null };

/**
 * Times the whole `npm run staff -- issue --batch` command, process start included. label
 * keeps application codes and e-mail addresses apart between batches of one run.
 */
export async function issueBatch(
  appDir: string,
  env: NodeJS.ProcessEnv,
  count: number,
  dir: string,
  label = 'batch',
  delivery = false,
): Promise<BatchResult> {
  // Without delivery: exactly what the issue times (key, certificate, P12, password hash,
  // sealing, database). With it: also the two letters and the outbox mail per pickup.
  const rows = Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(4, '0');
    const code = `BENCH-${label.toUpperCase()}-${n}`;
    return delivery ? `${romajiName(i)},bench+${label}-${n}@example.jp,${code}` : `${romajiName(i)},${code}`;
  });
  const csv = join(dir, `${label}-${count}.csv`);
  await writeFile(csv, [delivery ? 'nameRomaji,email,applicationCode' : 'nameRomaji,applicationCode', ...rows].join('\n') + '\n');
  // Letters go outside DATA_DIR (staff issue refuses a folder inside it, and refuses to guess one).
  const args = ['run', 'staff', '--', 'issue', '--batch', csv, '--json', ...(delivery ? ['--letters-dir', join(dir, `${label}-letters`)] : ['--no-letters'])];
  const result = await runCommand('npm', args, { cwd: appDir, env, timeoutMs: 1_200_000 });
  const pickups = expectPickups(result, count, `npm run staff -- issue --batch (${count} rows)`);
  const seconds = result.ms / 1000;
  return { pickups, seconds, perSecond: count / seconds, exitCode: result.code };
}
