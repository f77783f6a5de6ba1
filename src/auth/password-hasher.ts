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

/**
 * Raised when the request a check was for has gone (its connection closed) before
 * the check started: the check is dropped, and argon2 never runs for an answer nobody will read.
 */
export class CheckAbandonedError extends Error {
  override name = 'CheckAbandonedError';
  constructor() {
    super('the connection closed before its password check started');
  }
}

/** The two argon2 calls the hasher makes; tests hand in a gated wrapper to hold a check in flight. */
export type Argon2Calls = { hash: typeof argon2.hash; verify: typeof argon2.verify };

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** `owner` (a pickup id) gets at most its fair share of the queue, and owners take turns. */
  verify(hash: string, password: string, owner?: string): Promise<boolean>;
  /** Whether a check for `owner` would start or wait now, rather than be refused. */
  canAccept(owner: string): boolean;
  /**
   * Holds a place for one check of `owner` while the caller does other asynchronous work (the
   * throttle's database round trip): null when the queue has no room. The place is used by
   * `verify` on the reservation, or given back by `release`; others cannot take it meanwhile.
   */
  reserve(owner: string): HasherReservation | null;
  readonly inFlight: number;
  readonly queued: number;
  readonly queueLimit: number;
  /** How many checks one owner may have waiting at once. */
  readonly ownerShare: number;
}

/**
 * `verify` takes the request's AbortSignal: a check still waiting when it fires leaves the queue
 * and rejects with CheckAbandonedError. A check already running finishes (argon2 cannot be
 * stopped halfway), and its result goes nowhere.
 */
export type HasherReservation = { verify(hash: string, password: string, signal?: AbortSignal): Promise<boolean>; release(): void };

export type HasherOptions = { pepper: Uint8Array; concurrency?: number; queueLimit?: number; ownerShare?: number; argon2?: Argon2Calls };

/**
 * The libuv thread pool's size in a process started with `env`, read as libuv reads it: 4 when
 * UV_THREADPOOL_SIZE is not set, else its leading number (atoi), 0 or none meaning 1, and at most
 * 1024 (a negative number, unsigned to libuv, too).
 */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.UV_THREADPOOL_SIZE;
  if (value === undefined) return 4;
  const n = Number.parseInt(value, 10);
  if (!Number.isFinite(n) || n === 0) return 1;
  return n < 0 ? 1024 : Math.min(n, 1024);
}

/**
 * How many checks the hasher hands to argon2 (which runs on libuv's thread pool) at once. With no
 * more pool threads than cores (npm start's scripts/thread-pool.cjs gives one per core from 2 to
 * 4), argon2 may run on every pool thread and one more check waits in the pool's own queue: a
 * thread that finishes a check takes the next at once on the core it holds, instead of going to
 * sleep until the event loop has answered and handed it one (docs/benchmarks.md, fifteenth
 * round). Other work on the pool (the session's HMAC, unsealing a file) then waits during a
 * flood for the next thread to come free, behind at most that one queued check. A pool larger
 * than the cores (one core, or a size set so) keeps one argon2 check per core and a thread free.
 */
export function defaultConcurrency(cores = os.availableParallelism(), poolSize = threadPoolSize()): number {
  if (poolSize <= cores) return poolSize + 1;
  return Math.max(1, Math.min(cores, poolSize - 1));
}

const ISSUANCE = '';

/**
 * argon2 with a server-side pepper (argon2's `secret`), and at most `concurrency` computations
 * at once so a flood of password posts cannot take every core and 19 MiB per attempt without bound.
 * Waiting checks are queued per owner and served in turns (round robin): a burst of guesses on
 * one URL holds at most a quarter of the queue and delays another subscriber's check by at most
 * one turn, not by the whole burst.
 */
