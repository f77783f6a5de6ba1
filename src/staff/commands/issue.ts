import { formatFieldErrors, validateSubscriber } from '../../pki/profiles.js';
import { P12_PROFILES, type P12Profile } from '../../pki/p12.js';
import { mailingErrors, mailingWarnings } from '../../postal/addressing.js';
import { issueNewPickup, subscriberRules } from '../../services/issue-new.js';
import { runBatch } from '../batch.js';
import { UsageError, type Command } from '../context.js';
import { letterOptions, lettersDirOption } from '../delivery-output.js';
import { finishIssue } from '../finish-issue.js';
import { subscriberFlagOptions, subscriberInput } from '../subscriber-input.js';

export function p12ProfileOption(value: unknown): P12Profile {
  if (value === undefined) return 'compat';
  if (typeof value === 'string' && (P12_PROFILES as readonly string[]).includes(value)) return value as P12Profile;
  throw new UsageError(`--p12-profile must be one of ${P12_PROFILES.join(', ')}`);
}

const BATCH_FLAGS = new Set(['batch', 'p12-profile', 'letters-dir', 'no-letters', 'json']);

export const issue: Command = {
  name: 'issue',
  summary: 'Generate a key and certificate for one subscriber and create the pickup (prints URL, password, PIN).',
  usage:
    'issue --name-romaji "YAMADA TARO" [--email taro@example.jp] [--type basic|individual|sole-proprietor|org-representative|org-employee]\n' +
    '        [--validity-years 2|3] [--p12-profile compat|modern] [--in subscriber.json] [--no-include-email] [--json]\n' +
    '        [--name-ja ..] [--address-romaji ..] [--address-ja ..] [--birth-date YYYY-MM-DD] [--gender male|female]\n' +
    '        [--corporate-number ..] [--org-name ..] [--org-representative ..] [--org-address ..] [--department ..]\n' +
    '        [--department-address ..] [--title ..] [--power-of-attorney ..] [--application-code ..]\n' +
    '        [--postal-address ..] [--proxy-name ..] [--proxy-postal-address ..] [--letters-dir DIR] [--no-letters]\n' +
    '       issue --batch applicants.csv|applicants.jsonl [--p12-profile ..] [--letters-dir DIR] [--no-letters] [--json]\n' +
    '        (one pickup per row; CSV header / JSONL keys are the subscriber JSON keys plus applicationCode,\n' +
    '        postalAddress, proxyName, proxyPostalAddress; rows are numbered as in a spreadsheet, header = 1)',
  options: {
    ...subscriberFlagOptions,
    in: { type: 'string' },
    'validity-years': { type: 'string' },
    'no-include-email': { type: 'boolean' },
    'p12-profile': { type: 'string' },
    json: { type: 'boolean' },
    batch: { type: 'string' },
    ...letterOptions,
  },
  async run(ctx, args) {
    const profile = p12ProfileOption(args.values['p12-profile']);
    if (typeof args.values.batch === 'string') {
      const stray = Object.keys(args.values).filter((k) => !BATCH_FLAGS.has(k));
      if (stray.length > 0) throw new UsageError(`--batch reads the subscribers from the file: drop --${stray.join(', --')}`);
      const lettersDir = lettersDirOption(args, (await ctx.deps()).config);
      return runBatch(ctx, { file: args.values.batch, p12Profile: profile, lettersDir, json: args.values.json === true });
    }
    const input = subscriberInput(args);
    if (Object.keys(input).length === 0) throw new UsageError('say who the certificate is for: --name-romaji "YAMADA TARO", or --in subscriber.json');
    const deps = (await ctx.deps());
    const checked = validateSubscriber(input, subscriberRules(deps));
    const refused = checked.ok ? mailingErrors(checked.mailing) : checked.errors;
    if (!checked.ok || refused.length > 0) {
      ctx.stderr(`staff issue: the subscriber was refused:\n${formatFieldErrors(refused)}\n`);
      return 1;
    }
    const { subscriber, mailing } = checked;
    const lettersDir = lettersDirOption(args, deps.config);
    if (lettersDir !== null) for (const w of mailingWarnings(mailing)) ctx.stderr(`staff issue: warning: ${w}\n`);
    const issued = await issueNewPickup(deps, ctx.issuingCa(), subscriber, {
      p12Profile: profile,
      applicationCode: mailing.applicationCode ?? null,
      mailing: Object.keys(mailing).length > 0 ? mailing : null,
    });
    return finishIssue(ctx, deps, issued, {
      lettersDir,
      json: args.values.json === true,
      name: subscriber.nameRomaji,
      extra: { type: subscriber.type, applicationCode: mailing.applicationCode ?? null },
    });
  },
};
