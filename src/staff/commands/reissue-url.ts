import { PickupNotLiveError, reissueUrl } from '../../services/reissue-url.js';
import { printJson, UsageError, type Command } from '../context.js';
import { mailText } from '../delivery-output.js';
import { resolveReference } from '../reference.js';

export const reissueUrlCommand: Command = {
  name: 'reissue-url',
  summary: 'Give a live pickup a new URL (the old one stops working at once) and mail it; password and PIN stay.',
  usage: 'reissue-url <serial or application code> [--json]',
  options: { json: { type: 'boolean' } },
  allowPositionals: true,
  async run(ctx, args) {
    const [reference, ...extra] = args.positionals;
    if (!reference || extra.length > 0) throw new UsageError('name one pickup: reissue-url <serial or application code>');
    const deps = (await ctx.deps());
    const pickup = await resolveReference(deps.store, reference);
    let result;
    try {
      result = await reissueUrl(deps, ctx.mailer(), pickup);
    } catch (err) {
      if (err instanceof PickupNotLiveError) throw new UsageError(`${err.message}; the subscriber needs a new application`);
      throw err;
    }
    if (args.values.json) {
      printJson(ctx, { serial: pickup.serial, url: result.url, mail: result.mail });
    } else {
      ctx.stdout(
        [
          `New URL for ${pickup.serial}; the old URL now shows the "unknown URL" page.`,
          `  URL       ${result.url}`,
          `  Mail      ${mailText(result.mail)}`,
          '  The password and PIN letters stay valid: nothing is printed again.',
          '',
        ].join('\n'),
      );
    }
    return result.mail.status === 'failed' ? 1 : 0;
  },
};
