import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../config.js';
import type { Store } from '../db/store.js';
import type { Secrets } from './keyring.js';

const LABEL = 'uketori key check v1';

/** An HMAC of a fixed label under the key: equal keys give equal checks, and the key cannot be read back. */
export function keyCheckValue(key: Uint8Array, name: string): string {
  return createHmac('sha256', key).update(`${LABEL}\0${name}`).digest('base64url');
}

function namedKeys(secrets: Secrets): Array<{ name: string; variable: string; key: Uint8Array }> {
  return [
    { name: 'pepper', variable: 'PASSWORD_PEPPER', key: secrets.pepper },
    { name: 'session', variable: 'SESSION_KEY', key: secrets.sessionKey },
    ...secrets.sealKeys.map((k) => ({ name: `seal:${k.kid}`, variable: `SEAL_KEYS (key "${k.kid}")`, key: k.key })),
  ];
}

/**
 * Compares each key with the check value the shared database keeps, and records the check of a
 * key seen for the first time. An instance holding a different key would write data the others
 * cannot read (or refuse every password): it must not start, and the message names the key.
 */
export async function verifyKeyChecks(store: Store, secrets: Secrets, now: number): Promise<void> {
  for (const { name, variable, key } of namedKeys(secrets)) {
    const mine = keyCheckValue(key, name);
    const stored = (await store.findKeyCheck(name)) ?? (await store.saveKeyCheck(name, mine, now));
    const a = Buffer.from(stored);
    const b = Buffer.from(mine);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new ConfigError(`${variable} differs from the key the other instances use with this database (its check value does not match); start with the same key`);
    }
  }
}
