import {
  type SubscriberType, type TextField, SUBSCRIBER_TYPES, TEXT_FIELDS, fieldSchemas, ruleFor,
} from './subscriber-fields.js';

export { SUBSCRIBER_TYPES, type SubscriberType } from './subscriber-fields.js';

/** A validated subscriber: strings are trimmed and NFC-normalised; see FIELD_RULES for presence. */
export interface Subscriber {
  type: SubscriberType;
  nameRomaji: string;
  nameJa?: string;
  addressRomaji?: string;
  addressJa?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  gender?: 'male' | 'female';
  email?: string;
  /** Put email in subjectAltName; always false when there is no email. */
  includeEmail: boolean;
  corporateNumber?: string;
  orgName?: string;
  orgRepresentative?: string;
  orgAddress?: string;
  department?: string;
  departmentAddress?: string;
  title?: string;
  powerOfAttorney?: string;
  validityYears: number;
}

export const MAILING_KEYS = ['applicationCode', 'postalAddress', 'proxyName', 'proxyPostalAddress'] as const;
export type MailingKey = (typeof MAILING_KEYS)[number];
/** Passed through exactly as received (not trimmed or normalised); only checked to be strings. */
export type Mailing = Partial<Record<MailingKey, string>>;

export interface FieldError {
  field: string;
  message: string;
}

export interface ValidateOptions {
  /** Clock for the "birth date not in the future" rule. */
  now: number;
  /** Allowed validity periods; the first is the default. Defaults to [2, 3]. */
  allowedValidityYears?: number[];
}

export type ValidationResult =
  | { ok: true; subscriber: Subscriber; mailing: Mailing }
  | { ok: false; errors: FieldError[] };

const KNOWN_KEYS = new Set<string>(['type', 'includeEmail', 'validityYears', ...TEXT_FIELDS]);

/** Absent = undefined, null, or a string that is empty after trimming (an empty CSV cell). */
function normalise(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? undefined;
  const trimmed = value.normalize('NFC').trim();
  return trimmed === '' ? undefined : trimmed;
}

export function validateSubscriber(input: unknown, opts: ValidateOptions): ValidationResult {
  const allowedYears = opts.allowedValidityYears ?? [2, 3];
  if (allowedYears.length === 0) throw new RangeError('allowedValidityYears must not be empty');
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ field: '(input)', message: 'must be an object' }] };
  }
  const raw = input as Record<string, unknown>;
  const errors: FieldError[] = [];
  const mailing: Mailing = {};
  for (const [key, value] of Object.entries(raw)) {
    if ((MAILING_KEYS as readonly string[]).includes(key)) {
      if (typeof value === 'string') mailing[key as MailingKey] = value;
      else if (value != null) errors.push({ field: key, message: 'must be a string' });
    } else if (!KNOWN_KEYS.has(key)) errors.push({ field: key, message: 'unknown field' });
  }

  const typeValue = normalise(raw.type) ?? 'basic';
  if (!SUBSCRIBER_TYPES.includes(typeValue as SubscriberType)) {
    errors.push({ field: 'type', message: `must be one of ${SUBSCRIBER_TYPES.join(', ')}` });
    return { ok: false, errors };
  }
  const type = typeValue as SubscriberType;
  const schemas = fieldSchemas(opts.now);
  const values: Partial<Record<TextField, string>> = {};
  for (const field of TEXT_FIELDS) {
    const value = normalise(raw[field]);
    const rule = ruleFor(field, type);
    if (value === undefined) {
      if (rule === 'required') errors.push({ field, message: `required for type "${type}"` });
      continue;
    }
    if (rule === 'forbidden') {
      errors.push({ field, message: `not allowed for type "${type}"` });
      continue;
    }
    const parsed = schemas[field].safeParse(value);
    if (parsed.success) values[field] = parsed.data;
    else errors.push({ field, message: parsed.error.issues[0]?.message ?? 'is invalid' });
  }

  const includeEmail = raw.includeEmail ?? undefined;
  if (includeEmail !== undefined && typeof includeEmail !== 'boolean') {
    errors.push({ field: 'includeEmail', message: 'must be true or false' });
  } else if (includeEmail === true && normalise(raw.email) === undefined) {
    // false without an email is harmless (a "--no-include-email" default); true asks the impossible
    errors.push({ field: 'includeEmail', message: 'true requires an email' });
  }

  const years = raw.validityYears ?? allowedYears[0];
  if (typeof years !== 'number' || !allowedYears.includes(years)) {
    errors.push({ field: 'validityYears', message: `must be one of ${allowedYears.join(', ')}` });
  }

  if (errors.length > 0) return { ok: false, errors };
  const subscriber = {
    type,
    ...values,
    includeEmail: values.email !== undefined && includeEmail !== false,
    validityYears: years as number,
  } as Subscriber;
  return { ok: true, subscriber, mailing };
}

/** One line per error: `field: message`. */
export const formatFieldErrors = (errors: FieldError[]): string =>
  errors.map((e) => `${e.field}: ${e.message}`).join('\n');
