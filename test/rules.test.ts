import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../src/lib/clock.js';
import { downloadDeadline, expiryFor, pickupState, type PickupTimes } from '../src/pickup/state.js';

const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);
const fresh = (over: Partial<PickupTimes> = {}): PickupTimes => ({
  issuedAt: T0,
  expiresAt: expiryFor(T0),
  windowStartedAt: null,
  cancelledAt: null,
  ...over,
});

describe('pickup lifetime and window', () => {
  it('lives 30 days minus 1 ms and dies at 30 days', () => {
    expect(pickupState(fresh(), T0 + 30 * DAY - 1)).toBe('pending');
    expect(pickupState(fresh(), T0 + 30 * DAY)).toBe('expired');
  });

  it('keeps the window 1 h minus 1 ms and closes it at 1 h', () => {
    const p = fresh({ windowStartedAt: T0 + DAY });
    expect(pickupState(p, T0 + DAY + HOUR - 1)).toBe('window');
    expect(pickupState(p, T0 + DAY + HOUR)).toBe('downloaded');
  });

  it('lets the earlier limit win', () => {
    const late = fresh({ windowStartedAt: T0 + 30 * DAY - 10 * MINUTE });
    expect(downloadDeadline(late)).toBe(T0 + 30 * DAY);
    expect(pickupState(late, T0 + 30 * DAY - 1)).toBe('window');
    expect(pickupState(late, T0 + 30 * DAY)).toBe('downloaded');
    const early = fresh({ windowStartedAt: T0 + DAY });
    expect(downloadDeadline(early)).toBe(T0 + DAY + HOUR);
  });

  it('is cancelled from the moment staff cancel it', () => {
    expect(pickupState(fresh({ cancelledAt: T0 + 5 }), T0 + 4)).toBe('pending');
    expect(pickupState(fresh({ cancelledAt: T0 + 5 }), T0 + 5)).toBe('cancelled');
  });
});

// The throttle's rules are tested in test/pickup/throttle.test.ts and throttle-simulation.test.ts.
