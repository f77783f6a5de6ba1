import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { createPrivateFile, replacePrivateFile } from '../lib/private-file.js';
import { ConfigError } from '../config.js';
import type { Random } from '../lib/random.js';
import type { SealKey } from './sealer.js';

export type Secrets = {
  sealKeys: SealKey[];
  /** Reads DATA_DIR/keys again (see createSealer); absent when SEAL_KEYS comes from the environment. */
  reloadSealKeys?: () => SealKey[];
  pepper: Uint8Array;
  sessionKey: Uint8Array;
};

const KEY_RE = /^[A-Za-z0-9_-]{43}$/;

function decodeKey(value: string, what: string): Uint8Array {
  const trimmed = value.trim();
  if (!KEY_RE.test(trimmed)) throw new ConfigError(`invalid configuration: ${what} must be 32 bytes in base64url`);
  return new Uint8Array(Buffer.from(trimmed, 'base64url'));
}

function keysDir(config: Config): string {
  return path.join(config.dataDir, 'keys');
}

/** Two processes starting on an empty DATA_DIR: the first key written wins, the other reads it. */
function writeSecretFile(file: string, content: string): void {
  try {
    createPrivateFile(file, content + '\n');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

function readSecretFile(file: string, what: string): Uint8Array {
  return decodeKey(fs.readFileSync(file, 'utf8'), `${what} (${file})`);
}

function hasData(config: Config): boolean {
  return fs.existsSync(path.join(config.dataDir, 'uketori.db'));
}

/** Newest first: `seal-current` names the kid that seals, every other `seal-*.key` still opens. */
export function readSealKeyring(config: Config): SealKey[] {
  const dir = keysDir(config);
  const current = fs.readFileSync(path.join(dir, 'seal-current'), 'utf8').trim();
  const kids = fs
    .readdirSync(dir)
    .filter((f) => /^seal-[A-Za-z0-9-]+\.key$/.test(f))
    .map((f) => f.slice(5, -4))
    .sort((a, b) => (a === current ? -1 : b === current ? 1 : b.localeCompare(a)));
  if (!kids.includes(current)) throw new ConfigError(`invalid configuration: seal key "${current}" named in seal-current is missing`);
  return kids.map((kid) => ({ kid, key: readSecretFile(path.join(dir, `seal-${kid}.key`), `seal key ${kid}`) }));
}

export function newSealKid(now: number, random: Random): string {
  const day = new Date(now).toISOString().slice(0, 10).replaceAll('-', '');
  return `k${day}-${Buffer.from(random(3)).toString('hex')}`;
}

/** A fresh `kid:base64url` pair for an operator who keeps SEAL_KEYS in the environment. */
export function newSealKeySpec(now: number, random: Random): string {
  return `${newSealKid(now, random)}:${Buffer.from(random(32)).toString('base64url')}`;
}

/** Deletes a key that no sealed value uses any more. The current key is never retired. */
export function retireSealKey(config: Config, kid: string): void {
  const dir = keysDir(config);
  const current = fs.readFileSync(path.join(dir, 'seal-current'), 'utf8').trim();
  if (kid === current) throw new ConfigError(`seal key "${kid}" is the current key and cannot be retired`);
  if (!/^[A-Za-z0-9-]{1,32}$/.test(kid)) throw new ConfigError(`"${kid}" is not a seal key id`);
  fs.rmSync(path.join(dir, `seal-${kid}.key`));
}

/** Adds a key and makes it current. Old keys stay so that sealed files made with them still open. */
export function addSealKey(config: Config, now: number, random: Random): string {
  const dir = keysDir(config);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const kid = newSealKid(now, random);
  writeSecretFile(path.join(dir, `seal-${kid}.key`), Buffer.from(random(32)).toString('base64url'));
  replacePrivateFile(path.join(dir, 'seal-current'), kid + '\n');
  replacePrivateFile(path.join(dir, 'seal-rotated-at'), `${now}\n`);
  return kid;
}

/** When the current key became current (0 when unknown, e.g. the first key of a DATA_DIR). */
export function sealRotatedAt(config: Config): number {
  try {
    const at = Number(fs.readFileSync(path.join(keysDir(config), 'seal-rotated-at'), 'utf8').trim());
    return Number.isFinite(at) ? at : 0;
  } catch {
    return 0;
  }
}

/**
 * Secrets come from the environment when set. Otherwise from DATA_DIR/keys, generated only when
 * DATA_DIR holds no database yet: a fresh key on an existing database would orphan every pickup.
 */
export function loadSecrets(config: Config, now: number, random: Random): Secrets {
  const dir = keysDir(config);
  const fileOf = (name: string) => path.join(dir, name);
  const needFiles = !config.sealKeys || !config.passwordPepper || !config.sessionKey;
  if (needFiles) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fresh = !hasData(config);
    const ensure = (name: string) => {
      if (fs.existsSync(fileOf(name))) return;
      if (!fresh) throw new ConfigError(`invalid configuration: ${fileOf(name)} is missing but ${config.dataDir} already holds data; restore it from backup`);
      writeSecretFile(fileOf(name), Buffer.from(random(32)).toString('base64url'));
    };
    if (!config.passwordPepper) ensure('pepper.key');
    if (!config.sessionKey) ensure('session.key');
    if (!config.sealKeys && !fs.existsSync(fileOf('seal-current'))) {
      if (!fresh) throw new ConfigError(`invalid configuration: no seal key in ${dir} but ${config.dataDir} already holds data; restore it from backup`);
      addSealKey(config, now, random);
    }
  }
  return {
    sealKeys: config.sealKeys
      ? config.sealKeys.map((k) => ({ kid: k.kid, key: decodeKey(k.key, `SEAL_KEYS (${k.kid})`) }))
      : readSealKeyring(config),
    reloadSealKeys: config.sealKeys ? undefined : () => readSealKeyring(config),
    pepper: config.passwordPepper ? decodeKey(config.passwordPepper, 'PASSWORD_PEPPER') : readSecretFile(fileOf('pepper.key'), 'pepper'),
    sessionKey: config.sessionKey ? decodeKey(config.sessionKey, 'SESSION_KEY') : readSecretFile(fileOf('session.key'), 'session key'),
  };
}

function readKeyFile(file: string, variable: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${variable} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * Secrets for an instance that shares a PostgreSQL store with others: every instance needs the
 * same pepper, session key and seal keys, so they come from the environment or from the files
 * it names, and are never generated here (a fresh key in one instance would lock out the rest).
 */
export function loadSharedSecrets(config: Config): Secrets {
  const files = config.secretFiles;
  const pepper = config.passwordPepper ?? (files.pepper ? readKeyFile(files.pepper, 'PASSWORD_PEPPER_FILE') : null);
  const session = config.sessionKey ?? (files.session ? readKeyFile(files.session, 'SESSION_KEY_FILE') : null);
  const sealSpec = config.sealKeys
    ? config.sealKeys.map((k) => `${k.kid}:${k.key}`).join(',')
    : files.sealKeys
      ? readKeyFile(files.sealKeys, 'SEAL_KEYS_FILE')
      : null;
  const missing = [!pepper && 'PASSWORD_PEPPER', !session && 'SESSION_KEY', !sealSpec && 'SEAL_KEYS'].filter(Boolean);
  if (missing.length > 0) {
    throw new ConfigError(
      `invalid configuration: with DATABASE_URL every instance needs the same keys; set ${missing.join(', ')} (or the *_FILE variable naming a file that holds it)`,
    );
  }
  if (!/^[A-Za-z0-9-]{1,32}:[A-Za-z0-9_-]{43}(,[A-Za-z0-9-]{1,32}:[A-Za-z0-9_-]{43})*$/.test(sealSpec!)) {
    throw new ConfigError('invalid configuration: SEAL_KEYS must be kid:base64url pairs separated by commas');
  }
  return {
    sealKeys: sealSpec!.split(',').map((pair) => {
      const [kid, key] = pair.split(':') as [string, string];
      return { kid, key: decodeKey(key, `SEAL_KEYS (${kid})`) };
    }),
    pepper: decodeKey(pepper!, 'PASSWORD_PEPPER'),
    sessionKey: decodeKey(session!, 'SESSION_KEY'),
  };
}
