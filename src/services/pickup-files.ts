import os from 'node:os';
import type { PickupFileKind, PickupFileRow } from '../db/store.js';
import type { Deps } from '../deps.js';
import { destroyFile } from '../lib/destroy-file.js';

/** Files live on the machine that wrote them; only that machine may delete them. */
export function thisHost(): string {
  return os.hostname();
}

export async function trackFile(deps: Pick<Deps, 'store'>, pickupId: string, kind: PickupFileKind, path: string, now: number): Promise<void> {
  await deps.store.recordPickupFiles([{ pickupId, kind, path, host: thisHost() }], now);
}

export type FilesDeleted = { deleted: PickupFileRow[]; failed: Array<{ file: PickupFileRow; error: string }> };

/**
 * Destroys the files and records it: one `files-deleted` event per pickup. A file already gone
 * counts as deleted (staff may have shredded it by hand); one that cannot be removed stays on
 * record, to be tried again.
 */
export async function deleteTrackedFiles(deps: Pick<Deps, 'store'>, files: PickupFileRow[], now: number, reason: string): Promise<FilesDeleted> {
  const result: FilesDeleted = { deleted: [], failed: [] };
  const byPickup = new Map<string, PickupFileRow[]>();
  for (const file of files) {
    const outcome = destroyFile(file.path);
    if (typeof outcome === 'object') {
      result.failed.push({ file, error: outcome.error });
      continue;
    }
    await deps.store.markFileDeleted(file.id, now);
    result.deleted.push(file);
    byPickup.set(file.pickupId, [...(byPickup.get(file.pickupId) ?? []), file]);
  }
  for (const [pickupId, gone] of byPickup) {
    const count = (kind: PickupFileKind) => gone.filter((f) => f.kind === kind).length;
    await deps.store.addEvent(pickupId, now, 'files-deleted', { letters: count('letter'), outbox: count('outbox'), reason });
  }
  return result;
}
