import type { PickupRow } from '../db/store.js';
import type { Deps } from '../deps.js';
import { sweepKeyMaterial } from './sweep.js';

export type Cancellation = { cancelled: boolean; alreadyCancelled: boolean; keyDestroyed: boolean };

/** Blocks a pickup at once (its URL shows the cancelled page) and destroys its key material. */
export async function cancelAndPurge(deps: Deps, pickup: PickupRow, reason: string): Promise<Cancellation> {
  const cancelled = (await deps.store.cancelPickup(pickup.id, deps.clock(), reason)) !== null;
  await sweepKeyMaterial(deps);
  // Read again: the server's own sweep may have destroyed the key between these steps.
  const keyDestroyed = ((await deps.store.findPickupById(pickup.id)) ?? pickup).keyDestroyedAt !== null;
  return { cancelled, alreadyCancelled: !cancelled, keyDestroyed };
}
