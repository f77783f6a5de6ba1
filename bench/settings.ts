import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseKeySpec, type KeySpec } from './key-spec.js';
import type { Row } from './report.js';

export type Settings = {
  quick: boolean;
  /** Seconds per measured autocannon run, and per warm-up run before the first one. */
  runS: number;
  warmupS: number;
  connections: number[];
  /** Pickups in the batch, certificates in each openssl loop. */
  certificates: number;
  argon2S: number;
  /** Phases 1–3 measure Uketori and its baselines by turns, in this many rounds of slices. */
  rounds: number;
  /** How long to wait for the first 200 from /healthz before giving up on the server. */
  startTimeoutMs: number;
  /** The checkout to measure (--app DIR); this repository by default. */
  appDir: string;
  /** --key rsa:2048|ec:P-256|ed25519; null: read it from the app's P12. */
  key: KeySpec | null;
  workDir: string;
  rawDir: string;
  log(line: string): void;
};

/** errors: what failed on the Uketori side while the baselines were still measured. */
export type PhaseResult = { rows: Row[]; notes: string[]; errors: string[]; raw: Record<string, unknown> };

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function parseSettings(argv: string[], dirs: { workDir: string; rawDir: string; repoRoot: string }): Settings {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean', default: false }, key: { type: 'string' }, app: { type: 'string' } },
  });
  const quick = values.quick === true;
  return {
    quick,
    runS: quick ? 3 : 10,
    warmupS: quick ? 1 : 2,
    connections: [10, 50],
    certificates: quick ? 20 : 200,
    argon2S: quick ? 3 : 10,
    rounds: quick ? 1 : 5,
    startTimeoutMs: quick ? 10_000 : 30_000,
    appDir: resolve(values.app ?? dirs.repoRoot),
    key: values.key === undefined ? null : parseKeySpec(values.key),
    workDir: dirs.workDir,
    rawDir: dirs.rawDir,
    log: (line) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`),
  };
}
