import path from 'node:path';
import type { P12Profile } from '../pki/p12.js';
import { readBatchFile } from './batch-input.js';
import { runBatchRows } from './batch.js';
import type { CommandContext } from './context.js';
import { MANIFEST_KEYS, planImport } from './import-plan.js';

export type ImportBatchOptions = { file: string; p12Profile: P12Profile; lettersDir: string | null; json: boolean };

/**
 * `import --batch MANIFEST`: one pickup per row for keys and certificates another CA issued.
 * Rows are checked as a single `import` checks them, then imported all-or-nothing by the same
 * machinery as `issue --batch` (progress bar, letters, mail, Ctrl-C), resumable by application code.
 */
export async function runImportBatch(ctx: CommandContext, o: ImportBatchOptions): Promise<number> {
  const rows = readBatchFile(o.file, { keys: MANIFEST_KEYS, described: 'the manifest keys' });
  const deps = (await ctx.deps());
  const plan = await planImport(deps, rows, path.dirname(path.resolve(o.file)), o.p12Profile);
  return runBatchRows(ctx, deps, plan, o);
}
