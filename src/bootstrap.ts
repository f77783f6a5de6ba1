import type { DestinationStream } from 'pino';
import { loadConfig, type Config } from './config.js';
import { dbFile, openDb, type Durability } from './db/open.js';
import { assembleDeps, type Deps } from './deps.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createLogger } from './lib/log.js';
import { cryptoRandom, type Random } from './lib/random.js';
import { loadSecrets } from './secrets/keyring.js';

export type OpenOptions = { clock?: Clock; random?: Random; logDestination?: DestinationStream; config?: Config; durability?: Durability };

/**
 * Opens what the server and the staff commands share: configuration from the environment,
 * secrets (generated on an empty DATA_DIR), the database with its migrations applied.
 */
export function openDeps(env: Record<string, string | undefined>, options: OpenOptions = {}): Deps {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const config = options.config ?? loadConfig(env);
  const secrets = loadSecrets(config, clock(), random);
  const db = openDb(dbFile(config.dataDir), options.durability);
  return assembleDeps({ db, config, secrets, clock, random, log: createLogger(config.logLevel, options.logDestination) });
}
