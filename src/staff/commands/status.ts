import { resolveReference } from '../reference.js';
import { formatJst } from '../../i18n/format.js';
import { downloadDeadline, pickupState } from '../../pickup/state.js';
import { printJson, UsageError, type Command } from '../context.js';

function describe(kind: string, detail: Record<string, unknown>): string {
  const parts = Object.entries(detail).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length ? `${kind.padEnd(16)} ${parts.join(' ')}` : kind;
}

export const status: Command = {
  name: 'status',
  summary: "Show a pickup's state and its timeline (what support reads when a subscriber calls).",
  usage: 'status <serial or application code> [--json]',
  options: { json: { type: 'boolean' } },
  allowPositionals: true,
  async run(ctx, args) {
    const [reference] = args.positionals;
    if (!reference) throw new UsageError('name the pickup: status <serial or application code>');
    const deps = (await ctx.deps());
    const pickup = await resolveReference(deps.store, reference);
    const now = deps.clock();
    const state = pickupState(pickup, now);
    const events = (await deps.store.listEvents(pickup.id)).map((e) => ({ at: e.at, kind: e.kind, detail: e.detail ? (JSON.parse(e.detail) as Record<string, unknown>) : {} }));
    if (args.values.json) {
      printJson(ctx, {
        serial: pickup.serial,
        applicationCode: pickup.applicationCode,
        name: pickup.subjectName,
        type: pickup.certType,
        state,
        issuedAt: new Date(pickup.issuedAt).toISOString(),
        expiresAt: new Date(pickup.expiresAt).toISOString(),
        downloadDeadline: new Date(downloadDeadline(pickup)).toISOString(),
        windowStartedAt: pickup.windowStartedAt === null ? null : new Date(pickup.windowStartedAt).toISOString(),
        keyDestroyed: pickup.keyDestroyedAt !== null,
        events: events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
      });
      return 0;
    }
    const lines = [
      `${pickup.serial}  ${pickup.subjectName}${pickup.applicationCode ? `  (application ${pickup.applicationCode})` : ''}`,
      `  state            ${state}${pickup.keyDestroyedAt !== null ? ', key material destroyed' : ''}`,
      `  issued           ${formatJst(pickup.issuedAt, 'en')}`,
      `  download until   ${formatJst(downloadDeadline(pickup), 'en')}`,
      '  timeline',
      ...events.map((e) => `    ${formatJst(e.at, 'en')}  ${describe(e.kind, e.detail)}`),
      '',
    ];
    ctx.stdout(lines.join('\n'));
    return 0;
  },
};
