import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { replacePrivateFile } from '../lib/private-file.js';
import { type Random } from '../lib/random.js';
import { keyMatchesCertificate } from './certificate-info.js';
import { type DevCa, createDevCa } from './dev-ca.js';
import { type Sealer } from './sealer-type.js';

export class CaStoreError extends Error {
  override name = 'CaStoreError';
}

/** Certificates are plain PEM; keys are sealed JWE bound to purpose "ca-key" and their name. */
const FILES = {
  rootCertPem: 'root.crt.pem',
  issuingCertPem: 'issuing.crt.pem',
  rootKeyPem: 'root.key.jwe',
  issuingKeyPem: 'issuing.key.jwe',
} as const satisfies Record<keyof DevCa, string>;
const KEY_IDS = { rootKeyPem: 'root', issuingKeyPem: 'issuing' } as const;
/** The sealed CA key files and the id each is sealed under. */
export const CA_KEY_FILES = { [FILES.rootKeyPem]: KEY_IDS.rootKeyPem, [FILES.issuingKeyPem]: KEY_IDS.issuingKeyPem } as const;
const LOCK = '.create.lock';

export interface StoreOptions {
  /** How long to wait for another process that is creating the CA. */
  lockWaitMs?: number;
}

/**
 * Loads the development CA from `dir`, creating it on first use. Two processes racing here
 * end up with the same CA: one wins an exclusive lock file and writes, the other waits and
 * reads. A crash mid-creation leaves the lock behind; the error says which file to remove.
 */
export async function loadOrCreateDevCa(
  dir: string, sealer: Sealer, now: number, random: Random, opts: StoreOptions = {},
): Promise<DevCa & { created: boolean }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lockPath = path.join(dir, LOCK);
  const attempts = Math.ceil((opts.lockWaitMs ?? 60_000) / 100);
  for (let attempt = 0; ; attempt++) {
    const existing = await readCa(dir, sealer, false);
    if (existing) return { ...existing, created: false };
    const lock = await open(lockPath, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return null;
      throw err;
    });
    if (lock) {
      try {
        // Another process may have finished between our read and our lock.
        const raced = await readCa(dir, sealer, true);
        if (raced) return { ...raced, created: false };
        const ca = await createDevCa({ now, random });
        await writeCa(dir, sealer, ca);
        return { ...ca, created: true };
      } finally {
        await lock.close();
        await rm(lockPath, { force: true });
      }
    }
    if (attempt >= attempts) {
      throw new CaStoreError(`${lockPath} exists: another process is creating the CA, or one crashed doing so (remove the file if so)`);
    }
    await sleep(100);
  }
}

/** null when nothing is there yet; partial content is an error only when we hold the lock. */
async function readCa(dir: string, sealer: Sealer, locked: boolean): Promise<DevCa | null> {
  const found = await Promise.all(Object.values(FILES).map((name) =>
    readFile(path.join(dir, name), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    })));
  const present = found.filter((text) => text !== null).length;
  if (present === 0 || (present < found.length && !locked)) return null;
  if (present < found.length) {
    throw new CaStoreError(`${dir} holds an incomplete CA; move it aside to create a new one`);
  }
  const [rootCertPem, issuingCertPem, rootJwe, issuingJwe] = found as string[];
  const ca: DevCa = {
    rootCertPem: rootCertPem!,
    issuingCertPem: issuingCertPem!,
    rootKeyPem: await openKey(sealer, rootJwe!, KEY_IDS.rootKeyPem),
    issuingKeyPem: await openKey(sealer, issuingJwe!, KEY_IDS.issuingKeyPem),
  };
  if (!keyMatchesCertificate(ca.issuingKeyPem, ca.issuingCertPem)
    || !keyMatchesCertificate(ca.rootKeyPem, ca.rootCertPem)) {
    throw new CaStoreError(`${dir}: a CA key does not match its certificate`);
  }
  return ca;
}

const openKey = async (sealer: Sealer, jwe: string, id: string): Promise<string> =>
  Buffer.from(await sealer.open(jwe.trim(), { purpose: 'ca-key', id })).toString('utf8');

async function writeCa(dir: string, sealer: Sealer, ca: DevCa): Promise<void> {
  const seal = (pem: string, id: string) =>
    sealer.seal(new Uint8Array(Buffer.from(pem, 'utf8')), { purpose: 'ca-key', id });
  // Keys first, certificates last: readers treat the CA as present only once all four exist.
  replacePrivateFile(path.join(dir, FILES.rootKeyPem), await seal(ca.rootKeyPem, KEY_IDS.rootKeyPem));
  replacePrivateFile(path.join(dir, FILES.issuingKeyPem), await seal(ca.issuingKeyPem, KEY_IDS.issuingKeyPem));
  replacePrivateFile(path.join(dir, FILES.rootCertPem), ca.rootCertPem);
  replacePrivateFile(path.join(dir, FILES.issuingCertPem), ca.issuingCertPem);
  // Persist the renames; directories cannot be opened for fsync on Windows, so that is best effort.
  const dirHandle = await open(dir, 'r').catch(() => null);
  await dirHandle?.sync().catch(() => undefined).finally(() => dirHandle.close());
}


/** The key id a sealed CA key file was sealed with, read from its JWE header; null when absent. */
export type KidOf = (jwe: string) => string | null;

/**
 * Seals the CA keys again under the sealer's current key, so older seal keys can retire. Holds
 * the CA's creation lock meanwhile, so no process creates or rewrites the CA at the same time.
 * Returns how many key files were rewritten.
 */
export async function resealDevCaKeys(dir: string, sealer: Sealer & { readonly currentKid: string }, kidOf: KidOf): Promise<number> {
  const lockPath = path.join(dir, LOCK);
  const present = await readFile(path.join(dir, FILES.rootKeyPem), 'utf8').then(() => true, () => false);
  if (!present) return 0;
  const lock = await open(lockPath, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST') throw new CaStoreError(`${lockPath} exists: another process is creating the CA; try again later`);
    throw err;
  });
  try {
    let resealed = 0;
    for (const [name, id] of Object.entries(CA_KEY_FILES)) {
      const file = path.join(dir, name);
      const jwe = (await readFile(file, 'utf8')).trim();
      if (kidOf(jwe) === sealer.currentKid) continue;
      const plain = await sealer.open(jwe, { purpose: 'ca-key', id });
      replacePrivateFile(file, await sealer.seal(plain, { purpose: 'ca-key', id }));
      plain.fill(0);
      resealed++;
    }
    return resealed;
  } finally {
    await lock.close();
    await rm(lockPath, { force: true });
  }
}
