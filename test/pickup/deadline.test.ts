import { describe, expect, it } from 'vitest';
import { DAY, manualClock } from '../../src/lib/clock.js';
import { PICKUP_LIFETIME_MS, pickupDeadline } from '../../src/pickup/deadline.js';
import { pickupState } from '../../src/pickup/state.js';

const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);
const FAR = T0 + 3 * 365 * DAY;

function stateAt(expiresAt: number, now: number) {
  return pickupState({ expiresAt, windowEndsAt: null, cancelledAt: null }, now);
}

describe('pickup deadline', () => {
  it('is 30 days after issuance when the certificate outlives it', () => {
    expect(PICKUP_LIFETIME_MS).toBe(30 * DAY);
    expect(pickupDeadline(T0, FAR)).toBe(T0 + 30 * DAY);
  });

  it('keeps the URL alive 1 ms before the 30 days, and kills it at the limit and 1 ms past it', () => {
    const deadline = pickupDeadline(T0, FAR);
    const clock = manualClock(T0 + 30 * DAY - 1);
    expect(stateAt(deadline, clock())).toBe('pending');
    clock.advance(1);
    expect(stateAt(deadline, clock())).toBe('expired');
    clock.advance(1);
    expect(stateAt(deadline, clock())).toBe('expired');
  });

  it("is capped at the certificate's notAfter when that comes first", () => {
    const notAfter = T0 + 10 * DAY;
    const deadline = pickupDeadline(T0, notAfter);
    expect(deadline).toBe(notAfter);
    expect(stateAt(deadline, notAfter - 1)).toBe('pending');
    expect(stateAt(deadline, notAfter)).toBe('expired');
    expect(stateAt(deadline, notAfter + 1)).toBe('expired');
  });

  it('takes the 30 days when notAfter falls exactly on them, and notAfter when it is 1 ms earlier', () => {
    expect(pickupDeadline(T0, T0 + 30 * DAY)).toBe(T0 + 30 * DAY);
    expect(pickupDeadline(T0, T0 + 30 * DAY - 1)).toBe(T0 + 30 * DAY - 1);
    expect(pickupDeadline(T0, T0 + 30 * DAY + 1)).toBe(T0 + 30 * DAY);
  });
});
