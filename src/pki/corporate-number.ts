/**
 * Japanese corporate number (法人番号): 13 digits, the FIRST being a check digit over the
 * other twelve. Check digit = 9 - (Σ Pn×Qn mod 9), n counted from the right (n = 1 is the
 * last digit), Qn = 1 for odd n and 2 for even n.
 */
export function corporateNumberCheckDigit(base12: string): number {
  if (!/^[0-9]{12}$/.test(base12)) throw new RangeError('expected 12 digits');
  let sum = 0;
  for (let n = 1; n <= 12; n++) {
    const digit = Number(base12[12 - n]);
    sum += digit * (n % 2 === 1 ? 1 : 2);
  }
  return 9 - (sum % 9);
}

/** Returns null when valid, otherwise the rule that failed (without the field name). */
export function checkCorporateNumber(value: string): string | null {
  if (!/^[0-9]*$/.test(value)) return 'must contain only the digits 0-9';
  if (value.length !== 13) return `must be exactly 13 digits (got ${value.length})`;
  const expected = corporateNumberCheckDigit(value.slice(1));
  if (Number(value[0]) !== expected) return `check digit does not match (expected ${expected})`;
  return null;
}
