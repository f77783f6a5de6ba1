import { Hono } from 'hono';
import { IMPORT_HELP_PATH } from '../../views/layout.js';
import type { AppEnv } from '../http/env.js';
import { importHelpResponse } from '../http/pages.js';

/** Static help that knows no pickup: still useful after the download URL has died. */
export function helpRoutes() {
  const app = new Hono<AppEnv>();
  app.get(IMPORT_HELP_PATH, (c) => importHelpResponse(c));
  return app;
}
