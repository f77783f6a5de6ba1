import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { events, pickups } from '../../src/db/schema.js';
import { formatJst, formatWait } from '../../src/i18n/format.js';
import { messages } from '../../src/i18n/index.js';
import { DAY, MINUTE } from '../../src/lib/clock.js';
import { PageCache } from '../../src/http/page-cache.js';
import { RecentEvents } from '../../src/services/recent-events.js';
import { FREE_FAILURES } from '../../src/pickup/throttle.js';
import type { EventKind } from '../../src/pickup/timeline.js';
import type { IssuedPickup } from '../../src/services/create-pickup.js';
import { staff } from '../staff/support.js';
import { issueTestPickup } from '../factories.js';
import { binaryBody, cookieFrom, makeTestApp, pathOf, postForm, tmpFile, type TestApp } from '../helpers.js';

// The landing page is kept rendered, and page views skip their SQLite read while this process
// wrote one less than a minute ago: every state change must still show on the very next request.

let t: TestApp;
let p: IssuedPickup;

beforeEach(async () => {
  t = makeTestApp();
  p = await issueTestPickup(t.deps);
});
afterEach(() => t.close());

const get = (path: string, cookie?: string) => (cookie ? t.http().get(path).set('Cookie', cookie) : t.http().get(path));

async function login(app: TestApp, pickup: IssuedPickup): Promise<string> {
  const res = await postForm(app, pathOf(pickup.url), { password: pickup.password });
  expect(res.status).toBe(303);
  return cookieFrom(res);
}

async function press(app: TestApp, pickup: IssuedPickup, cookie: string) {
  const res = await postForm(app, `${pathOf(pickup.url)}/download`, {}, cookie).buffer(true).parse(binaryBody);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/x-pkcs12');
  return res;
}

function row(app: TestApp, id: string) {
  return app.db.select().from(pickups).where(eq(pickups.id, id)).get()!;
}

function countEvents(app: TestApp, id: string, kind: EventKind): number {
  return app.db.select().from(events).where(and(eq(events.pickupId, id), eq(events.kind, kind))).all().length;
}

/** Two portals on one database file, as two processes would share a DATA_DIR, and a pickup from the first. */
async function withTwoProcesses(name: string, body: (a: TestApp, b: TestApp, q: IssuedPickup) => Promise<void>): Promise<void> {
  const file = tmpFile(name);
  const a = makeTestApp({ dbFile: file });
  const b = makeTestApp({ dbFile: file });
  try {
    await body(a, b, await issueTestPickup(a.deps));
  } finally {
    a.close();
    b.close();
  }
}

