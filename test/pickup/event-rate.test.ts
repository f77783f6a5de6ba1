import { describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/lib/clock.js';
import { isEventDue, RATE_LIMITED_EVENT_MS } from '../../src/pickup/event-rate.js';

const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);

describe('rate-limited timeline events', () => {
  it('records the first one', () => {
    expect(isEventDue(null, T0)).toBe(true);
  });

  it('skips one 1 ms before a minute has passed, and records at the minute and 1 ms past it', () => {
    expect(RATE_LIMITED_EVENT_MS).toBe(MINUTE);
    expect(isEventDue(T0, T0)).toBe(false);
    expect(isEventDue(T0, T0 + MINUTE - 1)).toBe(false);
    expect(isEventDue(T0, T0 + MINUTE)).toBe(true);
    expect(isEventDue(T0, T0 + MINUTE + 1)).toBe(true);
  });
});
