import { describe, expect, it } from 'vitest';
import {
  type FieldError, SUBSCRIBER_TYPES, formatFieldErrors, validateSubscriber,
} from '../../src/pki/profiles.js';
import { FIELD_RULES } from '../../src/pki/subscriber-fields.js';
import { FULL_INPUT, NOW } from './support.js';

const validate = (input: unknown, allowedValidityYears?: number[]) =>
  validateSubscriber(input, { now: NOW, allowedValidityYears });

function errorsOf(input: unknown, allowed?: number[]): FieldError[] {
  const result = validate(input, allowed);
  if (result.ok) throw new Error('expected the input to be refused');
  return result.errors;
}

const fieldsOf = (errors: FieldError[]) => errors.map((e) => e.field);

describe('validateSubscriber: the field table', () => {
  for (const type of SUBSCRIBER_TYPES) {
    it(`accepts a complete "${type}" subscriber and keeps every value`, () => {
      const input = FULL_INPUT[type];
      const result = validate(input);
      if (!result.ok) throw new Error(formatFieldErrors(result.errors));
      const { type: _type, ...fields } = input;
      expect(result.subscriber).toMatchObject({ type, ...fields, validityYears: 2 });
      expect(result.subscriber.includeEmail).toBe('email' in input);
    });

    const required = Object.entries(FIELD_RULES)
      .filter(([, rules]) => rules[SUBSCRIBER_TYPES.indexOf(type)] === 'required')
      .map(([field]) => field);
    for (const field of required) {
      it(`refuses a "${type}" subscriber without ${field}`, () => {
        const input: Record<string, unknown> = { ...FULL_INPUT[type] };
        delete input[field];
        expect(errorsOf(input)).toEqual([{ field, message: `required for type "${type}"` }]);
      });
    }
  }

  it('refuses, never drops, a field the type does not allow', () => {
    const input = { ...FULL_INPUT.basic, nameJa: '山田 太郎' };
    expect(errorsOf(input)).toEqual([{ field: 'nameJa', message: 'not allowed for type "basic"' }]);
    expect(formatFieldErrors(errorsOf(input))).toBe('nameJa: not allowed for type "basic"');
  });

  it('refuses every forbidden field for each type', () => {
    const sample: Record<string, string> = {
      ...FULL_INPUT['org-employee'], department: '総務部', departmentAddress: '東京都', powerOfAttorney: 'あり',
    };
    for (const type of SUBSCRIBER_TYPES) {
      const forbidden = Object.entries(FIELD_RULES)
        .filter(([, rules]) => rules[SUBSCRIBER_TYPES.indexOf(type)] === 'forbidden')
        .map(([field]) => field);
      for (const field of forbidden) {
        const errors = errorsOf({ ...FULL_INPUT[type], [field]: sample[field] });
        expect(errors, `${type}.${field}`).toEqual([{ field, message: `not allowed for type "${type}"` }]);
      }
    }
  });

  it('defaults type to basic', () => {
    const result = validate({ nameRomaji: 'YAMADA TARO' });
    expect(result.ok && result.subscriber).toEqual({
      type: 'basic', nameRomaji: 'YAMADA TARO', includeEmail: false, validityYears: 2,
    });
  });

  it('refuses an unknown type and unknown keys', () => {
    expect(errorsOf({ type: 'corporate', nameRomaji: 'A' })).toEqual([
      { field: 'type', message: 'must be one of basic, individual, sole-proprietor, org-representative, org-employee' },
    ]);
    expect(errorsOf({ nameRomaji: 'A', name_ja: '山田', Email: 'a@example.jp' })).toEqual([
      { field: 'name_ja', message: 'unknown field' },
      { field: 'Email', message: 'unknown field' },
    ]);
  });

  it('refuses input that is not an object', () => {
    for (const input of [null, 'YAMADA', 42, ['YAMADA']]) {
      expect(errorsOf(input)).toEqual([{ field: '(input)', message: 'must be an object' }]);
    }
  });

  it('passes the mailing keys through untouched and outside the subscriber', () => {
    const mailing = {
      applicationCode: ' A-0001 ', postalAddress: '〒100-0005\n東京都千代田区丸の内1-1',
      proxyName: '代理 一郎', proxyPostalAddress: '〒530-0001 大阪府',
    };
    const result = validate({ ...FULL_INPUT.basic, ...mailing });
    if (!result.ok) throw new Error(formatFieldErrors(result.errors));
    expect(result.mailing).toEqual(mailing);
    expect(Object.keys(result.subscriber)).not.toContain('applicationCode');
    expect(errorsOf({ ...FULL_INPUT.basic, applicationCode: 12 })).toEqual([
      { field: 'applicationCode', message: 'must be a string' },
    ]);
  });

  it('reports every problem at once, one line each', () => {
    const errors = errorsOf({ type: 'individual', nameRomaji: 'yamada', gender: 'other', extra: 1 });
    expect(fieldsOf(errors)).toEqual(['extra', 'nameRomaji', 'nameJa', 'addressRomaji', 'addressJa', 'birthDate', 'gender']);
    expect(formatFieldErrors(errors).split('\n')).toHaveLength(7);
  });
});

