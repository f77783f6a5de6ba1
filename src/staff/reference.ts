import { findPickupsByReference } from '../db/pickups.js';
import type { Db } from '../db/open.js';
import type { PickupRow } from '../db/schema.js';
import { UsageError } from './context.js';

/** The one pickup a serial or application code names, or a refusal staff can act on. */
export function resolveReference(db: Db, reference: string): PickupRow {
  const found = findPickupsByReference(db, reference);
  if (found.length === 0) throw new UsageError(`no pickup with serial or application code "${reference}"`);
  if (found.length > 1) {
    throw new UsageError(
      `"${reference}" is the serial of one pickup and the application code of another (${found.map((p) => p.serial).join(', ')}): ` +
        'write the serial with colons (AB:CD:…) to mean the serial, or use `list` to find the other one',
    );
  }
  return found[0]!;
}
