import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { events, pickupFiles, pickups } from '../../src/db/schema.js';
import { DAY, HOUR } from '../../src/lib/clock.js';
import { makeTestApp, T0, type TestApp } from '../helpers.js';
import { downloadAsSubscriber, staff, tmpDir } from './support.js';

let t: TestApp;
afterEach(() => t.close());

type Issued = { serial: string; url: string; password: string; letters: { password: string; pin: string }; mail: { file: string } };

async function issue(code: string, lettersDir: string): Promise<Issued> {
  const run = await staff(t, ['issue', '--name-romaji', 'YAMADA TARO', '--email', 'taro@example.jp', '--application-code', code, '--letters-dir', lettersDir, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return run.lines[0] as unknown as Issued;
}

const exists = (file: string) => fs.existsSync(file);
const filesOf = (i: Issued) => [i.letters.password, i.letters.pin];
function kindsOf(serial: string): string[] {
  const id = t.db.select().from(pickups).where(eq(pickups.serial, serial)).get()!.id;
  return t.db.select().from(events).where(eq(events.pickupId, id)).all().map((e) => e.kind);
}

describe('letters-done', () => {
  it('deletes the letters of the pickups named, and with --all-printed all the rest', async () => {
    t = makeTestApp();
    const dir = tmpDir();
    const a = await issue('LD-1', dir);
    const b = await issue('LD-2', dir);
    const c = await issue('LD-3', dir);
    for (const f of [...filesOf(a), ...filesOf(b), ...filesOf(c)]) expect(exists(f)).toBe(true);

    const one = await staff(t, ['letters-done', a.serial, '--json']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.lines[0]).toEqual({ deleted: filesOf(a).map((file) => ({ serial: a.serial, file })), failed: [], onOtherHosts: 0 });
    expect(filesOf(a).map(exists)).toEqual([false, false]);
    expect([...filesOf(b), ...filesOf(c)].every(exists)).toBe(true);
    expect(kindsOf(a.serial)).toContain('files-deleted');
    // The outbox copy of the mail is not a letter: it stays until the pickup ends.
    expect(exists(a.mail.file)).toBe(true);

    // A letter shredded by hand counts as done.
    fs.rmSync(b.letters.pin);
    const rest = await staff(t, ['letters-done', '--all-printed']);
    expect(rest.code).toBe(0);
    expect(rest.stdout).toContain('4 letter file(s) deleted.');
    expect([...filesOf(b), ...filesOf(c)].some(exists)).toBe(false);
    expect(t.db.select().from(pickupFiles).all().filter((f) => f.kind === 'letter' && f.deletedAt === null)).toEqual([]);

    const again = await staff(t, ['letters-done', '--all-printed']);
    expect(again.stdout).toBe('No letter files on record here: nothing to delete.\n');
  });

  it('wants either pickups or --all-printed, not both and not neither', async () => {
    t = makeTestApp();
    for (const argv of [['letters-done'], ['letters-done', 'X', '--all-printed']]) {
      const run = await staff(t, argv);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('staff letters-done: name the pickups whose letters are printed (letters-done <serial>...), or say --all-printed\n');
    }
    expect((await staff(t, ['letters-done', 'NOPE'])).stderr).toContain('no pickup with serial or application code "NOPE"');
  });

  it('leaves files another machine wrote alone, and says so', async () => {
    t = makeTestApp();
    const a = await issue('LD-H', tmpDir());
    t.db.update(pickupFiles).set({ host: 'staff-pc-2' }).where(eq(pickupFiles.path, a.letters.pin)).run();
    const run = await staff(t, ['letters-done', 'LD-H']);
    expect(run.stdout).toContain('1 letter file(s) deleted.');
    expect(run.stdout).toContain('1 letter file(s) were written on another machine: run letters-done there.');
    expect(exists(a.letters.pin)).toBe(true);
  });
});

describe('files of ended pickups', () => {
  it('the end of the window deletes the outbox mail; letters stay until the 30-day deadline (a PIN letter may still be unprinted); live pickups keep theirs', async () => {
    t = makeTestApp();
    const dir = tmpDir();
    const downloaded = await issue('F-1', dir);
    const waiting = await issue('F-2', dir);
    await downloadAsSubscriber(t, downloaded.url, downloaded.password);
    t.clock.advance(HOUR - 1);
    expect((await staff(t, ['purge', '--json'])).lines[0]).toMatchObject({ destroyed: [], filesDeleted: [] });
    t.clock.advance(1);
    const purge = await staff(t, ['purge', '--json']);
    expect(purge.lines[0]).toMatchObject({ destroyed: [{ serial: downloaded.serial }], filesDeleted: [downloaded.mail.file], filesFailed: [] });
    expect(exists(downloaded.mail.file)).toBe(false);
    expect(filesOf(downloaded).every(exists)).toBe(true);
    expect([...filesOf(waiting), waiting.mail.file].every(exists)).toBe(true);

    t.clock.set(T0 + 30 * DAY - 1);
    expect((await staff(t, ['purge', '--json'])).lines[0]).toMatchObject({ destroyed: [], filesDeleted: [] });
    t.clock.set(T0 + 30 * DAY);
    const later = await staff(t, ['purge']);
    expect(later.stdout).toContain(`destroyed ${waiting.serial} (expired)`);
    expect(later.stdout).toContain(`deleted ${waiting.letters.password}`);
    expect(later.stdout).toContain(`deleted ${downloaded.letters.pin}`);
    expect([...filesOf(waiting), waiting.mail.file, ...filesOf(downloaded)].some(exists)).toBe(false);
    expect(kindsOf(waiting.serial).slice(-2)).toEqual(['key-destroyed', 'files-deleted']);
  });

  it('cancel deletes the letters and the outbox mail at once', async () => {
    t = makeTestApp();
    const a = await issue('F-C', tmpDir());
    expect(path.dirname(a.mail.file)).toBe(path.join(t.deps.config.dataDir, 'outbox'));
    expect((await staff(t, ['cancel', 'F-C', '--reason', 'letter lost'])).code).toBe(0);
    expect([...filesOf(a), a.mail.file].some(exists)).toBe(false);
  });
});
