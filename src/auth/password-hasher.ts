import os from 'node:os';
import argon2 from 'argon2';

/** OWASP's argon2id floor: 19 MiB, two passes, one lane. */
export const ARGON2_PARAMS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Raised when more password checks wait than the queue holds; the route answers 503 at once. */
export class HasherBusyError extends Error {
  override name = 'HasherBusyError';
  constructor(readonly retryAfterSeconds: number) {
    super('password checks are queued to capacity');
  }
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  readonly inFlight: number;
  readonly queued: number;
  readonly queueLimit: number;
}

export type HasherOptions = { pepper: Uint8Array; concurrency?: number; queueLimit?: number };

/**
 * One argon2 computation per core, and never the whole libuv thread pool (argon2 runs there):
 * one pool thread stays free for the file and crypto work of every other page.
 */
export function defaultConcurrency(cores = os.availableParallelism(), poolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4): number {
  return Math.max(1, Math.min(cores, poolSize - 1));
}

/**
 * argon2 with a server-side pepper (argon2's `secret`), and at most `concurrency` computations
 * at once so a flood of password posts cannot take every core and 19 MiB per attempt without bound.
 */
export function createPasswordHasher(options: HasherOptions): PasswordHasher {
  const secret = Buffer.from(options.pepper);
  const concurrency = options.concurrency ?? defaultConcurrency();
  // A short queue per slot: a burst of honest logins waits its turn instead of bouncing, while a
  // flood still meets its 503 quickly. bench/ measures what one check costs on a given machine.
  const queueLimit = options.queueLimit ?? concurrency * 32;
  let inFlight = 0;
  const waiting: Array<() => void> = [];

  async function limited<T>(work: () => Promise<T>): Promise<T> {
    if (inFlight >= concurrency) {
      if (waiting.length >= queueLimit) throw new HasherBusyError(1);
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      inFlight++;
    }
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      // Hand the slot straight to the next waiter so inFlight never overshoots.
      if (next) next();
      else inFlight--;
    }
  }

  return {
    hash: (password) => limited(() => argon2.hash(password, { ...ARGON2_PARAMS, secret })),
    async verify(hash, password) {
      return limited(async () => {
        try {
          return await argon2.verify(hash, password, { secret });
        } catch {
          return false;
        }
      });
    },
    get inFlight() {
      return inFlight;
    },
    get queued() {
      return waiting.length;
    },
    queueLimit,
  };
}
