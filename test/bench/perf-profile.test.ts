import { describe, expect, it } from 'vitest';
import { breakdown, classify } from '../../bench/perf-profile.js';

// `perf script -F period,ip,sym` prints a period line, then one frame a line, leaf first.
const sample = (period: number, ...frames: string[]) => [` ${period} `, ...frames.map((f, i) => `\t  ${(0x1000 + i).toString(16)} ${f}`)].join('\n');

describe('the per-part breakdown of perf samples (bench/perf-profile.ts)', () => {
  it('gives a sample to the first part that names any of its frames, so a part includes its callees', () => {
    const sqliteUnderLookup = ['sqlite3VdbeExec', 'Statement::JS_get', 'JS:*get file:///app/dist/chunk-A.mjs:10:6', 'JS:*lookupPickup file:///app/dist/server.mjs:4101:28', 'JS:*parserOnIncoming node:_http_server:1026:26'];
    expect(classify(sqliteUnderLookup)).toBe('pickup');
    // A write under the access log is the log's, not Node's.
    expect(classify(['__GI___libc_write', 'uv_fs_write', 'JS:*writeSync node:fs:898:19', 'JS:* file:///app/dist/server.mjs:4430:11'])).toBe('log');
    // The kernel waking the reader inside a writev is told apart from the rest of the send.
    expect(classify(['_raw_spin_unlock_irqrestore', 'try_to_wake_up', 'sock_def_readable', 'tcp_sendmsg', '__GI___writev', 'JS:*end node:_http_outgoing:1034:45'])).toBe('wake');
    expect(classify(['tcp_sendmsg', '__GI___writev', 'JS:*end node:_http_outgoing:1034:45'])).toBe('send');
    // Garbage collection goes first, wherever the allocation that set it off was.
    expect(classify(['v8::internal::Heap::CollectGarbage', 'JS:*lookupPickup file:///app/dist/server.mjs:4101:28'])).toBe('gc');
  });

  it('gives what no part names to the leaf-most JavaScript or Node frame', () => {
    expect(classify(['Builtins_KeyedLoadIC_Megamorphic', 'JS:* file:///app/dist/server.mjs:2226:28', 'JS:*parserOnIncoming node:_http_server:1026:26'])).toBe('app');
    expect(classify(['Builtins_LoadIC', 'JS:^fetch file:///app/node_modules/hono/dist/hono-base.js:305:10'])).toBe('app');
    expect(classify(['Builtins_RunMicrotasks', 'JS:*processTicksAndRejections node:internal/process/task_queues:67:35'])).toBe('node');
    expect(classify(['llhttp__internal_execute', 'node::(anonymous namespace)::Parser::Execute'])).toBe('node');
    expect(classify(['[unknown]', 'entry_SYSCALL_64_after_hwframe'])).toBe('other');
  });

  it('weights each sample by its period and ignores blocks that are not samples', () => {
    const script = [
      sample(750, 'sqlite3_step', 'JS:*findPickupByTokenHash file:///app/dist/chunk-A.mjs:15179:30'),
      sample(250, 'llhttp__internal_execute'),
      'not a sample',
      sample(1000, '__GI___writev'),
      '',
    ].join('\n\n');
    const result = breakdown(script);
    expect(result.samples).toBe(3);
    expect(result.shares).toEqual({ pickup: 0.375, node: 0.125, send: 0.5 });
  });
});
