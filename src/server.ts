import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { openDeps } from './bootstrap.js';
import { ConfigError } from './config.js';
import { sweepKeyMaterial } from './sweep.js';

/** The one place that opens resources and listens. */
export function main(env: Record<string, string | undefined> = process.env) {
  const deps = openDeps(env);
  const first = sweepKeyMaterial(deps);
  if (first.destroyed.length > 0) deps.log.info({ destroyed: first.destroyed.length }, 'start-up sweep destroyed ended key material');
  const timer = setInterval(() => {
    const result = sweepKeyMaterial(deps);
    if (result.destroyed.length > 0) deps.log.info({ destroyed: result.destroyed.length }, 'sweep destroyed ended key material');
  }, deps.config.sweepIntervalMs);
  timer.unref();

  const server = serve({ fetch: createApp(deps).fetch, port: deps.config.port, hostname: deps.config.host }, (info) => {
    deps.log.info({ address: info.address, port: info.port, publicUrl: deps.config.publicUrl.origin }, 'uketori listening');
  });
  return { deps, server, timer };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`uketori: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}
