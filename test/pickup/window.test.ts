import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../src/lib/clock.js';
import { pickupDeadline } from '../../src/pickup/deadline.js';
import { pickupState } from '../../src/pickup/state.js';
import { WINDOW_MS, windowCutShort, windowEnd } from '../../src/pickup/window.js';

const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);
const EXPIRES = pickupDeadline(T0, T0 + 365 * DAY);

function stateAt(windowEndsAt: number, now: number) {
  return pickupState({ expiresAt: EXPIRES, windowEndsAt, cancelledAt: null }, now);
}

describe('download window', () => {
  it('lasts one hour from the first press', () => {
    expect(WINDOW_MS).toBe(HOUR);
    expect(windowEnd(T0 + DAY, EXPIRES)).toBe(T0 + DAY + HOUR);
    expect(windowCutShort(T0 + DAY, EXPIRES)).toBe(false);
  });

  it('is open 1 ms before its end, and closed at the end and 1 ms past it', () => {
    const ends = windowEnd(T0 + DAY, EXPIRES);
    expect(stateAt(ends, ends - 1)).toBe('window');
    expect(stateAt(ends, ends)).toBe('downloaded');
    expect(stateAt(ends, ends + 1)).toBe('downloaded');
  });

  it("ends at the pickup's deadline when pressed less than an hour before it", () => {
    const started = EXPIRES - 10 * MINUTE;
    expect(windowEnd(started, EXPIRES)).toBe(EXPIRES);
    expect(windowCutShort(started, EXPIRES)).toBe(true);
    expect(stateAt(windowEnd(started, EXPIRES), EXPIRES - 1)).toBe('window');
    expect(stateAt(windowEnd(started, EXPIRES), EXPIRES)).toBe('downloaded');
  });

  it('gets the full hour when pressed exactly an hour before the deadline, and is cut short 1 ms later', () => {
    expect(windowEnd(EXPIRES - HOUR, EXPIRES)).toBe(EXPIRES);
    expect(windowCutShort(EXPIRES - HOUR, EXPIRES)).toBe(false);
    expect(windowEnd(EXPIRES - HOUR + 1, EXPIRES)).toBe(EXPIRES);
    expect(windowCutShort(EXPIRES - HOUR + 1, EXPIRES)).toBe(true);
  });
});
