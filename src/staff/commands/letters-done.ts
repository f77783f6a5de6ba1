import { deleteTrackedFiles, thisHost } from '../../services/pickup-files.js';
import { printJson, UsageError, type Command } from '../context.js';
import { resolveReference } from '../reference.js';

export const lettersDone: Command = {
  name: 'letters-done',
  summary: 'Delete the letter files of pickups whose letters are printed (or of all of them).',
  usage: 'letters-done <serial or application code>... | --all-printed [--json]',
  options: { 'all-printed': { type: 'boolean' }, json: { type: 'boolean' } },
  allowPositionals: true,
  async run(ctx, args) {
    const all = args.values['all-printed'] === true;
    if (all === args.positionals.length > 0) {
      throw new UsageError('name the pickups whose letters are printed (letters-done <serial>...), or say --all-printed');
    }
    const deps = (await ctx.deps());
    const ids = all ? null : await Promise.all(args.positionals.map(async (ref) => (await resolveReference(deps.store, ref)).id));
    const host = thisHost();
    const now = deps.clock();
    const result = await deleteTrackedFiles(deps, await deps.store.listKeptFiles(host, ids, ['letter']), now, 'printed (letters-done)');
    const elsewhere = await deps.store.countKeptFilesElsewhere(host, ids, ['letter']);
    const serials = new Map<string, string>();
    for (const f of [...result.deleted, ...result.failed.map((x) => x.file)]) {
      if (!serials.has(f.pickupId)) serials.set(f.pickupId, (await deps.store.findPickupById(f.pickupId))?.serial ?? f.pickupId);
    }
    const serial = (pickupId: string) => serials.get(pickupId) ?? pickupId;
    if (args.values.json) {
      printJson(ctx, {
        deleted: result.deleted.map((f) => ({ serial: serial(f.pickupId), file: f.path })),
        failed: result.failed.map(({ file, error }) => ({ serial: serial(file.pickupId), file: file.path, error })),
        onOtherHosts: elsewhere,
      });
    } else {
      const lines = [
        ...result.deleted.map((f) => `deleted ${f.path}`),
        ...result.failed.map(({ file, error }) => `NOT DELETED ${file.path}: ${error}`),
        result.deleted.length === 0 && result.failed.length === 0 ? 'No letter files on record here: nothing to delete.' : `${result.deleted.length} letter file(s) deleted.`,
        ...(elsewhere > 0 ? [`${elsewhere} letter file(s) were written on another machine: run letters-done there.`] : []),
      ];
      ctx.stdout(lines.join('\n') + '\n');
    }
    return result.failed.length > 0 ? 1 : 0;
  },
};
