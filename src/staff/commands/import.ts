import type { ZodType } from 'zod';
import fs from 'node:fs';
import { checkImport, ImportRefusal, type CheckedImport, type ImportPart } from '../../services/import-check.js';
import { mailingErrors } from '../../postal/addressing.js';
import { formatFieldErrors, type Mailing } from '../../pki/profiles.js';
import { UsageError, type Command } from '../context.js';
import { letterOptions, lettersDirOption } from '../delivery-output.js';
import { finishIssue } from '../finish-issue.js';
import { fieldSchemas } from '../../pki/subscriber-fields.js';
import { importPickup } from '../../services/import-pickup.js';
import { p12ProfileOption } from './issue.js';
import { runImportBatch } from '../import-batch.js';

function readFile(file: unknown, flag: string): string {
  if (typeof file !== 'string') throw new UsageError(`${flag} is required`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const FLAGS: Record<ImportPart, string> = { key: '--key', cert: '--cert', chain: '--chain', issuedAt: '--issued-at', p12: '--key' };
const BATCH_FLAGS = new Set(['batch', 'p12-profile', 'letters-dir', 'no-letters', 'json']);

export const importCommand: Command = {
  name: 'import',
  summary: 'Create a pickup for a key and certificate issued by another CA.',
  usage:
    'import --key key.pem --cert cert.pem [--chain chain.pem] [--email addr] [--name-ja ..] [--issued-at ISO-8601]\n' +
    '        [--application-code ..] [--postal-address ..] [--proxy-name ..] [--proxy-postal-address ..]\n' +
    '        [--letters-dir DIR] [--no-letters] [--p12-profile compat|modern] [--json]\n' +
    '       import --batch manifest.csv|manifest.jsonl [--p12-profile ..] [--letters-dir DIR] [--no-letters] [--json]\n' +
    '        (one pickup per row: applicationCode, keyFile + certFile [+ chainFile] or p12File + p12Password,\n' +
    '        and the mailing fields of issue --batch; paths are relative to the manifest\'s folder)',
  options: {
    key: { type: 'string' },
    cert: { type: 'string' },
    chain: { type: 'string' },
    email: { type: 'string' },
    'name-ja': { type: 'string' },
    'issued-at': { type: 'string' },
    'application-code': { type: 'string' },
    'postal-address': { type: 'string' },
    'proxy-name': { type: 'string' },
    'proxy-postal-address': { type: 'string' },
    'p12-profile': { type: 'string' },
    json: { type: 'boolean' },
    batch: { type: 'string' },
    ...letterOptions,
  },
  async run(ctx, args) {
    const profile = p12ProfileOption(args.values['p12-profile']);
    if (typeof args.values.batch === 'string') {
      const stray = Object.keys(args.values).filter((k) => !BATCH_FLAGS.has(k));
      if (stray.length > 0) throw new UsageError(`--batch reads the keys and certificates from the manifest: drop --${stray.join(', --')}`);
      const lettersDir = lettersDirOption(args, (await ctx.deps()).config);
      return runImportBatch(ctx, { file: args.values.batch, p12Profile: profile, lettersDir, json: args.values.json === true });
    }
    const source = {
      keyPem: readFile(args.values.key, '--key'),
      certText: readFile(args.values.cert, '--cert'),
      chainText: typeof args.values.chain === 'string' ? readFile(args.values.chain, '--chain') : null,
      issuedAt: typeof args.values['issued-at'] === 'string' ? args.values['issued-at'] : null,
    };
    const deps = (await ctx.deps());
    const lettersDir = lettersDirOption(args, deps.config);
    const now = deps.clock();
    let checkedImport: CheckedImport;
    try {
      checkedImport = checkImport(source, now);
    } catch (err) {
      if (err instanceof ImportRefusal) throw new UsageError(`${FLAGS[err.part]}: ${err.message}`);
      throw err;
    }

    const fields = fieldSchemas(now);
    const text = (flag: string) => (typeof args.values[flag] === 'string' ? (args.values[flag] as string) : undefined);
    const email = checked(fields.email, text('email'), '--email');
    const nameJa = checked(fields.nameJa, text('name-ja'), '--name-ja');
    const mailing: Mailing = Object.fromEntries(
      Object.entries({
        applicationCode: text('application-code'),
        postalAddress: text('postal-address'),
        proxyName: text('proxy-name'),
        proxyPostalAddress: text('proxy-postal-address'),
      }).filter(([, v]) => v !== undefined),
    );
    const refused = mailingErrors(mailing);
    if (refused.length > 0) throw new UsageError(formatFieldErrors(refused).replaceAll('\n', '; '));
    if (!checkedImport.reachesRoot) ctx.stderr('staff import: warning: the chain does not reach a self-signed root; importers may not trust the certificate\n');

    const issued = await importPickup(deps, checkedImport, { email: email ?? null, nameJa: nameJa ?? null, mailing, p12Profile: profile });
    return finishIssue(ctx, deps, issued, {
      lettersDir,
      json: args.values.json === true,
      name: checkedImport.name,
      extra: { type: 'imported' },
    });
  },
};

function checked(schema: ZodType<string>, value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`${flag}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}
