import fs from 'node:fs';
import { UsageError, type ParsedArgs } from './context.js';

/** Subscriber JSON keys that also exist as --kebab-case flags on `issue`. */
export const SUBSCRIBER_FLAGS = {
  type: 'type',
  'name-romaji': 'nameRomaji',
  'name-ja': 'nameJa',
  'address-romaji': 'addressRomaji',
  'address-ja': 'addressJa',
  'birth-date': 'birthDate',
  gender: 'gender',
  email: 'email',
  'corporate-number': 'corporateNumber',
  'org-name': 'orgName',
  'org-representative': 'orgRepresentative',
  'org-address': 'orgAddress',
  department: 'department',
  'department-address': 'departmentAddress',
  title: 'title',
  'power-of-attorney': 'powerOfAttorney',
  'application-code': 'applicationCode',
  'postal-address': 'postalAddress',
  'proxy-name': 'proxyName',
  'proxy-postal-address': 'proxyPostalAddress',
} as const;

export const subscriberFlagOptions = Object.fromEntries(
  Object.keys(SUBSCRIBER_FLAGS).map((flag) => [flag, { type: 'string' as const }]),
);

/** Reads `--in subscriber.json` and lays the flags over it, flags winning. */
export function subscriberInput(args: ParsedArgs): Record<string, unknown> {
  let input: Record<string, unknown> = {};
  const file = args.values.in;
  if (typeof file === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new UsageError(`--in ${file}: ${(err as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--in ${file}: expected one JSON object`);
    input = parsed as Record<string, unknown>;
  }
  for (const [flag, key] of Object.entries(SUBSCRIBER_FLAGS)) {
    const value = args.values[flag];
    if (typeof value === 'string') input[key] = value;
  }
  const years = args.values['validity-years'];
  if (typeof years === 'string') {
    if (!/^\d+$/.test(years)) throw new UsageError('--validity-years must be a whole number of years');
    input.validityYears = Number(years);
  }
  if (args.values['no-include-email'] === true) input.includeEmail = false;
  return input;
}
