import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { ZodType } from 'zod';
import fs from 'node:fs';
import { keyMatchesCertificate, parseChain, summarizeCertificate } from '../../pki/certificate.js';
import { expiryFor } from '../../pickup/state.js';
import { createPickup } from '../../services/create-pickup.js';
import { mailingErrors } from '../../postal/addressing.js';
import { formatFieldErrors, type Mailing } from '../../pki/profiles.js';
import { UsageError, type Command } from '../context.js';
import { letterOptions, lettersDirOption } from '../delivery-output.js';
import { finishIssue } from '../finish-issue.js';
import { orderChain, type OrderedChain } from '../../pki/chain.js';
import { fieldSchemas } from '../../pki/subscriber-fields.js';
import { MINUTE } from '../../lib/clock.js';
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
    const profile = p12ProfileOption(args.values['p12-profile']);
    const keyPem = normalizeKey(readFile(args.values.key, '--key'));
    const [certPem, ...extraCerts] = pemCertificates(readFile(args.values.cert, '--cert'), '--cert');
    if (!certPem) throw new UsageError('--cert holds no PEM certificate');
    const candidates = [...extraCerts, ...(typeof args.values.chain === 'string' ? pemCertificates(readFile(args.values.chain, '--chain'), '--chain') : [])];
    if (!keyMatchesCertificate(keyPem, certPem)) throw new UsageError('the key in --key does not belong to the certificate in --cert');
    const leaf = new X509Certificate(certPem);
    if (leaf.ca) throw new UsageError('--cert is a CA certificate (basicConstraints CA:TRUE): only subscriber certificates are handed out');
    let ordered: OrderedChain;
    try {
      ordered = orderChain(certPem, candidates);
    } catch (err) {
      throw new UsageError(`--chain: ${(err as Error).message}`);
    }
    const deps = ctx.deps();
    const lettersDir = lettersDirOption(args, deps.config);
    const now = deps.clock();
    const summary = summarizeCertificate(certPem);
    if (summary.notAfter <= now) throw new UsageError(`the certificate expired on ${new Date(summary.notAfter).toISOString()}`);
    const issuedAt = issuedAtOption(args.values['issued-at'], summary.notBefore, now);
    if (expiryFor(issuedAt) <= now) throw new UsageError('30 days from the issuance date have already passed: the pickup would be dead on arrival');

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
    if (!ordered.reachesRoot) ctx.stderr('staff import: warning: the chain does not reach a self-signed root; importers may not trust the certificate\n');

    const cn = /CN=([^,]+)/.exec(summary.subject)?.[1] ?? summary.subject;
    const issued = await createPickup(deps, {
      keyPem,
      certPem,
      chainPems: ordered.chain,
      certType: 'imported',
      nameRomaji: cn,
      nameJa: nameJa ?? null,
      email: email ?? null,
      applicationCode: mailing.applicationCode ?? null,
      mailing: Object.keys(mailing).length > 0 ? mailing : null,
      issuedAt,
      p12Profile: profile,
    });
    return finishIssue(ctx, deps, issued, {
      lettersDir,
      json: args.values.json === true,
      name: cn,
      extra: { type: 'imported' },
    });
  },
};

const CLOCK_SKEW_MS = 5 * MINUTE;

function pemCertificates(text: string, flag: string): string[] {
  try {
    const pems = parseChain(text);
    for (const pem of pems) new X509Certificate(pem);
    return pems;
  } catch (err) {
    throw new UsageError(`${flag}: not a readable PEM certificate (${(err as Error).message.split('\n')[0]})`);
  }
}

/**
 * The 30 days count from the certificate's notBefore, or from --issued-at. Neither may lie in
 * the future (beyond a little clock skew): that would stretch the URL's life past 30 days.
 */
function issuedAtOption(flag: unknown, notBefore: number, now: number): number {
  let issuedAt = notBefore;
  if (typeof flag === 'string') {
    issuedAt = Date.parse(flag);
    if (!Number.isFinite(issuedAt)) throw new UsageError('--issued-at must be an ISO-8601 date and time, e.g. 2026-11-26T10:00:00+09:00');
  }
  if (issuedAt > now + CLOCK_SKEW_MS) {
    throw new UsageError(`the issuance date ${new Date(issuedAt).toISOString()} is in the future: the pickup's 30 days must start by now`);
  }
  return Math.min(issuedAt, now);
}

function checked(schema: ZodType<string>, value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`${flag}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}
