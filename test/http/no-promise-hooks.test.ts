import { AsyncLocalStorage, executionAsyncId } from 'node:async_hooks';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { renderPasswordLetter, renderPinLetter } from '../../src/postal/letters.js';
import type { IssuedPickup } from '../../src/services/create-pickup.js';
import { IMPORT_HELP_PATH } from '../../views/layout.js';
import { issueTestPickup } from '../factories.js';
import { binaryBody, cookieFrom, makeTestApp, ORIGIN, pathOf, postForm, T0, testConfig, type TestApp } from '../helpers.js';

/**
 * Node 20 switches promise hooks on for the whole process, for good, the first time any
 * AsyncLocalStorage runs; from then on every promise of every request pays for them (about a
 * sixth of a landing page's CPU, docs/benchmarks.md). hono/jsx would start one for every render:
 * scripts/patch-hono.mjs keeps its renders on the synchronous store. This walks every kind of page
 * and letter and counts the runs.
 */
let t: TestApp;
let p: IssuedPickup;
beforeEach(async () => {
  t = makeTestApp();
  p = await issueTestPickup(t.deps);
});
afterEach(() => {
  vi.restoreAllMocks();
  t.close();
});

function spyOnStorage() {
  return [vi.spyOn(AsyncLocalStorage.prototype, 'run'), vi.spyOn(AsyncLocalStorage.prototype, 'enterWith')] as const;
}

it('the spy sees a run when there is one, and the probe sees the hooks it switches on', async () => {
  const [run] = spyOnStorage();
  const storage = new AsyncLocalStorage();
  storage.run(new WeakMap(), () => 0);
  expect(run).toHaveBeenCalledTimes(1);
  expect(await Promise.resolve().then(() => executionAsyncId())).not.toBe(0);
  // Off again, for the test below.
  storage.disable();
  expect(await Promise.resolve().then(() => executionAsyncId())).toBe(0);
});

it('no page, download or letter starts an AsyncLocalStorage', async () => {
  const [run, enterWith] = spyOnStorage();
  const path = pathOf(p.url);
  expect((await t.http().get(path)).status).toBe(200);
  expect((await t.http().get(path).set('Accept-Language', 'en')).status).toBe(200);
  expect((await postForm(t, path, { password: 'Zz9Zz9Zz' })).status).toBe(401);
  expect((await postForm(t, path, { password: '' })).status).toBe(400);
  const login = await postForm(t, path, { password: p.password });
  expect(login.status).toBe(303);
  const cookie = cookieFrom(login);
  const ready = await t.http().get(path).set('Cookie', cookie);
  expect(ready.status).toBe(200);
  expect(ready.text).toContain(`${path}/download`);
  const file = await t.http().post(`${path}/download`).set({ Cookie: cookie, Origin: ORIGIN }).type('form').send('').buffer(true).parse(binaryBody);
  expect(file.status).toBe(200);
  expect(file.headers['content-type']).toBe('application/x-pkcs12');
  expect((await t.http().get('/d/000000000000000000000000000')).status).toBe(404);
  expect((await t.http().get('/d/short')).status).toBe(400);
  expect((await t.http().get(IMPORT_HELP_PATH)).status).toBe(200);
  expect((await t.http().get('/no/such/page')).status).toBe(404);
  const facts = { serial: '0A', issuedAt: T0, expiresAt: T0 + 1, nameRomaji: 'YAMADA TARO', nameJa: '山田 太郎', mailing: {}, ca: testConfig().ca };
  expect(await renderPasswordLetter(facts, 'Ab3dEf7H')).toMatch(/^<!doctype html>/);
  expect(await renderPinLetter(facts, 'Ab3dEf7H')).toMatch(/^<!doctype html>/);
  expect(run).not.toHaveBeenCalled();
  expect(enterWith).not.toHaveBeenCalled();
  // The effect itself: with no promise hook installed, a promise reaction runs without an async
  // id of its own (0). Any module that had switched the hooks on, by whatever API, shows here.
  expect(await Promise.resolve().then(() => executionAsyncId())).toBe(0);
});
