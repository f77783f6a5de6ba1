// `npm start` (`node … scripts/start.mjs server`) and `npm run staff` (`… staff ARGS`): one node
// process that checks dist/ against the sources, builds it only when it is out of date, and then
// runs the bundle in this same process, with the node flags and environment it was started with.
// A separate node process just for the check cost every start one more Node start-up. The build
// runs as a child process, so esbuild (its import alone costs a few hundred ms) never loads here.
import { fileURLToPath } from 'node:url';
import { bundleIsFresh } from './bundle-state.mjs';

const [what, ...args] = process.argv.slice(2);
if (what !== 'server' && what !== 'staff') {
  console.error('usage: node scripts/start.mjs server | staff [command] [options]');
  process.exit(2);
}

if (!bundleIsFresh()) {
  // Loaded here only: the server itself never needs child_process.
  const { spawnSync } = await import('node:child_process');
  // Its output goes to stderr: a staff command's stdout may be read as JSON.
  const build = spawnSync(process.execPath, [fileURLToPath(new URL('build.mjs', import.meta.url))], { stdio: ['ignore', 2, 2] });
  if (build.status !== 0) {
    const how = build.error ? build.error.message : build.signal ? `killed by ${build.signal}` : `exit code ${build.status}`;
    console.error(`uketori: building dist/ failed (${how}); the ${what} was not started`);
    process.exit(1);
  }
}

// The bundles run themselves only when node is asked to run them: here they are told to.
if (what === 'server') (await import('../dist/server.mjs')).run();
else await (await import('../dist/staff.mjs')).run(args);
