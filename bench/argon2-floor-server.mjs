// Hono + argon2 alone, phase 3's estimate of what the stack costs around a wrong guess: Hono on
// @hono/node-server reads the form, runs one argon2id check with a pepper (no more at once than
// the portal's hasher allows), and answers a 401 page of the portal's length. It reads no pickup
// and has no throttle, timeline, log line, session or security header, and its queue runs every
// check it was given, even for a client that has gone. Plain JavaScript, run with `npm start`'s
// node flags and environment, as the hello-world is. What it must share with the portal comes
// in its environment (bench/phases/floor.ts, floorEnv): FLOOR_BYTES, the page's length;
// FLOOR_ARGON2, the hasher's argon2 parameters as JSON; FLOOR_CONCURRENCY, its checks at once.
import { serve } from '@hono/node-server';
import argon2 from 'argon2';
import { Hono } from 'hono';

/** A setting the bench must give; the floor would measure something else without it. */
function required(name) {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`argon2-floor-server: ${name} is not set`);
  return value;
}

/** A whole number above 0 from the environment. */
function count(name) {
  const value = Number(required(name));
  if (!(Number.isSafeInteger(value) && value > 0)) throw new Error(`argon2-floor-server: ${name} must be a whole number above 0`);
  return value;
}

const bytes = count('FLOOR_BYTES');
const limit = count('FLOOR_CONCURRENCY');
const params = JSON.parse(required('FLOOR_ARGON2'));
for (const key of ['type', 'memoryCost', 'timeCost', 'parallelism']) {
  // argon2's own defaults would stand in for a missing one, and the floor would check another hash.
  if (!Number.isSafeInteger(params?.[key])) throw new Error(`argon2-floor-server: FLOOR_ARGON2 has no ${key}`);
}
const page = `<!doctype html><html><body><p>${'a'.repeat(Math.max(0, bytes - 48))}</p></body></html>`;
const secret = Buffer.alloc(32, 7);
const hash = await argon2.hash('Bench2pw', { ...params, secret });
let running = 0;
// The most checks that ever ran at once, for a test to hold to the limit.
let peak = 0;
const waiting = [];

async function check(password) {
  if (running >= limit) await new Promise((resolve) => waiting.push(resolve));
  else running++;
  peak = Math.max(peak, running);
  try {
    return await argon2.verify(hash, password, { secret });
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

const app = new Hono();
app.post('/d/:token', async (c) => {
  // Read as the portal reads its own urlencoded forms (src/http/form-field.ts): text, then
  // URLSearchParams, not parseBody.
  const password = new URLSearchParams(await c.req.text()).getAll('password').at(-1) ?? '';
  const ok = await check(password);
  return c.html(ok ? 'ok' : page, ok ? 200 : 401);
});
// The limit, the most checks run at once, and the hash's parameters (its PHC string without salt
// and digest) are shown so that a test can hold them to the portal's.
const hashParams = hash.split('$').slice(0, 4).join('$');
app.get('/healthz', (c) => c.json({ ok: true, limit, peak, hashParams }));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1' });
