import type { Store } from '../db/store.js';
import { mailingErrors } from '../postal/addressing.js';
import { validateSubscriber, type FieldError, type Mailing, type Subscriber, type ValidateOptions } from '../pki/profiles.js';
import type { BatchRow } from './batch-input.js';

export type PlannedRow =
  | { row: number; status: 'issue'; subscriber: Subscriber; mailing: Mailing; applicationCode: string }
  | { row: number; status: 'skipped'; applicationCode: string; serial: string }
  | { row: number; status: 'failed'; errors: FieldError[] };

/**
 * Decides every row before anything is issued: refused (with the fields at fault), already
 * issued on an earlier run (its application code exists), or to be issued. Cheap and
 * synchronous, so a file full of mistakes is reported in full without making any key.
 */
export async function planBatch(store: Store, rows: BatchRow[], rules: ValidateOptions): Promise<PlannedRow[]> {
  const firstRowOf = new Map<string, number>();
  const out: PlannedRow[] = [];
  for (const r of rows) {
    out.push(await (async (): Promise<PlannedRow> => {
    if ('errors' in r) return { row: r.row, status: 'failed', errors: r.errors };
    const checked = validateSubscriber(r.input, rules);
    if (!checked.ok) return { row: r.row, status: 'failed', errors: checked.errors };
    const errors = mailingErrors(checked.mailing);
    const code = checked.mailing.applicationCode?.trim();
    if (!code) errors.push({ field: 'applicationCode', message: 'required in a batch: a re-run recognises issued rows by it' });
    if (errors.length > 0 || !code) return { row: r.row, status: 'failed', errors };
    const earlier = firstRowOf.get(code);
    if (earlier !== undefined) return { row: r.row, status: 'failed', errors: [{ field: 'applicationCode', message: `same as row ${earlier}` }] };
    firstRowOf.set(code, r.row);
    const existing = await store.findPickupByApplicationCode(code);
    if (existing) return { row: r.row, status: 'skipped', applicationCode: code, serial: existing.serial };
    return { row: r.row, status: 'issue', subscriber: checked.subscriber, mailing: { ...checked.mailing, applicationCode: code }, applicationCode: code };
    })());
  }
  return out;
}
