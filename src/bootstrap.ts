import type { DestinationStream } from 'pino';
import { loadConfig, type Config } from './config.js';
import type { Durability } from './db/open.js';
import { openStore } from './db/open-store.js';
import { assembleDeps, type Deps } from './deps.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createLogger } from './lib/log.js';
import { cryptoRandom, type Random } from './lib/random.js';
import { verifyKeyChecks } from './secrets/key-check.js';
import { loadSecrets, loadSharedSecrets } from './secrets/keyring.js';

export type OpenOptions = { clock?: Clock; random?: Random; logDestination?: DestinationStream; config?: Config; durability?: Durability };

/**
 * Opens what the server and the staff commands share: configuration from the environment,
 * secrets, the store with its migrations applied. With SQLite the secrets may be generated on an
 * empty DATA_DIR; with PostgreSQL they come from the environment and are checked against the
 * check values the database keeps, so an instance with a different key refuses to start.
 */
export async function openDeps(env: Record<string, string | undefined>, options: OpenOptions = {}): Promise<Deps> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const config = options.config ?? loadConfig(env);
  const secrets = config.database ? loadSharedSecrets(config) : loadSecrets(config, clock(), random);
  const store = await openStore(config, options.durability);
  if (config.database) {
    try {
      await verifyKeyChecks(store, secrets, clock());
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return assembleDeps({ store, config, secrets, clock, random, log: createLogger(config.logLevel, options.logDestination) });
}
