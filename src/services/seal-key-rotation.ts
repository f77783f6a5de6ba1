import fs from 'node:fs';
import path from 'node:path';
import type { Deps } from '../deps.js';
import { HOUR } from '../lib/clock.js';
import { CA_KEY_FILES, resealDevCaKeys } from '../pki/ca-store.js';
import { addSealKey, newSealKeySpec, readSealKeyring, retireSealKey, sealRotatedAt } from '../secrets/keyring.js';
import { createSealer, sealedKid } from '../secrets/sealer.js';
import { caDir } from './ca-issuer.js';
import { sweepKeyMaterial } from './sweep.js';

/**
 * How long after a rotation old keys are kept even when nothing stored uses them: a staff
 * command started before the rotation still seals with the key it read at its start.
 */
export const ROTATION_SETTLE_MS = HOUR;

export type KeyUse = { sealedFiles: number; mailUrls: number; caKeys: number };

export type Retirement = {
  purged: number;
  resealedCaKeys: number;
  currentKid: string;
  /** Deleted now (never with SEAL_KEYS: the operator removes them from the environment). */
  retired: string[];
  /** Set while the current key is too new for any key to retire. */
  settlingUntil: number | null;
  /** Nothing sealed uses these any more. */
  unused: string[];
  kept: Array<{ kid: string } & KeyUse>;
};

export type Rotation = {
  source: 'env' | 'files';
  /** With SEAL_KEYS: the new `kid:key` pair for the operator to prepend; nothing was changed. */
  newKeySpec: string | null;
  /** With key files: the key that seals from now on. */
  newKid: string | null;
  retirement: Retirement | null;
};

/** Which key seals what: sealed files, mail URLs kept for a retry, and the CA keys. */
export async function sealKeyUsage(deps: Pick<Deps, 'store' | 'config'>): Promise<Map<string, KeyUse>> {
  const usage = new Map<string, KeyUse>();
  const entry = (kid: string) => usage.get(kid) ?? usage.set(kid, { sealedFiles: 0, mailUrls: 0, caKeys: 0 }).get(kid)!;
  for (const [kid, n] of await deps.store.countSealedFilesByKid()) entry(kid).sealedFiles += n;
  for (const jwe of await deps.store.listSealedMailUrls()) entry(sealedKid(jwe) ?? '?').mailUrls++;
  for (const name of Object.keys(CA_KEY_FILES)) {
    const file = path.join(caDir(deps), name);
    if (fs.existsSync(file)) entry(sealedKid(fs.readFileSync(file, 'utf8').trim()) ?? '?').caKeys++;
  }
  return usage;
}

function inUse(use: KeyUse | undefined): boolean {
  return use !== undefined && use.sealedFiles + use.mailUrls + use.caKeys > 0;
}

/**
 * Purges ended pickups, re-seals the CA keys under the current key, and deletes every older
 * key nothing sealed uses any more, unless the current key became current within the last
 * ROTATION_SETTLE_MS.
 */
async function retireUnused(deps: Deps, now: number): Promise<Retirement> {
  const { config } = deps;
  const purged = (await sweepKeyMaterial(deps)).destroyed.length;
  // Read the keyring again: a key added just before seals the CA keys from now on.
  const ring = config.sealKeys ? null : readSealKeyring(config);
  const keyring = ring ? createSealer(ring) : deps.sealer;
  const kids = (ring ?? config.sealKeys ?? []).map((k) => k.kid);
  const resealedCaKeys = await resealDevCaKeys(caDir(deps), keyring, sealedKid);
  const usage = await sealKeyUsage(deps);
  const unused = kids.filter((kid) => kid !== keyring.currentKid && !inUse(usage.get(kid)));
  const settling = !config.sealKeys && now - sealRotatedAt(config) < ROTATION_SETTLE_MS;
  const retired = config.sealKeys || settling ? [] : unused;
  for (const kid of retired) retireSealKey(config, kid);
  return {
    purged,
    resealedCaKeys,
    currentKid: keyring.currentKid,
    retired,
    settlingUntil: settling ? sealRotatedAt(config) + ROTATION_SETTLE_MS : null,
    unused,
    kept: kids.filter((kid) => !unused.includes(kid)).map((kid) => ({ kid, ...(usage.get(kid) ?? { sealedFiles: 0, mailUrls: 0, caKeys: 0 }) })),
  };
}

/**
 * Starts sealing with a new key (`rotate`) and/or retires the keys nothing uses (`retire`).
 * With SEAL_KEYS in the environment nothing on disk changes: the new pair is returned for the
 * operator, who must restart with it before retiring.
 */
export async function rotateSealKey(deps: Deps, options: { rotate: boolean; retire: boolean }): Promise<Rotation> {
  const now = deps.clock();
  const fromEnv = deps.config.sealKeys !== null;
  const newKeySpec = fromEnv && options.rotate ? newSealKeySpec(now, deps.random) : null;
  const newKid = !fromEnv && options.rotate ? addSealKey(deps.config, now, deps.random) : null;
  const retirement = options.retire ? await retireUnused(deps, now) : null;
  return { source: fromEnv ? 'env' : 'files', newKeySpec, newKid, retirement };
}
