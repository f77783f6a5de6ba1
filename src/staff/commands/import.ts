import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import type { ZodType } from 'zod';
import { parseChain } from '../../pki/certificate.js';
import type { Mailing } from '../../pki/profiles.js';
import { fieldSchemas } from '../../pki/subscriber-fields.js';
import { importPickup } from '../../services/import-pickup.js';
import { UsageError, type Command } from '../context.js';
import { letterOptions, lettersDirOption } from '../delivery-output.js';
import { finishIssue } from '../finish-issue.js';
import { p12ProfileOption } from './issue.js';

function readFile(file: unknown, flag: string): string {
  if (typeof file !== 'string') throw new UsageError(`${flag} is required`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function normalizeKey(pem: string): string {
  try {
    return createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch {
    throw new UsageError('--key is not an unencrypted PEM private key (decrypt it first: openssl pkey -in key.pem -out plain.pem)');
  }
}

function pemCertificates(text: string, flag: string): string[] {
  try {
    const pems = parseChain(text);
    for (const pem of pems) new X509Certificate(pem);
    return pems;
  } catch (err) {
    throw new UsageError(`${flag}: not a readable PEM certificate (${(err as Error).message.split('\n')[0]})`);
  }
}

function issuedAtOption(flag: unknown): number | null {
  if (typeof flag !== 'string') return null;
  const at = Date.parse(flag);
  if (!Number.isFinite(at)) throw new UsageError('--issued-at must be an ISO-8601 date and time, e.g. 2026-11-26T10:00:00+09:00');
  return at;
}

function checked(schema: ZodType<string>, value: string | undefined, flag: string): string | null {
  if (value === undefined) return null;
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`${flag}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'Create a pickup for a key and certificate issued by another CA.',
  usage:
    'import --key key.pem --cert cert.pem [--chain chain.pem] [--email addr] [--name-ja ..] [--issued-at ISO-8601]\n' +
    '        [--application-code ..] [--postal-address ..] [--proxy-name ..] [--proxy-postal-address ..]\n' +
    '        [--letters-dir DIR] [--no-letters] [--p12-profile compat|modern] [--json]',
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
    ...letterOptions,
  },
  async run(ctx, args) {
    const p12Profile = p12ProfileOption(args.values['p12-profile']);
    const keyPem = normalizeKey(readFile(args.values.key, '--key'));
    const [certPem, ...extraCerts] = pemCertificates(readFile(args.values.cert, '--cert'), '--cert');
    if (!certPem) throw new UsageError('--cert holds no PEM certificate');
    const chainPems = typeof args.values.chain === 'string' ? pemCertificates(readFile(args.values.chain, '--chain'), '--chain') : [];
    const text = (flag: string) => (typeof args.values[flag] === 'string' ? (args.values[flag] as string) : undefined);
    const deps = ctx.deps();
    const fields = fieldSchemas(deps.clock());
    const mailing: Mailing = Object.fromEntries(
      Object.entries({
        applicationCode: text('application-code'),
        postalAddress: text('postal-address'),
        proxyName: text('proxy-name'),
        proxyPostalAddress: text('proxy-postal-address'),
      }).filter(([, v]) => v !== undefined),
    );
    const imported = await importPickup(deps, {
      keyPem,
      certPem,
      otherCertPems: [...extraCerts, ...chainPems],
      issuedAt: issuedAtOption(args.values['issued-at']),
      email: checked(fields.email, text('email'), '--email'),
      nameJa: checked(fields.nameJa, text('name-ja'), '--name-ja'),
      mailing,
      p12Profile,
    });
    for (const warning of imported.warnings) ctx.stderr(`staff import: warning: ${warning}\n`);
    return finishIssue(ctx, deps, imported.issued, {
      lettersDir: lettersDirOption(args, deps.config.dataDir),
      json: args.values.json === true,
      name: imported.name,
      extra: { type: 'imported' },
    });
  },
};
