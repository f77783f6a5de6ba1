import { join } from 'node:path';
import { freePort } from '../http.js';
import { REPO_ROOT, startServer, type RunningServer } from '../server.js';
import type { Settings } from '../settings.js';

/**
 * The framework's own floor, the baseline issue 15's targets are ratios of: a Hono hello-world
 * page of `bytes` bytes on @hono/node-server (bench/hello-server.mjs), started with `npm start`'s
 * own environment and node flags. It runs beside the portal and is stopped before phase 3.
 */
export function startHello(s: Settings, bytes: number): Promise<RunningServer> {
  return startBaseline(s, 'hello', { HELLO_BYTES: String(bytes) });
}

/** bench/<name>-server.mjs with `npm start`'s environment and node flags, and `env` added. */
export async function startBaseline(s: Settings, name: string, env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort();
  return startServer(
    'direct',
    {
      appDir: s.appDir,
      port,
      dataDir: join(s.workDir, name),
      logFile: join(s.rawDir, `${name}-server.log`),
      script: join(REPO_ROOT, 'bench', `${name}-server.mjs`),
      env,
    },
    s.startTimeoutMs,
  );
}