export function createPasswordHasher(options: HasherOptions): PasswordHasher {
  const secret = Buffer.from(options.pepper);
  const kdf = options.argon2 ?? argon2;
  const concurrency = options.concurrency ?? defaultConcurrency();
  // A short queue per slot: a burst of honest logins waits its turn instead of bouncing, while a
  // flood still meets its 503 quickly. bench/ measures what one check costs on a given machine.
  const queueLimit = options.queueLimit ?? concurrency * 32;
  const ownerShare = options.ownerShare ?? Math.max(1, Math.floor(queueLimit / 4));
  let inFlight = 0;
  let queued = 0;
  // Insertion order is the turn order: an owner served goes to the back if it still waits.
  const waiting = new Map<string, Array<() => void>>();
  const running = new Map<string, number>();

  // Places held by reserve() and not yet used: they count as waiting for every admission check.
  let reserved = 0;
  const reservedBy = new Map<string, number>();

  function canAccept(owner: string): boolean {
    if (inFlight + reserved < concurrency) return true;
    // Issuance (no owner) is bounded by the staff command itself; pickups get their fair share.
    const mine = (waiting.get(owner)?.length ?? 0) + (reservedBy.get(owner) ?? 0);
    return queued + reserved < queueLimit && (owner === ISSUANCE || mine < ownerShare);
  }

  function unreserve(owner: string): void {
    reserved--;
    const left = reservedBy.get(owner)! - 1;
    if (left === 0) reservedBy.delete(owner);
    else reservedBy.set(owner, left);
  }

  /** The next turn goes to the first waiting owner with no check running, else to the first in line. */
  function nextWaiter(): (() => void) | undefined {
    let owner: string | undefined;
    for (const candidate of waiting.keys()) {
      if (!running.get(candidate)) {
        owner = candidate;
        break;
      }
    }
    owner ??= waiting.keys().next().value;
    if (owner === undefined) return undefined;
    const list = waiting.get(owner)!;
    const next = list.shift();
    waiting.delete(owner);
    if (list.length > 0) waiting.set(owner, list);
    queued--;
    return next;
  }

  /** Takes a waiting turn out of the queue (its request has gone). */
  function withdraw(owner: string, turn: () => void): void {
    const list = waiting.get(owner);
    const at = list?.indexOf(turn) ?? -1;
    if (at < 0) return;
    list!.splice(at, 1);
    if (list!.length === 0) waiting.delete(owner);
    queued--;
  }

  async function limited<T>(owner: string, work: () => Promise<T>, held = false, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new CheckAbandonedError();
    if (inFlight >= concurrency) {
      // A reserved place was counted by every check since: it is never refused here.
      if (!held && !canAccept(owner)) throw new HasherBusyError(1);
      await new Promise<void>((resolve, reject) => {
        const abandon = () => {
          withdraw(owner, turn);
          reject(new CheckAbandonedError());
        };
        const turn = () => {
          signal?.removeEventListener('abort', abandon);
          resolve();
        };
        const list = waiting.get(owner);
        if (list) list.push(turn);
        else waiting.set(owner, [turn]);
        queued++;
        signal?.addEventListener('abort', abandon, { once: true });
      });
    } else {
      inFlight++;
    }
    running.set(owner, (running.get(owner) ?? 0) + 1);
    try {
      return await work();
    } finally {
      // Chosen while this owner still counts as running, so another owner's check goes first.
      const next = nextWaiter();
      const left = running.get(owner)! - 1;
      if (left === 0) running.delete(owner);
      else running.set(owner, left);
      // Hand the slot straight to the next waiter so inFlight never overshoots.
      if (next) next();
      else inFlight--;
    }
  }

  const check = (hash: string, password: string) => async () => {
    try {
      return await kdf.verify(hash, password, { secret });
    } catch {
      return false;
    }
  };

  return {
    hash: (password) => limited(ISSUANCE, () => kdf.hash(password, { ...ARGON2_PARAMS, secret })),
    async verify(hash, password, owner = ISSUANCE) {
      return limited(owner, check(hash, password));
    },
    canAccept,
    reserve(owner) {
      if (!canAccept(owner)) return null;
      reserved++;
      reservedBy.set(owner, (reservedBy.get(owner) ?? 0) + 1);
      let spent = false;
      const spend = () => {
        if (spent) return false;
        spent = true;
        unreserve(owner);
        return true;
      };
      return {
        verify: (hash, password, signal) => {
          if (!spend()) throw new Error('hasher reservation used twice');
          return limited(owner, check(hash, password), true, signal);
        },
        release: () => void spend(),
      };
    },
    get inFlight() {
      return inFlight;
    },
    get queued() {
      return queued;
    },
    queueLimit,
    ownerShare,
  };
}
