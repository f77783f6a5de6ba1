import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { portalListener } from '../../src/http/node-server.js';
import type { Deps } from '../../src/deps.js';
import { makeTestApp, testConfig } from '../helpers.js';

export type RunningPortal = { origin: string; deps: Deps; close: () => Promise<void> };

/**
 * The real portal on an ephemeral port of 127.0.0.1, for a real browser. The socket is opened
 * first so PUBLIC_URL (which the CSRF check compares Origin with) can name the port exactly.
 */
export async function startPortal(): Promise<RunningPortal> {
  let listener: ReturnType<typeof portalListener> | null = null;
  const server = createServer((req, res) => {
    if (listener) return void listener(req, res);
    res.writeHead(503).end('starting');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = makeTestApp({ config: testConfig({ PUBLIC_URL: origin }) });
  // The wall clock, so what the page says about "now" matches the browser's real seconds.
  const deps: Deps = { ...app.deps, clock: () => Date.now() };
  listener = portalListener(deps);
  return {
    origin,
    deps,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      app.close();
    },
  };
}
