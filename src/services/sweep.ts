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
 * `staff purge`, in every instance at once when several share one PostgreSQL: a pickup another
 * instance destroyed first is simply skipped. Rows and events stay for the record.
 */
export async function sweepKeyMaterial(deps: Pick<Deps, 'store' | 'clock'> & Partial<Pick<Deps, 'metrics'>>): Promise<SweepResult> {
  const now = deps.clock();
  const { store } = deps;
  const destroyed: SweepResult['destroyed'] = [];
  for (const pickup of await store.listEndedWithKeyMaterial(now)) {
    const reason = pickupState(pickup, now);
    if (await store.destroyKeyMaterial(pickup.id, now, reason)) destroyed.push({ id: pickup.id, serial: pickup.serial, reason });
  }
  const files = await deleteTrackedFiles(deps, await store.listFilesOfEndedPickups(thisHost(), now), now, 'pickup ended');
  const walClean = await store.wipeFreedPages(destroyed.length > 0, now);
  const result = { destroyed, files, walClean, staleClients: await store.forgetStaleClients(now) };
  deps.metrics?.recordSweep(result, now);
  return result;
}
