/**
 * What each kind of timeline event records beside its time. Support reads these with
 * `staff status`; nothing secret (token, password, PIN, address) is ever among them.
 */
export type EventDetails = {
  created: { serial: string; certType: string; p12Profile: string };
  'letters-written': { dir: string };
  mailed: MailEventDetail;
  'mail-failed': MailEventDetail & { error: string };
  'page-view': { client: string };
  'password-failed': { client: string };
  'password-ok': { client: string };
  throttled: { client: string; tier: string; retryAfterSeconds: number };
  'window-started': { client: string };
  downloaded: { client: string; bytes: number };
  'key-destroyed': { reason: string };
  cancelled: { reason: string };
  /** The shared guess budget ran down to its reserve: someone holding the URL is guessing. */
  'guess-budget-drained': { client: string };
  /** Token-log ids (a hash prefix), never the tokens. */
  'url-reissued': { previous: string; current: string };
  'files-deleted': { letters: number; outbox: number; reason: string };
};

export type MailEventDetail = { mail: string; to: string; attempt: number; file?: string };

export type EventKind = keyof EventDetails;

/** The kinds a URL or session holder can cause at line rate: recorded at most once a minute (event-rate.ts). */
export type RateLimitedEventKind = Extract<EventKind, 'page-view' | 'throttled' | 'downloaded'>;
