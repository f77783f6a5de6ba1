import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classify, sourceResolver, tallyParts, type Frame } from '../../bench/perf-profile.js';

// Frames as perf names them, with the module a bundled JavaScript frame's source map points to.
const native = (sym: string): Frame => ({ sym, source: null });
const js = (sym: string, source: string): Frame => ({ sym: `JS:*${sym} file:///app/dist/server.mjs:1:1`, source });
const node = (sym: string): Frame => ({ sym: `JS:*${sym} node:_http_server:1026:26`, source: null });

describe('the per-part breakdown of perf samples (bench/perf-profile.ts)', () => {
  it('gives a sample to the first part that matches any of its frames, so a part includes its callees', () => {
    const drizzleUnderLookup = [native('sqlite3VdbeExec'), js('get', '../node_modules/drizzle-orm/sqlite-core/session.js'), js('lookupPickup', '../src/services/portal.ts'), node('parserOnIncoming')];
    expect(classify(drizzleUnderLookup)).toBe('pickup');
    // The same statement elsewhere is other database work.
    expect(classify([native('sqlite3VdbeExec'), js('get', '../node_modules/drizzle-orm/sqlite-core/session.js'), js('recordPageView', '../src/services/portal.ts')])).toBe('store');
    // pino's anonymous write, and the write(2) under it, are the log's, not the app's or Node's.
    expect(classify([js('', '../node_modules/pino/lib/proto.js'), js('', '../src/app.ts')])).toBe('log');
    expect(classify([native('__GI___libc_write'), native('uv_fs_write'), { sym: 'JS:*writeSync node:fs:898:19', source: null }, js('', '../src/app.ts')])).toBe('log');
    expect(classify([js('', '../node_modules/prom-client/lib/histogram.js'), js('', '../src/app.ts')])).toBe('metrics');
    // The kernel waking the reader inside a writev is told apart from the rest of the send.
    expect(classify([native('_raw_spin_unlock_irqrestore'), native('try_to_wake_up'), native('sock_def_readable'), native('__GI___writev'), node('end')])).toBe('wake');
    expect(classify([native('tcp_sendmsg'), native('__GI___writev'), node('end')])).toBe('send');
    // A wake-up outside a send (a futex, for a worker thread) is not the load generator's.
    expect(classify([native('try_to_wake_up'), native('futex_wake'), native('uv_async_send'), js('', '../src/app.ts')])).toBe('node');
    // Garbage collection goes first, wherever the allocation that set it off was.
    expect(classify([native('v8::internal::Heap::CollectGarbage'), js('lookupPickup', '../src/services/portal.ts')])).toBe('gc');
  });

  it("tells a wrong guess's own work apart: the throttle, the timeline row, argon2's JavaScript", () => {
    const run = js('run', '../node_modules/drizzle-orm/better-sqlite3/session.js');
    const check = js('checkPassword', '../src/services/portal.ts');
    expect(classify([native('__x64_sys_pwrite64'), native('sqlite3VdbeExec'), run, js('admitAttempt', '../src/db/throttle.ts'), check])).toBe('throttle');
    expect(classify([native('sqlite3VdbeExec'), run, js('addEvent', '../src/db/events.ts'), js('addEvent', '../src/db/sqlite-store.ts'), check])).toBe('timeline');
    expect(classify([js('deserialize', '../node_modules/@phc/format/index.js'), js('verify', '../node_modules/argon2/argon2.cjs'), check])).toBe('argon2');
    expect(classify([native('Builtins_MapPrototypeSet'), js('limited', '../src/auth/password-hasher.ts'), check])).toBe('argon2');
    // A statement whose caller V8 inlined into checkPassword names no module of its own: other database work.
    expect(classify([native('sqlite3VdbeExec'), run, check])).toBe('store');
  });

  it('gives what no part matches to the side of its leaf-most JavaScript or Node frame', () => {
    expect(classify([native('Builtins_KeyedLoadIC_Megamorphic'), js('dispatch', '../node_modules/hono/dist/compose.js'), js('', '../src/app.ts')])).toBe('hono');
    expect(classify([native('Builtins_LoadIC'), js('', '../src/http/language.ts'), js('dispatch', '../node_modules/hono/dist/compose.js')])).toBe('app');
    expect(classify([native('Builtins_RunMicrotasks'), { sym: 'JS:*processTicksAndRejections node:internal/process/task_queues:67:35', source: null }])).toBe('node');
    expect(classify([native('llhttp__internal_execute'), native('node::(anonymous namespace)::Parser::Execute')])).toBe('node');
    expect(classify([native('[unknown]'), native('entry_SYSCALL_64_after_hwframe')])).toBe('other');
  });

  it('traces a bundled frame back through its source map, and leaves Node and native frames unresolved', () => {
    const resolve = sourceResolver();
    // A bundle whose map says line 1 came from src/a.ts up to column 2 (0-based) and from pino
    // after it; line 2 has no mapping. V8 gives 1-based columns: :1:2 is column 1, :1:3 column 2.
    const dir = mkdtempSync(join(tmpdir(), 'uketori-perf-map-'));
    const bundle = join(dir, 'server.mjs');
    writeFileSync(bundle, 'a;b()\n\n');
    writeFileSync(`${bundle}.map`, JSON.stringify({ version: 3, sources: ['../src/a.ts', '../node_modules/pino/lib/proto.js'], names: [], mappings: 'AAAA,ECAA;' }));
    const url = pathToFileURL(bundle).href;
    expect(resolve(`JS:*a ${url}:1:2`)).toBe('../src/a.ts');
    expect(resolve(`JS:^get x ${url}:1:3`)).toBe('../node_modules/pino/lib/proto.js');
    expect(resolve(`JS:* ${url}:2:1`)).toBeNull();
    // CommonJS files appear as plain paths; without a map a file is its own source.
    expect(resolve(`JS:^sqliteTransaction ${join(dir, 'transaction.js')}:52:131`)).toBe(join(dir, 'transaction.js'));
    // A frame of a file without a map is its own source.
    const here = new URL('../../bench/hello-server.mjs', import.meta.url);
    expect(resolve(`JS:*fetch ${here.href}:9:1`)).toBe(here.pathname);
    expect(resolve('JS:*parserOnIncoming node:_http_server:1026:26')).toBeNull();
    expect(resolve('llhttp__internal_execute')).toBeNull();
  });

  it('weights each sample by its period and skips blocks that are not samples', () => {
    const sources: Record<string, string> = { 'JS:*findPickupByTokenHash file:///app/dist/chunk-A.mjs:15179:30': '../src/db/sqlite-store.ts' };
    const sample = (period: number, ...frames: string[]) => [` ${period} `, ...frames.map((f, i) => `\t  ${(0x1000 + i).toString(16)} ${f}`)].join('\n');
    const script = [
      sample(750, 'sqlite3_step', 'JS:*findPickupByTokenHash file:///app/dist/chunk-A.mjs:15179:30'),
      sample(250, 'llhttp__internal_execute'),
      'not a sample',
      sample(1000, '__GI___writev'),
      '',
    ].join('\n\n');
    const result = tallyParts(script, (text: string) => sources[text] ?? null);
    expect(result.samples).toBe(3);
    expect(result.shares).toEqual({ pickup: 0.375, node: 0.125, send: 0.5 });
  });
});
