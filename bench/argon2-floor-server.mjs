// Hono + argon2 alone, phase 3's estimate of what the stack costs around a wrong guess: Hono on
// @hono/node-server reads the form, runs one argon2id check with a pepper (no more at once than
// the portal's hasher allows), and answers a 401 page of the portal's length. It reads no pickup
// and has no throttle, timeline, log line, session or security header, and its queue runs every
// check it was given, even for a client that has gone. Plain JavaScript, run with `npm start`'s
// node flags and environment, as the hello-world is.
import os from 'node:os';
import { serve } from '@hono/node-server';
import argon2 from 'argon2';
import { Hono } from 'hono';

const bytes = Number(process.env.FLOOR_BYTES ?? 4096);
const page = `<!doctype html><html><body><p>${'a'.repeat(Math.max(0, bytes - 48))}</p></body></html>`;
const secret = Buffer.alloc(32, 7);
const hash = await argon2.hash('Bench2pw', { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1, secret });
// The portal's own limit: one check per core, and never the whole libuv pool.
const limit = Math.max(1, Math.min(os.availableParallelism(), (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 1));
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
// The limit is shown so that a test can see it is the portal's.
app.get('/healthz', (c) => c.json({ ok: true, limit }));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1' });
