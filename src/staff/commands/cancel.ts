import { cancelAndPurge } from '../../services/cancel-pickup.js';
import { printJson, UsageError, type Command } from '../context.js';
import { resolveReference } from '../reference.js';

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
    const deps = (await ctx.deps());
    const pickup = await resolveReference(deps.store, reference);
    const result = await cancelAndPurge(deps, pickup, reason);
    if (args.values.json) printJson(ctx, { serial: pickup.serial, ...result });
    else ctx.stdout(result.cancelled ? `Cancelled ${pickup.serial}: ${reason}. Its URL now shows the cancelled page.\n` : `${pickup.serial} was already cancelled.\n`);
    return 0;
  },
};
