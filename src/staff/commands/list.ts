import { downloadDeadline, isLive, pickupState, type PickupState } from '../../pickup/state.js';
import { printJson, UsageError, type Command } from '../context.js';
import { jstIso } from '../../i18n/format.js';

const STATES: readonly PickupState[] = ['pending', 'window', 'downloaded', 'expired', 'cancelled'];

/** A bare date is a day in Japan; a date and time must say its offset. */
export function parseSince(value: string): number {
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? Date.parse(`${value}T00:00:00+09:00`)
    : /T.*(Z|[+-]\d{2}:?\d{2})$/i.test(value)
      ? Date.parse(value)
      : Number.NaN;
  if (!Number.isFinite(at)) throw new UsageError('--since takes a date (YYYY-MM-DD, a day in JST) or a date and time with its offset, e.g. 2026-11-26T09:00+09:00');
  return at;
}

/** "2026-11-26 10:00", in JST: short enough for a table. */
function jst(ms: number): string {
  return jstIso(ms).slice(0, 16).replace('T', ' ');
}

/** A live pickup whose guess budget drained is under attack; an ended one only has a history. */
function alertText(drainedAt: number | null, state: PickupState): string {
  if (drainedAt === null) return '-';
  return isLive(state) ? `GUESSING ${jst(drainedAt)}` : `drained ${jst(drainedAt)}`;
}

export const list: Command = {
  name: 'list',
  summary: 'List pickups (oldest first) with state, deadline and mail status; filter by state and creation date.',
  usage: 'list [--state pending|window|downloaded|expired|cancelled] [--since YYYY-MM-DD|ISO-8601] [--json]',
  options: { state: { type: 'string' }, since: { type: 'string' }, json: { type: 'boolean' } },
  async run(ctx, args) {
    const state = args.values.state;
    if (state !== undefined && !STATES.includes(state as PickupState)) throw new UsageError(`--state must be one of ${STATES.join(', ')}`);
    const since = typeof args.values.since === 'string' ? parseSince(args.values.since) : null;
    const deps = (await ctx.deps());
    const now = deps.clock();
    const rows = (await deps.store.listPickupsCreatedSince(since))
      .map((r) => ({ ...r, state: pickupState(r.pickup, now) }))
      .filter((r) => state === undefined || r.state === state);
    if (args.values.json) {
      for (const { pickup: p, state: s, notification, guessingDrainedAt } of rows) {
        printJson(ctx, {
          serial: p.serial,
          applicationCode: p.applicationCode,
          name: p.subjectName,
          type: p.certType,
          state: s,
          email: p.email,
          mail: notification,
          createdAt: new Date(p.createdAt).toISOString(),
          downloadDeadline: new Date(downloadDeadline(p)).toISOString(),
          keyDestroyed: p.keyDestroyedAt !== null,
          guessingDrainedAt: guessingDrainedAt === null ? null : new Date(guessingDrainedAt).toISOString(),
        });
      }
      return 0;
    }
    const table = [
      ['serial', 'state', 'created (JST)', 'download until', 'application', 'mail', 'alert', 'name'],
      ...rows.map(({ pickup: p, state: s, notification, guessingDrainedAt }) => [
        p.serial,
        s,
        jst(p.createdAt),
        jst(downloadDeadline(p)),
        p.applicationCode ?? '-',
        notification ?? (p.email ? '-' : 'no address'),
        alertText(guessingDrainedAt, s),
        p.subjectNameJa ?? p.subjectName,
      ]),
    ];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
    const lines = table.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
    const flagged = rows.filter((r) => r.guessingDrainedAt !== null && isLive(r.state)).length;
    const advice = flagged > 0 ? `${flagged} live pickup(s) flagged GUESSING: someone holding the URL drained its guess budget; see status, then reissue-url or cancel\n` : '';
    ctx.stdout(`${lines.join('\n')}\n${rows.length} pickup(s)\n${advice}`);
    return 0;
  },
};
