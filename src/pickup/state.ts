/** The stored times a pickup's state is read from (see deadline.ts and window.ts for how they are set). */
export type PickupDeadlines = {
  expiresAt: number;
  windowEndsAt: number | null;
  cancelledAt: number | null;
};

/**
 * pending: waiting for the first Download press; window: inside the one-hour window;
 * downloaded: the window has closed; expired: 30 days passed first; cancelled: staff blocked it.
 */
export type PickupState = 'pending' | 'window' | 'downloaded' | 'expired' | 'cancelled';

/** When downloads stop being possible: the window's end once it runs, otherwise the pickup's deadline. */
export function downloadDeadline(p: PickupDeadlines): number {
  return p.windowEndsAt ?? p.expiresAt;
}

export function pickupState(p: PickupDeadlines, now: number): PickupState {
  if (p.cancelledAt !== null && p.cancelledAt <= now) return 'cancelled';
  if (p.windowEndsAt !== null) return now < p.windowEndsAt ? 'window' : 'downloaded';
  return now < p.expiresAt ? 'pending' : 'expired';
}

export function isLive(state: PickupState): boolean {
  return state === 'pending' || state === 'window';
}
