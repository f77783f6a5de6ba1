// The framework's own floor: a Hono page on @hono/node-server with nothing else, of the same
// size as the portal's landing page. Plain JavaScript, so it runs with `npm start`'s exact node
// flags and no TypeScript loader, as the portal's bundle does.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const bytes = Number(process.env.HELLO_BYTES ?? 4096);
const page = `<!doctype html><html><body><p>${'a'.repeat(Math.max(0, bytes - 48))}</p></body></html>`;
const app = new Hono();
app.get('/', (c) => c.html(page));
app.get('/healthz', (c) => c.json({ ok: true }));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1' });
