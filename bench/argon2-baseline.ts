import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { firstMessage, startTsWorker } from './worker.js';

/** The parameters: argon2id, m=19456 KiB, t=2, p=1, with a `secret` pepper. */
export const ARGON2_PARAMS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export type Argon2Rate = { workers: number; verified: number; seconds: number; perSecond: number };

export type Argon2Pool = { workers: number; run(durationS: number): Promise<Argon2Rate>; close(): Promise<void> };

/**
 * One worker thread per core (os.availableParallelism()), each verifying one hash at a time, on
 * this process's libuv pool (npm run bench gives it npm start's size). The portal's hasher keeps
 * one more check queued in its pool; a scratch measure with one more queued here read no faster
 * (docs/benchmarks.md, fifteenth round). The workers are loaded and warmed up before this resolves, so a measure
 * holds no start-up: every `run` starts them together and counts wrong-password verifies per
 * second with nothing else of the bench running.
 */
export async function startArgon2Pool(workers = availableParallelism()): Promise<Argon2Pool> {
  const secret = randomBytes(32);
  const hash = await argon2.hash('the right password', { ...ARGON2_PARAMS, secret });
  const pool = Array.from({ length: workers }, () => startTsWorker(new URL('./argon2-worker', import.meta.url), { hash, secret }));
  const close = async () => void (await Promise.all(pool.map((w) => w.terminate())));
  try {
    await Promise.all(pool.map((w) => firstMessage<'ready'>(w)));
  } catch (err) {
    await close();
    throw err;
  }
  return {
    workers,
    async run(durationS) {
      const replies = pool.map((w) => firstMessage<{ verified: number; ms: number }>(w));
      for (const w of pool) w.postMessage({ durationMs: durationS * 1000 });
      const results = await Promise.all(replies);
      const verified = results.reduce((sum, r) => sum + r.verified, 0);
      const seconds = Math.max(...results.map((r) => r.ms)) / 1000;
      return { workers, verified, seconds, perSecond: verified / seconds };
    },
    close,
  };
}
