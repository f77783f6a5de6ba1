import { destroyKeyMaterial, listEndedWithKeyMaterial } from '../db/pickups.js';
import { forgetStaleClients } from '../db/throttle.js';
import { truncateWal } from '../db/open.js';
import type { Deps } from '../deps.js';
import { pickupState } from '../pickup/state.js';

export type SweepResult = { destroyed: Array<{ id: string; serial: string; reason: string }>; staleClients: number };

/**
 * Destroys the sealed PKCS#12 of every pickup that can no longer be downloaded. Idempotent:
 * run at start-up, on a timer, and by `staff purge`. Rows and events stay for the record.
 */
export function sweepKeyMaterial(deps: Pick<Deps, 'db' | 'clock'>): SweepResult {
  const now = deps.clock();
  const destroyed: SweepResult['destroyed'] = [];
  for (const pickup of listEndedWithKeyMaterial(deps.db, now)) {
    const reason = pickupState(pickup, now);
    if (destroyKeyMaterial(deps.db, pickup.id, now, reason)) destroyed.push({ id: pickup.id, serial: pickup.serial, reason });
  }
  // In WAL mode the destroyed pages may still sit in the -wal file; checkpointing into the
  // (secure_delete) database and truncating the WAL wipes them there too.
  if (destroyed.length > 0) truncateWal(deps.db);
  return { destroyed, staleClients: forgetStaleClients(deps.db, now) };
}
