import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Db } from './db/open.js';
import type { Clock } from './lib/clock.js';
import type { Metrics } from './lib/metrics.js';
import type { Random } from './lib/random.js';
import type { PasswordHasher } from './password-hasher.js';
import type { KeyringSealer } from './seal.js';

export type Deps = {
  db: Db;
  clock: Clock;
  random: Random;
  config: Config;
  sealer: KeyringSealer;
  hasher: PasswordHasher;
  sessionKey: Uint8Array;
  log: Logger;
  metrics: Metrics;
};