describe('the kept landing page', () => {
  it('shows the started window on the next GET after Download was pressed elsewhere', async () => {
    const before = await get(pathOf(p.url));
    expect(before.status).toBe(200);
    expect(before.text).not.toContain(messages.ja.landingRunningTitle);
    expect((await get(pathOf(p.url))).text).toBe(before.text);

    t.clock.advance(10 * MINUTE);
    await press(t, p, await login(t, p));
    const ends = row(t, p.id).windowEndsAt!;
    const after = await get(pathOf(p.url));
    expect(after.status).toBe(200);
    expect(after.text).toContain(messages.ja.landingRunningTitle);
    expect(after.text).toContain(formatJst(ends, 'ja'));
    expect(after.text).not.toContain(messages.ja.landingDeadline(formatJst(p.expiresAt, 'ja')));
  });

  it('answers 410 on the next GET once staff cancel', async () => {
    expect((await get(pathOf(p.url))).status).toBe(200);
    expect((await get(pathOf(p.url))).status).toBe(200);
    expect((await staff(t, ['cancel', p.serial, '--reason', 'lost letter'])).code).toBe(0);
    const res = await get(pathOf(p.url));
    expect(res.status).toBe(410);
    expect(res.text).toContain(messages.ja.deadCancelledTitle);
  });

  it('answers 410 on the next GET and the next download once staff cancel from another process', () =>
    withTwoProcesses('cancel-elsewhere.db', async (a, b, q) => {
      const cookie = await login(a, q);
      await press(a, q, cookie);
      // The first GET writes the minute's page view, and the second press its repeat download's
      // check: after them the page and the file are kept, with nothing written since.
      expect((await a.http().get(pathOf(q.url))).status).toBe(200);
      await press(a, q, cookie);
      expect((await a.http().get(pathOf(q.url))).status).toBe(200);
      await press(a, q, cookie);
      expect((await staff(b, ['cancel', q.serial, '--reason', 'lost letter'])).code).toBe(0);
      const download = await postForm(a, `${pathOf(q.url)}/download`, {}, cookie);
      expect(download.status).toBe(410);
      expect(download.headers['content-type']).not.toBe('application/x-pkcs12');
      const page = await a.http().get(pathOf(q.url));
      expect(page.status).toBe(410);
      expect(page.text).toContain(messages.ja.deadCancelledTitle);
    }));

  it('answers 410 at exactly the 30-day deadline, and 200 one millisecond before', async () => {
    t.clock.set(p.issuedAt + 30 * DAY - 1);
    expect((await get(pathOf(p.url))).status).toBe(200);
    expect((await get(pathOf(p.url))).status).toBe(200);
    t.clock.advance(1);
    const res = await get(pathOf(p.url));
    expect(res.status).toBe(410);
    expect(res.text).toContain(messages.ja.deadExpiredTitle);
  });

  it('answers 410 at exactly the end of the window, and 200 one millisecond before', async () => {
    await press(t, p, await login(t, p));
    const ends = row(t, p.id).windowEndsAt!;
    t.clock.set(ends - 1);
    expect((await get(pathOf(p.url))).status).toBe(200);
    expect((await get(pathOf(p.url))).status).toBe(200);
    t.clock.set(ends);
    const res = await get(pathOf(p.url));
    expect(res.status).toBe(410);
    expect(res.text).toContain(messages.ja.deadDownloadedTitle);
  });

  it('switches language on the next GET, both ways', async () => {
    const ja = await get(pathOf(p.url));
    expect(ja.text).toContain('<html lang="ja">');
    expect(ja.text).toContain(messages.ja.landingTitle);
    const en = await get(`${pathOf(p.url)}?lang=en`);
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain(messages.en.landingTitle);
    expect(en.text).toContain(messages.en.landingDeadline(formatJst(p.expiresAt, 'en')));
    expect(en.text).not.toContain(messages.ja.landingTitle);
    const back = await get(`${pathOf(p.url)}?lang=ja`);
    expect(back.text).toBe(ja.text);
  });

  it('gives each pickup its own token in the form, even when their deadlines are the same', async () => {
    const q = await issueTestPickup(t.deps);
    expect(q.expiresAt).toBe(p.expiresAt);
    const first = await get(pathOf(p.url));
    const second = await get(pathOf(q.url));
    expect(first.text).toContain(`action="${pathOf(p.url)}#password-error"`);
    expect(second.text).toContain(`action="${pathOf(q.url)}#password-error"`);
    expect(second.text).not.toContain(pathOf(p.url));
    expect(second.text.replace(pathOf(q.url), '')).toBe(first.text.replace(pathOf(p.url), ''));
  });

  it('shows an error only on the answer it belongs to', async () => {
    const wrong = await postForm(t, pathOf(p.url), { password: p.password.slice(1) + p.password[0] });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain(messages.ja.errorPasswordWrong);
    const next = await get(pathOf(p.url));
    expect(next.status).toBe(200);
    expect(next.text).not.toContain(messages.ja.errorPasswordWrong);
    expect(next.text).not.toContain('id="password-error"');
  });
});

describe('the minute shown on the ready page', () => {
  it('moves on at the minute boundary', async () => {
    await press(t, p, await login(t, p));
    const ends = row(t, p.id).windowEndsAt!;
    t.clock.set(ends - 30 * MINUTE);
    // A fresh session: the first one may have run out by now.
    const cookie = await login(t, p);
    const at30 = await get(pathOf(p.url), cookie);
    expect(at30.text).toContain(messages.ja.remainingAbout(formatWait(30 * MINUTE, 'ja')));
    t.clock.advance(1);
    const at29 = await get(pathOf(p.url), cookie);
    expect(at29.text).toContain(messages.ja.remainingAbout(formatWait(30 * MINUTE - 1, 'ja')));
    expect(formatWait(30 * MINUTE - 1, 'ja')).toBe(formatWait(30 * MINUTE, 'ja'));
    t.clock.advance(MINUTE);
    const later = await get(pathOf(p.url), cookie);
    expect(later.text).toContain(messages.ja.remainingAbout(formatWait(29 * MINUTE - 1, 'ja')));
    expect(later.text).not.toContain(messages.ja.remainingAbout(formatWait(30 * MINUTE, 'ja')));
  });
});

