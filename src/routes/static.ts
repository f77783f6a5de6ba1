import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { ConfigError } from '../config.js';
import type { AppEnv } from '../http/env.js';
import { fromRoot } from '../lib/project-root.js';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const MAX_LOGO_BYTES = 256 * 1024;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

type StaticFile = { body: Uint8Array; type: string };

/**
 * The CA's logo (CA_LOGO), read once when the app is built so a missing or wrong file stops the
 * start-up with one line instead of a broken image on every page.
 */
export function readLogo(file: string): StaticFile {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new ConfigError(`invalid configuration: CA_LOGO: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (bytes.length === 0 || bytes.length > MAX_LOGO_BYTES) {
    throw new ConfigError(`invalid configuration: CA_LOGO: ${file} must be between 1 byte and ${MAX_LOGO_BYTES / 1024} KiB`);
  }
  const isPng = bytes.subarray(0, 8).equals(PNG_MAGIC);
  const isSvg = /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/.test(bytes.subarray(0, 1024).toString('utf8'));
  if (path.extname(file).toLowerCase() === '.png' ? !isPng : !isSvg) {
    throw new ConfigError(`invalid configuration: CA_LOGO: ${file} is not a ${path.extname(file).slice(1).toUpperCase()} image`);
  }
  return { body: new Uint8Array(bytes), type: isPng ? 'image/png' : 'image/svg+xml' };
}

/** The portal serves its own CSS, script, icon and logo: no third-party origin is ever contacted. */
export function staticRoutes(logoFile: string | null = null) {
  const dir = fromRoot('views', 'static');
  const files = new Map<string, StaticFile>();
  for (const name of fs.readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type) files.set(name, { body: new Uint8Array(fs.readFileSync(path.join(dir, name))), type });
  }
  if (logoFile) files.set('ca-logo', readLogo(logoFile));
  const app = new Hono<AppEnv>();
  const send = (file: StaticFile) => (c: { body: (b: Uint8Array<ArrayBuffer>, s: 200, h: Record<string, string>) => Response }) =>
    c.body(file.body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': file.type, 'Cache-Control': 'public, max-age=3600' });
  app.get('/static/:name', (c) => {
    const file = files.get(c.req.param('name'));
    if (!file) return c.notFound();
    return send(file)(c);
  });
  // Browsers ask for /favicon.ico whatever the page links: answer with the same icon, not a 404.
  const favicon = files.get('favicon.svg');
  if (favicon) app.get('/favicon.ico', (c) => send(favicon)(c));
  return app;
}
