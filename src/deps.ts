import type { Logger } from 'pino';
import { createPasswordHasher, type HasherOptions, type PasswordHasher } from './auth/password-hasher.js';
import type { Config } from './config.js';
import type { Store } from './db/store.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createMetrics, type Metrics, type PoolStats } from './lib/metrics.js';
import { cryptoRandom, type Random } from './lib/random.js';
import type { Secrets } from './secrets/keyring.js';
import { createSealer, type KeyringSealer } from './secrets/sealer.js';

/** Everything a request handler, service or staff command may use. Nothing else is reached for. */
export type Deps = {
  store: Store;
  clock: Clock;
  random: Random;
  config: Config;
  sealer: KeyringSealer;
  hasher: PasswordHasher;
  sessionKey: Uint8Array;
  log: Logger;
  metrics: Metrics;
  /**
   * The database pool's state for /metrics, read at scrape time. A store without a pool (SQLite)
   * leaves it out or returns null, and the pool gauges are then not reported at all.
   */
  poolStats?: () => PoolStats | null;
};

/** Resources already opened (database, secrets, logger) and the choices a caller may make. */
export type DepsParts = {
  store: Store;
  config: Config;
  secrets: Secrets;
  log: Logger;
  clock?: Clock;
  random?: Random;
  hasher?: Omit<HasherOptions, 'pepper'>;
  poolStats?: () => PoolStats | null;
};

/**
 * Builds Deps from opened parts. Pure: it opens nothing and reads nothing, so the server, the
 * staff commands, the tests, the fuzzer and the bench all get their Deps the same way.
 */
export function assembleDeps(parts: DepsParts): Deps {
  const { secrets } = parts;
  return {
    store: parts.store,
    clock: parts.clock ?? systemClock,
    random: parts.random ?? cryptoRandom,
    config: parts.config,
    sealer: createSealer(secrets.sealKeys, { reload: secrets.reloadSealKeys }),
    hasher: createPasswordHasher({ ...parts.hasher, pepper: secrets.pepper }),
    sessionKey: secrets.sessionKey,
    log: parts.log,
    metrics: createMetrics(),
    // The store's pool (null for SQLite) unless the caller names another source.
    poolStats: parts.poolStats ?? (() => parts.store.poolStats()),
  };
}
