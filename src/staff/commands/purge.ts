import { sweepKeyMaterial } from '../../services/sweep.js';
import { printJson, type Command } from '../context.js';

export const purge: Command = {
  name: 'purge',
  summary: 'Destroy the key material, letters and outbox mails of every ended pickup (idempotent; the server also does this on a timer).',
  usage: 'purge [--json]',
  options: { json: { type: 'boolean' } },
  async run(ctx, args) {
    const result = await sweepKeyMaterial((await ctx.deps()));
    const { deleted, failed } = result.files;
    if (args.values.json) {
      printJson(ctx, {
        destroyed: result.destroyed.map(({ serial, reason }) => ({ serial, reason })),
        filesDeleted: deleted.map((f) => f.path),
        filesFailed: failed.map(({ file, error }) => ({ file: file.path, error })),
        walClean: result.walClean,
      });
    } else {
      const lines = [
        ...result.destroyed.map((d) => `destroyed ${d.serial} (${d.reason})`),
        result.destroyed.length === 0 ? 'No ended pickup still held key material.' : `${result.destroyed.length} destroyed.`,
        ...deleted.map((f) => `deleted ${f.path}`),
        ...failed.map(({ file, error }) => `NOT DELETED ${file.path}: ${error}`),
        ...(result.walClean ? [] : ['The database WAL could not be truncated yet (a reader, e.g. a backup, holds it); the next sweep tries again.']),
      ];
      ctx.stdout(lines.join('\n') + '\n');
    }
    return failed.length > 0 ? 1 : 0;
  },
};
