import { formatJst } from '../../i18n/format.js';
import { retryMail, STALE_SENDING_MS, type RetryOutcome } from '../../services/mail-delivery.js';
import { printJson, type Command } from '../context.js';
import { mailText } from '../delivery-output.js';

function outcomeText(o: RetryOutcome): string {
  return o.status === 'dropped' ? `dropped: ${o.reason}` : mailText(o);
}

export const mail: Command = {
  name: 'mail',
  summary: 'Show the mails that were not delivered; --retry sends them again (or drops those whose pickup ended).',
  usage: 'mail [--retry] [--json]',
  options: { retry: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(ctx, args) {
    const deps = (await ctx.deps());
    const now = deps.clock();
    const unsent = await deps.store.listUnsentMails(now - STALE_SENDING_MS);
    const serials = new Map<string, string>();
    for (const m of unsent) if (!serials.has(m.pickupId)) serials.set(m.pickupId, (await deps.store.findPickupById(m.pickupId))?.serial ?? m.pickupId);
    const serialOf = (pickupId: string) => serials.get(pickupId) ?? pickupId;
    if (!args.values.retry) {
      for (const m of unsent) {
        const row = { serial: serialOf(m.pickupId), kind: m.kind, to: m.recipient, status: m.status, attempts: m.attempts, lastError: m.lastError, since: new Date(m.createdAt).toISOString() };
        if (args.values.json) printJson(ctx, row);
        else ctx.stdout(`${row.serial}  ${m.kind.padEnd(12)}  ${m.recipient}  ${m.attempts} attempt(s), last ${formatJst(m.updatedAt, 'en')}: ${m.lastError ?? m.status}\n`);
      }
      if (!args.values.json) ctx.stdout(unsent.length === 0 ? 'Every mail was delivered.\n' : `${unsent.length} mail(s) not delivered: run "npm run staff -- mail --retry".\n`);
      return 0;
    }
    let failed = 0;
    for (const m of unsent) {
      const outcome = await retryMail(deps, ctx.mailer(), m);
      if (outcome.status === 'failed') failed++;
      if (args.values.json) printJson(ctx, { serial: serialOf(m.pickupId), kind: m.kind, ...outcome });
      else ctx.stdout(`${serialOf(m.pickupId)}  ${m.kind.padEnd(12)}  ${outcomeText(outcome)}\n`);
    }
    const summary = unsent.length === 0 ? 'Nothing to retry: every mail was delivered.' : `${unsent.length - failed} of ${unsent.length} done, ${failed} still failing.`;
    (args.values.json ? ctx.stderr : ctx.stdout)(summary + '\n');
    return failed > 0 ? 1 : 0;
  },
};
