import type { DestinationStream } from 'pino';
import { loadConfig, type Config } from './config.js';
import { dbFile, openDb, type Durability } from './db/open.js';
import type { Deps } from './deps.js';
import { systemClock, type Clock } from './lib/clock.js';
import { cryptoRandom, type Random } from './lib/random.js';
import { createLogger } from './log.js';
import { createMetrics } from './lib/metrics.js';
import { createPasswordHasher } from './password-hasher.js';
import { createSealer } from './seal.js';
import { loadSecrets } from './secrets.js';

export type OpenOptions = { clock?: Clock; random?: Random; logDestination?: DestinationStream; config?: Config; durability?: Durability };

/** Everything the server and the staff commands share: config, secrets, database, sealer, hasher. */
export function openDeps(env: Record<string, string | undefined>, options: OpenOptions = {}): Deps {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const config = options.config ?? loadConfig(env);
  const secrets = loadSecrets(config, clock(), random);
  const db = openDb(dbFile(config.dataDir), options.durability);
  return {
    db,
    clock,
    random,
    config,
    sealer: createSealer(secrets.sealKeys, { reload: secrets.reloadSealKeys }),
    hasher: createPasswordHasher({ pepper: secrets.pepper }),
    sessionKey: secrets.sessionKey,
    log: createLogger(config.logLevel, options.logDestination),
    metrics: createMetrics(),
  };
}
