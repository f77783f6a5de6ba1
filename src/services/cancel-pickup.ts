import { cancelPickupWithEvent, findPickupById } from '../db/pickups.js';
import type { PickupRow } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { sweepKeyMaterial } from './sweep.js';

export type Cancellation = { cancelled: boolean; alreadyCancelled: boolean; keyDestroyed: boolean };

/** Blocks a pickup at once (its URL shows the cancelled page) and destroys its key material. */
export function cancelAndPurge(deps: Deps, pickup: PickupRow, reason: string): Cancellation {
  const cancelled = cancelPickupWithEvent(deps.db, pickup.id, deps.clock(), reason) !== null;
  sweepKeyMaterial(deps);
  // Read again: the server's own sweep may have destroyed the key between these steps.
  const keyDestroyed = (findPickupById(deps.db, pickup.id) ?? pickup).keyDestroyedAt !== null;
  return { cancelled, alreadyCancelled: !cancelled, keyDestroyed };
}
