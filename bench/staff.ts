import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mustRun } from './child.js';

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
function parsePickups(stdout: string): IssuedPickup[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as IssuedPickup)
    .filter((p) => typeof p.url === 'string' && typeof p.password === 'string');
}

export async function issueOne(appDir: string, env: NodeJS.ProcessEnv): Promise<IssuedPickup> {
  const args = ['run', 'staff', '--', 'issue', '--name-romaji', 'BENCH USER', '--email', 'bench@example.jp', '--json'];
  const result = await mustRun('npm', args, { cwd: appDir, env, timeoutMs: 120_000 });
  const [pickup] = parsePickups(result.stdout);
  if (pickup === undefined) throw new Error(`npm run staff -- issue printed no pickup JSON:\n${result.stdout.slice(-500)}`);
  return pickup;
}

export type BatchResult = { pickups: IssuedPickup[]; seconds: number; perSecond: number };

/** Times the whole `npm run staff -- issue --batch` command, process start included. */
export async function issueBatch(appDir: string, env: NodeJS.ProcessEnv, count: number, dir: string): Promise<BatchResult> {
  const rows = Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(4, '0');
    return `BENCH USER ${n},bench+${n}@example.jp,BENCH-${n}`;
  });
  const csv = join(dir, `batch-${count}.csv`);
  await writeFile(csv, ['nameRomaji,email,applicationCode', ...rows].join('\n') + '\n');
  const args = ['run', 'staff', '--', 'issue', '--batch', csv, '--json'];
  const result = await mustRun('npm', args, { cwd: appDir, env, timeoutMs: 1_200_000 });
  const pickups = parsePickups(result.stdout);
  if (pickups.length !== count) throw new Error(`the batch printed ${pickups.length} pickups for ${count} rows`);
  const seconds = result.ms / 1000;
  return { pickups, seconds, perSecond: count / seconds };
}
