import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.js';
import { fromRoot } from '../lib/project-root.js';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The portal serves its own CSS, script and fonts: no third-party origin is ever contacted. */
export function staticRoutes() {
  const dir = fromRoot('views', 'static');
  const files = new Map<string, { body: Uint8Array; type: string }>();
  for (const name of fs.readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type) files.set(name, { body: new Uint8Array(fs.readFileSync(path.join(dir, name))), type });
  }
  const app = new Hono<AppEnv>();
  app.get('/static/:name', (c) => {
    const file = files.get(c.req.param('name'));
    if (!file) return c.notFound();
    return c.body(file.body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': file.type, 'Cache-Control': 'public, max-age=3600' });
  });
  return app;
}
