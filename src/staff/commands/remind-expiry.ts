import { formatJst } from '../../i18n/format.js';
import { DAY } from '../../lib/clock.js';
import { sendReminder } from '../../services/mail-delivery.js';
import { printJson, UsageError, type Command } from '../context.js';
import { mailText } from '../delivery-output.js';

export const DEFAULT_REMIND_DAYS = 35;
// The CA promises the notice at least 30 days before expiry.
export const MIN_REMIND_DAYS = 30;

function daysOption(value: unknown): number {
  if (value === undefined) return DEFAULT_REMIND_DAYS;
  const days = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(days >= MIN_REMIND_DAYS && days <= 366)) throw new UsageError(`--days must be a whole number from ${MIN_REMIND_DAYS} to 366`);
  return days;
}

export const remindExpiry: Command = {
  name: 'remind-expiry',
  summary: 'Mail every subscriber whose certificate expires within N days (default 35), once per certificate.',
  usage: 'remind-expiry [--days N] [--json]   (N >= 30; safe to run daily: a certificate is never reminded twice)',
  options: { days: { type: 'string' }, json: { type: 'boolean' } },
  async run(ctx, args) {
    const days = daysOption(args.values.days);
    const deps = (await ctx.deps());
    const now = deps.clock();
    const candidates = await deps.store.listReminderCandidates(now, now + days * DAY);
    let sent = 0;
    let failed = 0;
    for (const pickup of candidates) {
      const outcome = await sendReminder(deps, ctx.mailer(), pickup);
      if (outcome.status === 'sent') sent++;
      if (outcome.status === 'failed') failed++;
      if (args.values.json) printJson(ctx, { serial: pickup.serial, notAfter: new Date(pickup.certNotAfter).toISOString(), ...outcome });
      else ctx.stdout(`${pickup.serial}  expires ${formatJst(pickup.certNotAfter, 'en')}  reminder ${mailText(outcome)}\n`);
    }
    const summary =
      candidates.length === 0
        ? `No certificate expiring within ${days} days is waiting for a reminder.`
        : `${sent} reminder(s) sent, ${failed} failed${failed > 0 ? ' (recorded: run "npm run staff -- mail --retry")' : ''}.`;
    (args.values.json ? ctx.stderr : ctx.stdout)(summary + '\n');
    return failed > 0 ? 1 : 0;
  },
};