describe('page views remembered in memory', () => {
  it('records one a minute: none more at 59.999 s, the next at exactly 60 s', async () => {
    await get(pathOf(p.url));
    expect(countEvents(t, p.id, 'page-view')).toBe(1);
    t.clock.advance(MINUTE - 1);
    await get(pathOf(p.url));
    expect(countEvents(t, p.id, 'page-view')).toBe(1);
    t.clock.advance(1);
    await get(pathOf(p.url));
    expect(countEvents(t, p.id, 'page-view')).toBe(2);
  });

  it('stays right when two processes share the database', () =>
    withTwoProcesses('shared.db', async (a, b, q) => {
      const path = pathOf(q.url);
      await a.http().get(path).expect(200);
      expect(countEvents(a, q.id, 'page-view')).toBe(1);
      // b has never written one: it asks the database, which says a wrote one 30 s ago.
      b.clock.advance(30_000);
      await b.http().get(path).expect(200);
      expect(countEvents(a, q.id, 'page-view')).toBe(1);
      b.clock.advance(30_000);
      await b.http().get(path).expect(200);
      expect(countEvents(a, q.id, 'page-view')).toBe(2);
      // a's own memory is a minute old; the database says b wrote one a second ago.
      a.clock.advance(61_000);
      await a.http().get(path).expect(200);
      expect(countEvents(a, q.id, 'page-view')).toBe(2);
    }));

  it('asks the database once a minute when another process wrote the view', () =>
    withTwoProcesses('shared-reads.db', async (a, b, q) => {
      const path = pathOf(q.url);
      await a.http().get(path).expect(200);
      const reads = vi.spyOn(b.deps.store, 'lastEventAt');
      // b learns from the database that a wrote a view 30 s ago, and keeps a's time, not its own.
      b.clock.advance(30_000);
      await b.http().get(path).expect(200);
      b.clock.advance(29_999);
      await b.http().get(path).expect(200);
      expect(reads).toHaveBeenCalledTimes(1);
      expect(countEvents(a, q.id, 'page-view')).toBe(1);
      // A minute after a's view the next one is due: b asks again and writes it.
      b.clock.advance(1);
      await b.http().get(path).expect(200);
      expect(reads).toHaveBeenCalledTimes(2);
      expect(countEvents(a, q.id, 'page-view')).toBe(2);
    }));

  it('a repeat download another process recorded is remembered: the next instance runs its transaction once a minute', () =>
    withTwoProcesses('shared-downloads.db', async (a, b, q) => {
      const cookie = await login(a, q);
      await press(a, q, cookie);
      expect(countEvents(a, q.id, 'downloaded')).toBe(1);
      const records = vi.spyOn(b.deps.store, 'recordDownload');
      // b's press 30 s later reads a's event in its transaction and keeps a's time.
      b.clock.advance(30_000);
      await press(b, q, cookie);
      b.clock.advance(29_999);
      await press(b, q, cookie);
      expect(records).toHaveBeenCalledTimes(1);
      expect(countEvents(a, q.id, 'downloaded')).toBe(1);
      // A minute after a's event the next press records one.
      b.clock.advance(1);
      await press(b, q, cookie);
      expect(records).toHaveBeenCalledTimes(2);
      expect(countEvents(a, q.id, 'downloaded')).toBe(2);
    }));

  it('records a repeat download once a minute, and the first one always', async () => {
    const cookie = await login(t, p);
    await press(t, p, cookie);
    expect(countEvents(t, p.id, 'downloaded')).toBe(1);
    expect(row(t, p.id).firstDownloadAt).toBe(t.clock());
    t.clock.advance(MINUTE - 1);
    await press(t, p, cookie);
    expect(countEvents(t, p.id, 'downloaded')).toBe(1);
    t.clock.advance(1);
    await press(t, p, cookie);
    expect(countEvents(t, p.id, 'downloaded')).toBe(2);
  });
});