describe('validateSubscriber: value rules', () => {
  const basic = (nameRomaji: unknown) => validate({ nameRomaji });

  it('accepts upper-case romaji with spaces, hyphens and apostrophes', () => {
    for (const name of ["O'BRIEN MARY-ANNE", 'YAMADA TARO', 'A']) expect(basic(name).ok).toBe(true);
  });

  it('refuses other romaji', () => {
    for (const name of ['Yamada Taro', 'YAMADA TARŌ', 'ヤマダ', 'YAMADA1', '-YAMADA', 'A'.repeat(65), 42]) {
      const errors = errorsOf({ nameRomaji: name });
      expect(fieldsOf(errors), String(name)).toEqual(['nameRomaji']);
    }
  });

  it('trims and NFC-normalises, so decomposed kana compare equal', () => {
    const decomposed = 'カ\u3099ク'; // カ + combining dakuten
    const result = validate({
      ...FULL_INPUT.individual, nameRomaji: '  YAMADA TARO ', nameJa: `\u3000${decomposed} `,
    });
    if (!result.ok) throw new Error(formatFieldErrors(result.errors));
    expect(result.subscriber.nameRomaji).toBe('YAMADA TARO');
    expect(result.subscriber.nameJa).toBe('ガク');
  });

  it('treats an empty or blank value as absent', () => {
    expect(validate({ ...FULL_INPUT.basic, nameJa: '  ', gender: null }).ok).toBe(true);
    expect(errorsOf({ nameRomaji: '   ' })).toEqual([{ field: 'nameRomaji', message: 'required for type "basic"' }]);
  });

  it('refuses control characters in free text', () => {
    const errors = errorsOf({ ...FULL_INPUT.individual, addressJa: '東京都\n千代田区' });
    expect(errors).toEqual([{ field: 'addressJa', message: 'must not contain control characters (line breaks, tabs)' }]);
  });

  it('checks birth dates: format, real date, not in the future (JST)', () => {
    const withDate = (birthDate: string) => validate({ ...FULL_INPUT.individual, birthDate });
    const message = (birthDate: string) => {
      const r = withDate(birthDate);
      return r.ok ? null : r.errors[0]!.message;
    };
    expect(message('1980/01/01')).toBe('must be a date in the form YYYY-MM-DD');
    expect(message('1981-02-29')).toBe('is not a real calendar date');
    expect(message('1980-13-01')).toBe('is not a real calendar date');
    expect(message('1899-12-31')).toBe('must be 1900-01-01 or later');
    expect(message('2026-04-02')).toBe('must not be in the future');
    expect(message('2026-04-01')).toBeNull();
    // 2026-03-31T20:00Z is already 1 April in Japan
    const lateUtc = Date.parse('2026-03-31T20:00:00Z');
    expect(validateSubscriber({ ...FULL_INPUT.individual, birthDate: '2026-04-01' }, { now: lateUtc }).ok).toBe(true);
  });

  it('checks gender, email and the corporate number', () => {
    expect(errorsOf({ ...FULL_INPUT.individual, gender: 'M' })).toEqual([
      { field: 'gender', message: 'must be "male" or "female"' },
    ]);
    expect(fieldsOf(errorsOf({ ...FULL_INPUT.basic, email: 'taro@' }))).toEqual(['email']);
    expect(fieldsOf(errorsOf({ ...FULL_INPUT.basic, email: 'たろう@example.jp' }))).toEqual(['email']);
    expect(errorsOf({ ...FULL_INPUT['org-representative'], corporateNumber: '7000012050003' })).toEqual([
      { field: 'corporateNumber', message: 'check digit does not match (expected 6)' },
    ]);
    expect(formatFieldErrors(errorsOf({ ...FULL_INPUT['org-representative'], corporateNumber: '8000012050002' })))
      .toBe('corporateNumber: check digit does not match (expected 7)');
  });

  it('defaults includeEmail to true with an email, and honours false', () => {
    const on = validate({ ...FULL_INPUT.basic });
    const off = validate({ ...FULL_INPUT.basic, includeEmail: false });
    expect(on.ok && on.subscriber.includeEmail).toBe(true);
    expect(off.ok && off.subscriber.includeEmail).toBe(false);
    expect(off.ok && off.subscriber.email).toBe('taro@example.jp');
    expect(errorsOf({ nameRomaji: 'A', includeEmail: true })).toEqual([
      { field: 'includeEmail', message: 'true requires an email' },
    ]);
    const noEmail = validate({ nameRomaji: 'A', includeEmail: false });
    expect(noEmail.ok && noEmail.subscriber.includeEmail).toBe(false);
    expect(errorsOf({ ...FULL_INPUT.basic, includeEmail: 'yes' })).toEqual([
      { field: 'includeEmail', message: 'must be true or false' },
    ]);
  });

  it('allows 2 or 3 validity years by default, others when configured', () => {
    expect(validate({ nameRomaji: 'A', validityYears: 3 }).ok).toBe(true);
    expect(errorsOf({ nameRomaji: 'A', validityYears: 5 })).toEqual([
      { field: 'validityYears', message: 'must be one of 2, 3' },
    ]);
    expect(errorsOf({ nameRomaji: 'A', validityYears: '3' })).toEqual([
      { field: 'validityYears', message: 'must be one of 2, 3' },
    ]);
    const configured = validate({ nameRomaji: 'A' }, [1, 5]);
    expect(configured.ok && configured.subscriber.validityYears).toBe(1);
    expect(validate({ nameRomaji: 'A', validityYears: 5 }, [1, 5]).ok).toBe(true);
  });
});
