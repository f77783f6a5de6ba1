import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../src/lib/clock.js';
import { downloadDeadline, isLive, pickupState, type PickupDeadlines } from '../../src/pickup/state.js';

const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);
const fresh = (over: Partial<PickupDeadlines> = {}): PickupDeadlines => ({ expiresAt: T0 + 30 * DAY, windowEndsAt: null, cancelledAt: null, ...over });

describe('pickup state', () => {
  it('is cancelled from the moment staff cancel it, not 1 ms before', () => {
    expect(pickupState(fresh({ cancelledAt: T0 + 5 }), T0 + 4)).toBe('pending');
    expect(pickupState(fresh({ cancelledAt: T0 + 5 }), T0 + 5)).toBe('cancelled');
    expect(pickupState(fresh({ cancelledAt: T0 + 5 }), T0 + 6)).toBe('cancelled');
  });

  it('lets a cancel win over a running window', () => {
    expect(pickupState(fresh({ windowEndsAt: T0 + HOUR, cancelledAt: T0 + 1 }), T0 + 2)).toBe('cancelled');
  });

  it("reads the download deadline from the window's end once it runs, from the pickup's deadline before", () => {
    expect(downloadDeadline(fresh())).toBe(T0 + 30 * DAY);
    expect(downloadDeadline(fresh({ windowEndsAt: T0 + DAY + HOUR }))).toBe(T0 + DAY + HOUR);
  });

  it('counts pending and window as live, every other state as over', () => {
    expect(['pending', 'window', 'downloaded', 'expired', 'cancelled'].filter((s) => isLive(s as never))).toEqual(['pending', 'window']);
  });
});
