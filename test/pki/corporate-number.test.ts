import { describe, expect, it } from 'vitest';
import { checkCorporateNumber, corporateNumberCheckDigit } from '../../src/pki/corporate-number.js';

describe('corporate number', () => {
  it('accepts the worked example and computes its check digit', () => {
    expect(corporateNumberCheckDigit('000012050002')).toBe(7);
    expect(checkCorporateNumber('7000012050002')).toBeNull();
  });

  it('accepts a number whose check digit is computed from scratch', () => {
    // 1,2,3 at n = 3,2,1: 1*1 + 2*2 + 3*1 = 8 -> 9 - 8 = 1
    expect(checkCorporateNumber('1000000000123')).toBeNull();
    expect(checkCorporateNumber('2000000000123')).toBe('check digit does not match (expected 1)');
  });

  it('refuses a wrong check digit and names the expected one', () => {
    expect(checkCorporateNumber('7000012050003')).toBe('check digit does not match (expected 6)');
    expect(checkCorporateNumber('8000012050002')).toBe('check digit does not match (expected 7)');
  });

  it('handles a remainder of zero as check digit 9', () => {
    // base digits summing to a multiple of 9: 9 at n=1 (Q=1) -> sum 9 -> 9 - 0 = 9
    expect(corporateNumberCheckDigit('000000000009')).toBe(9);
    expect(checkCorporateNumber('9000000000009')).toBeNull();
  });

  it('weights even positions (from the right) by 2', () => {
    // 1 at n=2 -> 2 -> 9 - 2 = 7; 1 at n=1 -> 1 -> 8
    expect(corporateNumberCheckDigit('000000000010')).toBe(7);
    expect(corporateNumberCheckDigit('000000000001')).toBe(8);
  });

  it('refuses wrong lengths', () => {
    expect(checkCorporateNumber('700001205000')).toBe('must be exactly 13 digits (got 12)');
    expect(checkCorporateNumber('70000120500021')).toBe('must be exactly 13 digits (got 14)');
    expect(checkCorporateNumber('')).toBe('must be exactly 13 digits (got 0)');
  });

  it('refuses non-digits, including full-width digits and separators', () => {
    expect(checkCorporateNumber('700001205000A')).toBe('must contain only the digits 0-9');
    expect(checkCorporateNumber('７００００１２０５０００２')).toBe('must contain only the digits 0-9');
    expect(checkCorporateNumber('7000-0120-50002')).toBe('must contain only the digits 0-9');
    expect(checkCorporateNumber('+700001205000')).toBe('must contain only the digits 0-9');
  });
});
