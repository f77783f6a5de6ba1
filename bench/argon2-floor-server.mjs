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

const bytes = Number(required('FLOOR_BYTES'));
const params = JSON.parse(required('FLOOR_ARGON2'));
const limit = Number(required('FLOOR_CONCURRENCY'));
if (!(Number.isSafeInteger(bytes) && bytes > 0 && Number.isSafeInteger(limit) && limit > 0)) {
  throw new Error('argon2-floor-server: FLOOR_BYTES and FLOOR_CONCURRENCY must be whole numbers above 0');
}
const page = `<!doctype html><html><body><p>${'a'.repeat(Math.max(0, bytes - 48))}</p></body></html>`;
const secret = Buffer.alloc(32, 7);
const hash = await argon2.hash('Bench2pw', { ...params, secret });
let running = 0;
const waiting = [];

async function check(password) {
  if (running >= limit) await new Promise((resolve) => waiting.push(resolve));
  else running++;
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
// The limit and the hash's parameters (its PHC string without salt and digest) are shown so that
// a test can see they are the portal's.
const hashParams = hash.split('$').slice(0, 4).join('$');
app.get('/healthz', (c) => c.json({ ok: true, limit, hashParams }));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1' });
