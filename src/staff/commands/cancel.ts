import { cancelPickupWithEvent, findPickupById } from '../../db/pickups.js';
import { resolveReference } from '../reference.js';
import { sweepKeyMaterial } from '../../services/sweep.js';
import { printJson, UsageError, type Command } from '../context.js';

export const cancel: Command = {
  name: 'cancel',
  summary: 'Block a pickup at once and destroy its key material.',
  usage: 'cancel <serial or application code> [--reason TEXT] [--json]',
  options: { reason: { type: 'string' }, json: { type: 'boolean' } },
  allowPositionals: true,
  async run(ctx, args) {
    const [reference] = args.positionals;
    if (!reference) throw new UsageError('name the pickup: cancel <serial> --reason "..."');
    // `cancel <serial>` alone must work (scripts rely on it); a reason is asked for, not required.
    const given = typeof args.values.reason === 'string' ? args.values.reason.trim() : '';
    const reason = given || 'cancelled by staff (no reason given)';
    const deps = ctx.deps();
    const pickup = resolveReference(deps.db, reference);
    const now = deps.clock();
    const cancelled = cancelPickupWithEvent(deps.db, pickup.id, now, reason);
    sweepKeyMaterial(deps);
    // Read again: the server's own sweep may have destroyed the key between our steps.
    const keyDestroyed = (findPickupById(deps.db, pickup.id) ?? pickup).keyDestroyedAt !== null;
    if (args.values.json) printJson(ctx, { serial: pickup.serial, cancelled: Boolean(cancelled), alreadyCancelled: !cancelled, keyDestroyed });
    else ctx.stdout(cancelled ? `Cancelled ${pickup.serial}: ${reason}. Its URL now shows the cancelled page.\n` : `${pickup.serial} was already cancelled.\n`);
    return 0;
  },
};
