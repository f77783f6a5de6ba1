import { isOwed, owe, settle } from '../db/housekeeping.js';
import { listFilesOfEndedPickups } from '../db/pickup-files.js';
import { destroyKeyMaterial, listEndedWithKeyMaterial } from '../db/pickups.js';
import { forgetStaleClients } from '../db/throttle.js';
import { truncateWal } from '../db/open.js';
import type { Deps } from '../deps.js';
import { pickupState } from '../pickup/state.js';
import { deleteTrackedFiles, thisHost, type FilesDeleted } from './pickup-files.js';

export type SweepResult = {
  destroyed: Array<{ id: string; serial: string; reason: string }>;
  files: FilesDeleted;
  /** False while a WAL truncation is still owed (a reader held it off); the next sweep tries again. */
  walClean: boolean;
  staleClients: number;
};

/**
 * Destroys the sealed PKCS#12 of every pickup that can no longer be downloaded, and the letters
 * and outbox mails this machine wrote for it. Idempotent: run at start-up, on a timer, and by
 * `staff purge`. Rows and events stay for the record.
 */
export function sweepKeyMaterial(deps: Pick<Deps, 'db' | 'clock'> & Partial<Pick<Deps, 'metrics'>>): SweepResult {
  const now = deps.clock();
  const destroyed: SweepResult['destroyed'] = [];
  for (const pickup of listEndedWithKeyMaterial(deps.db, now)) {
    const reason = pickupState(pickup, now);
    if (destroyKeyMaterial(deps.db, pickup.id, now, reason)) destroyed.push({ id: pickup.id, serial: pickup.serial, reason });
  }
  const files = deleteTrackedFiles(deps, listFilesOfEndedPickups(deps.db, thisHost(), now), now, 'pickup ended');
  // In WAL mode the destroyed pages may still sit in the -wal file; checkpointing into the
  // (secure_delete) database and truncating the WAL wipes them there too. A reader (an online
  // backup) can hold that off, so the debt is written down and every sweep tries until it is paid.
  if (destroyed.length > 0) owe(deps.db, 'wal-truncate', now);
  let walClean = true;
  if (isOwed(deps.db, 'wal-truncate')) {
    walClean = truncateWal(deps.db);
    if (walClean) settle(deps.db, 'wal-truncate');
  }
  const result = { destroyed, files, walClean, staleClients: forgetStaleClients(deps.db, now) };
  deps.metrics?.recordSweep(result, now);
  return result;
}
