import type { Deps } from '../deps.js';
import { deliverIssued, type Delivery } from '../services/deliver-issued.js';
import type { IssuedPickup } from '../services/create-pickup.js';
import { printJson, type CommandContext } from './context.js';
import { deliveryJson, deliveryLines } from './delivery-output.js';
import { issuedJson, issuedText } from './present.js';

/**
 * After the pickup is committed: letters, mail, then the one printout of the secrets. Whatever
 * fails in delivery, the password and PIN are still printed, since nothing else can show them
 * again. Exit 3 tells staff the letters are missing.
 */
export async function finishIssue(
  ctx: CommandContext,
  deps: Deps,
  issued: IssuedPickup,
  options: { lettersDir: string | null; json: boolean; name: string; extra: Record<string, unknown> },
): Promise<number> {
  let delivery: Delivery;
  try {
    delivery = await deliverIssued(deps, ctx.mailer(), issued, options.lettersDir);
  } catch (err) {
    const error = (err as Error).message;
    delivery = {
      letters: options.lettersDir === null ? { status: 'skipped' } : { status: 'failed', error },
      mail: { status: 'failed', to: '(not attempted)', error },
    };
  }
  if (options.json) printJson(ctx, { ...issuedJson(issued, options.extra), ...deliveryJson(delivery) });
  else ctx.stdout(issuedText(issued, options.name) + deliveryLines(delivery).join('\n') + '\n');
  return delivery.letters.status === 'failed' ? 3 : 0;
}
