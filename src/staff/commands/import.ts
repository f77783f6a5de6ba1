import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import { keyMatchesCertificate, parseChain, summarizeCertificate } from '../../pki/certificate.js';
import { expiryFor } from '../../pickup/state.js';
import { createPickup } from '../../services/create-pickup.js';
import { mailingErrors } from '../../letters/addressing.js';
import { createMailer } from '../../mail/transport.js';
import { formatFieldErrors, type Mailing } from '../../pki/profiles.js';
import { deliverIssued } from '../../services/deliver-issued.js';
import { printJson, UsageError, type Command } from '../context.js';
import { deliveryJson, deliveryLines, letterOptions, lettersDirOption } from '../delivery-output.js';
import { issuedJson, issuedText } from '../present.js';
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
    const certPem = parseChain(readFile(args.values.cert, '--cert'))[0];
    if (!certPem) throw new UsageError('--cert holds no PEM certificate');
    const chainPems = typeof args.values.chain === 'string' ? parseChain(readFile(args.values.chain, '--chain')) : [];
    if (!keyMatchesCertificate(keyPem, certPem)) throw new UsageError('the key in --key does not belong to the certificate in --cert');
    const summary = summarizeCertificate(certPem);
    let issuedAt = summary.notBefore;
    const issuedFlag = args.values['issued-at'];
    if (typeof issuedFlag === 'string') {
      issuedAt = Date.parse(issuedFlag);
      if (!Number.isFinite(issuedAt)) throw new UsageError('--issued-at must be an ISO-8601 date and time, e.g. 2026-11-26T10:00:00+09:00');
    }
    const deps = ctx.deps();
    if (expiryFor(issuedAt) <= deps.clock()) throw new UsageError('30 days from the issuance date have already passed: the pickup would be dead on arrival');
    const email = typeof args.values.email === 'string' ? args.values.email : null;
    const text = (flag: string) => (typeof args.values[flag] === 'string' ? (args.values[flag] as string) : undefined);
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
    const cn = /CN=([^,]+)/.exec(summary.subject)?.[1] ?? summary.subject;
    const issued = await createPickup(deps, {
      keyPem,
      certPem,
      chainPems,
      certType: 'imported',
      nameRomaji: cn,
      nameJa: typeof args.values['name-ja'] === 'string' ? args.values['name-ja'] : null,
      email,
      applicationCode: mailing.applicationCode ?? null,
      mailing: Object.keys(mailing).length > 0 ? mailing : null,
      issuedAt,
      p12Profile: profile,
    });
    const mailer = createMailer(deps.config);
    const delivery = await deliverIssued(deps, mailer, issued, lettersDirOption(args, deps.config.dataDir)).finally(() => mailer.close());
    if (args.values.json) printJson(ctx, { ...issuedJson(issued, { type: 'imported' }), ...deliveryJson(delivery) });
    else ctx.stdout(issuedText(issued, cn) + deliveryLines(delivery).join('\n') + '\n');
    return delivery.letters.status === 'failed' ? 3 : 0;
  },
};