describe('throttled guesses remembered in memory', () => {
  const wrong = (q: IssuedPickup) => (q.password === 'WRNGpw23' ? 'WRNGpw24' : 'WRNGpw23');
  const guess = (app: TestApp, q: IssuedPickup) => postForm(app, pathOf(q.url), { password: wrong(q) });

  /** Spends the free failures and one more, so the next guess waits a minute. */
  async function spendFreeGuesses(app: TestApp, q: IssuedPickup) {
    for (let i = 0; i <= FREE_FAILURES; i++) expect((await guess(app, q)).status).toBe(401);
  }

  it('records one a minute: none more at 59.999 s, the next at exactly 60 s', async () => {
    await spendFreeGuesses(t, p);
    const reads = vi.spyOn(t.deps.store, 'lastEventAt');
    for (let i = 0; i < 3; i++) expect((await guess(t, p)).status).toBe(429);
    expect(countEvents(t, p.id, 'throttled')).toBe(1);
    // The row it wrote is remembered: the database is asked before the first refusal only.
    expect(reads).toHaveBeenCalledTimes(1);
    // A minute on, one more guess is let through and fails: the wait doubles to two minutes.
    t.clock.advance(MINUTE);
    expect((await guess(t, p)).status).toBe(401);
    expect((await guess(t, p)).status).toBe(429);
    expect(countEvents(t, p.id, 'throttled')).toBe(2);
    t.clock.advance(MINUTE - 1);
    expect((await guess(t, p)).status).toBe(429);
    expect(countEvents(t, p.id, 'throttled')).toBe(2);
    t.clock.advance(1);
    expect((await guess(t, p)).status).toBe(429);
    expect(countEvents(t, p.id, 'throttled')).toBe(3);
  });

  it('asks the database once a minute when another process wrote the row', () =>
    withTwoProcesses('shared-throttled.db', async (a, b, q) => {
      await spendFreeGuesses(a, q);
      expect((await guess(a, q)).status).toBe(429);
      expect(countEvents(a, q.id, 'throttled')).toBe(1);
      const reads = vi.spyOn(b.deps.store, 'lastEventAt');
      // The throttle is shared, so b refuses too; it learns from the database that a wrote the row 30 s ago.
      b.clock.advance(30_000);
      expect((await guess(b, q)).status).toBe(429);
      b.clock.advance(29_999);
      expect((await guess(b, q)).status).toBe(429);
      expect(reads).toHaveBeenCalledTimes(1);
      expect(countEvents(a, q.id, 'throttled')).toBe(1);
      // A minute after a's row (b kept a's time, not its own): the wait is over, one guess is let
      // through and fails, and the next refusal is due on the timeline.
      b.clock.advance(1);
      expect((await guess(b, q)).status).toBe(401);
      expect((await guess(b, q)).status).toBe(429);
      expect(reads).toHaveBeenCalledTimes(2);
      expect(countEvents(a, q.id, 'throttled')).toBe(2);
    }));
});

describe('the bounded memories', () => {
  it('RecentEvents forgets the oldest entry past its size', () => {
    const recent = new RecentEvents(2);
    recent.remember('a', 'page-view', 0);
    recent.remember('b', 'page-view', 0);
    recent.remember('c', 'page-view', 0);
    expect(recent.size).toBe(2);
    expect(recent.isRecent('a', 'page-view', 1)).toBe(false);
    expect(recent.isRecent('c', 'page-view', 1)).toBe(true);
    expect(recent.isRecent('c', 'downloaded', 1)).toBe(false);
    expect(recent.isRecent('c', 'page-view', MINUTE)).toBe(false);
  });

  it('RecentEvents keeps the later of two times when requests finish out of order', () => {
    const recent = new RecentEvents();
    recent.remember('a', 'downloaded', 5_000);
    recent.remember('a', 'downloaded', 1_000);
    expect(recent.isRecent('a', 'downloaded', 1_000 + MINUTE)).toBe(true);
    expect(recent.isRecent('a', 'downloaded', 5_000 + MINUTE)).toBe(false);
  });

  it('PageCache renders once per key and drops the entry used longest ago', () => {
    const cache = new PageCache(2);
    let renders = 0;
    const render = (text: string) => () => (renders++, text);
    expect(cache.get('x', render('X'))).toBe('X');
    expect(cache.get('x', render('other'))).toBe('X');
    cache.get('y', render('Y'));
    cache.get('x', render('other'));
    cache.get('z', render('Z'));
    expect(cache.size).toBe(2);
    expect(cache.get('y', render('Y2'))).toBe('Y2');
    expect(cache.get('x', render('other'))).toBe('other');
    expect(renders).toBe(5);
  });
});
