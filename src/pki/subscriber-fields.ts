import * as z from 'zod';
import { checkCorporateNumber } from './corporate-number.js';
import { formatDateOnly } from '../i18n/format.js';

export const SUBSCRIBER_TYPES = [
  'basic', 'individual', 'sole-proprietor', 'org-representative', 'org-employee',
] as const;
export type SubscriberType = (typeof SUBSCRIBER_TYPES)[number];

type Rule = 'required' | 'optional' | 'forbidden';
const R: Rule = 'required';
const O: Rule = 'optional';
const X: Rule = 'forbidden';

/** The issue tracker's field table; columns follow SUBSCRIBER_TYPES. */
export const FIELD_RULES = {
  nameRomaji: [R, R, R, R, R],
  nameJa: [X, R, R, R, R],
  addressRomaji: [X, R, R, R, R],
  addressJa: [X, R, R, R, R],
  birthDate: [X, R, R, R, R],
  gender: [X, O, O, O, O],
  email: [O, O, O, O, O],
  corporateNumber: [X, X, X, R, R],
  orgName: [X, X, R, R, R],
  orgRepresentative: [X, X, R, R, R],
  orgAddress: [X, X, R, R, R],
  department: [X, X, X, X, O],
  departmentAddress: [X, X, X, X, O],
  title: [X, X, X, R, O],
  powerOfAttorney: [X, X, X, X, O],
} as const satisfies Record<string, readonly Rule[]>;

export type TextField = keyof typeof FIELD_RULES;
export const TEXT_FIELDS = Object.keys(FIELD_RULES) as TextField[];

export const ruleFor = (field: TextField, type: SubscriberType): Rule =>
  FIELD_RULES[field][SUBSCRIBER_TYPES.indexOf(type)]!;

const noControl = (s: string) => !/[\u0000-\u001f\u007f-\u009f]/.test(s);

// Length limits follow the X.520 upper bounds where the value lands in the subject DN.
const text = (max: number) =>
  z.string({ error: 'must be a string' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine(noControl, { error: 'must not contain control characters (line breaks, tabs)' });

/** YYYY-MM-DD in JST: a birth date is a Japanese calendar date, not a UTC instant. */
export function todayInJapan(now: number): string {
  return formatDateOnly(now);
}

function isCalendarDate(s: string): boolean {
  const date = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === s;
}

function birthDate(now: number) {
  return z.string({ error: 'must be a string' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date in the form YYYY-MM-DD', abort: true })
    .refine(isCalendarDate, { error: 'is not a real calendar date', abort: true })
    .refine((s) => s >= '1900-01-01', { error: 'must be 1900-01-01 or later' })
    .refine((s) => s <= todayInJapan(now), { error: 'must not be in the future' });
}

export function fieldSchemas(now: number): Record<TextField, z.ZodType<string>> {
  return {
    nameRomaji: z.string({ error: 'must be a string' })
      .max(64, { error: 'must be at most 64 characters' })
      .regex(/^[A-Z][A-Z '-]*$/, {
        error: 'must use upper-case A-Z, spaces, hyphens and apostrophes only, starting with a letter',
      }),
    nameJa: text(64),
    addressRomaji: text(256),
    addressJa: text(128),
    birthDate: birthDate(now),
    gender: z.enum(['male', 'female'], { error: 'must be "male" or "female"' }),
    email: z.email({ error: 'must be an e-mail address (ASCII only)' })
      .max(254, { error: 'must be at most 254 characters' }),
    corporateNumber: z.string({ error: 'must be a string' })
      .superRefine((s, ctx) => {
        const problem = checkCorporateNumber(s);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    orgName: text(64),
    orgRepresentative: text(128),
    orgAddress: text(256),
    department: text(64),
    departmentAddress: text(256),
    title: text(64),
    powerOfAttorney: text(1024),
  };
}
