import { addEvent } from '../../db/events.js';
import { cancelPickup, findPickupByReference } from '../../db/pickups.js';
import { sweepKeyMaterial } from '../../sweep.js';
import { printJson, UsageError, type Command } from '../context.js';

export const cancel: Command = {
  name: 'cancel',
  summary: 'Block a pickup at once and destroy its key material.',
  usage: 'cancel <serial or application code> --reason TEXT [--json]',
  options: { reason: { type: 'string' }, json: { type: 'boolean' } },
  allowPositionals: true,
  async run(ctx, args) {
    const [reference] = args.positionals;
    if (!reference) throw new UsageError('name the pickup: cancel <serial> --reason "..."');
    const reason = typeof args.values.reason === 'string' && args.values.reason.trim() ? args.values.reason.trim() : 'cancelled by staff';
    const deps = ctx.deps();
    const pickup = findPickupByReference(deps.db, reference);
    if (!pickup) throw new UsageError(`no pickup with serial or application code "${reference}"`);
    const now = deps.clock();
    const cancelled = cancelPickup(deps.db, pickup.id, now, reason);
    if (cancelled) addEvent(deps.db, pickup.id, now, 'cancelled', { reason });
    const swept = sweepKeyMaterial(deps).destroyed.some((d) => d.id === pickup.id);
    if (args.values.json) printJson(ctx, { serial: pickup.serial, cancelled: Boolean(cancelled), alreadyCancelled: !cancelled, keyDestroyed: swept || pickup.keyDestroyedAt !== null });
    else ctx.stdout(cancelled ? `Cancelled ${pickup.serial}: ${reason}. Its URL now shows the cancelled page.\n` : `${pickup.serial} was already cancelled.\n`);
    return 0;
  },
};
