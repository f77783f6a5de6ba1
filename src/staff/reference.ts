import type { PickupRow, Store } from '../db/store.js';
import { UsageError } from './context.js';

/** The one pickup a serial or application code names, or a refusal staff can act on. */
export async function resolveReference(store: Store, reference: string): Promise<PickupRow> {
  const found = await store.findPickupsByReference(reference);
  if (found.length === 0) throw new UsageError(`no pickup with serial or application code "${reference}"`);
  if (found.length > 1) {
    throw new UsageError(
      `"${reference}" is the serial of one pickup and the application code of another (${found.map((p) => p.serial).join(', ')}): ` +
        'write the serial with colons (AB:CD:…) to mean the serial, or use `list` to find the other one',
    );
  }
  return found[0]!;
}
