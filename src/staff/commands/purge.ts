import { sweepKeyMaterial } from '../../services/sweep.js';
import { printJson, type Command } from '../context.js';

export const purge: Command = {
  name: 'purge',
  summary: 'Destroy the sealed key material of every ended pickup (idempotent; the server also does this on a timer).',
  usage: 'purge [--json]',
  options: { json: { type: 'boolean' } },
  async run(ctx, args) {
    const result = sweepKeyMaterial(ctx.deps());
    if (args.values.json) printJson(ctx, { destroyed: result.destroyed.map(({ serial, reason }) => ({ serial, reason })) });
    else if (result.destroyed.length === 0) ctx.stdout('Nothing to destroy: no ended pickup still holds key material.\n');
    else ctx.stdout(result.destroyed.map((d) => `destroyed ${d.serial} (${d.reason})`).join('\n') + `\n${result.destroyed.length} destroyed.\n`);
    return 0;
  },
};
