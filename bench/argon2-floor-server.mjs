// The framework's floor for a wrong guess: Hono on @hono/node-server reading the form, one argon2id
// check with a pepper (at most as many at once as the portal's hasher allows), and a 401 page
// of the portal's size. No pickup, throttle, timeline, log line, session or security header:
// what the stack itself costs around each check. Plain JavaScript, run with `npm start`'s node
// flags and environment, as the hello-world is.
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
  const form = await c.req.parseBody();
  const ok = await check(String(form.password ?? ''));
  return c.html(ok ? 'ok' : page, ok ? 200 : 401);
});
app.get('/healthz', (c) => c.json({ ok: true }));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1' });
