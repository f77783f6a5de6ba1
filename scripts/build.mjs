// Bundles the server and the staff command into dist/ so they run on plain Node: no TypeScript
// loader in the process. The pure-JS dependencies go into the bundle too: Node's ESM loader
// resolves, reads and compiles each of their few hundred files one by one, which was about half
// of the server's start-up; the native ones (better-sqlite3, argon2, pkcs11js) stay in node_modules.
// Skipped when dist/ is newer than every source file and than the last `npm install`
// (bundle-state.mjs), so running it again costs only the check. scripts/start.mjs, which `npm
// start` and `npm run staff` run, starts it when that check fails, so neither runs a stale bundle.
import fs from 'node:fs';
import path from 'node:path';
import { bundleIsFresh, outputs, root } from './bundle-state.mjs';

// The paths below are the project's own, wherever this was started from.
process.chdir(root);
if (bundleIsFresh()) process.exit(0);

// Loaded only when a build is due: importing esbuild alone costs a start-up a few hundred ms.
const { build } = await import('esbuild');
// The outputs are dated when the build began, not when esbuild finished writing: a source saved
// while it ran is then newer than dist/ and the next start builds again.
const startedAt = new Date();
// Built aside and renamed into place: a process starting meanwhile never loads half a file.
const temp = fs.mkdtempSync(path.join('dist-tmp-'));
await build({
  entryPoints: { server: 'src/server.ts', staff: 'scripts/staff.ts' },
  outdir: temp,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  // Code reached only through a dynamic import (the PostgreSQL store) goes into chunks of its
  // own, so a SQLite deployment never loads pg or its drizzle driver at start-up.
  splitting: true,
  target: 'node20',
  // Native addons load their .node file relative to their own folder; pg-native is pg's
  // optional, uninstalled driver.
  external: ['better-sqlite3', 'argon2', 'pkcs11js', 'pg-native'],
  // The CommonJS dependencies inside the ES module bundle call require() for Node's built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
  jsx: 'automatic',
  jsxImportSource: 'hono/jsx',
  // The maps let a stack trace be read against src/ and node_modules/ by line. They leave the
  // sources' text out (it is on disk): a process started with --enable-source-maps (the staff
  // commands; the server only when reproducing a crash, docs/operations.md) reads and parses the
  // maps of every chunk it loads, and with the text that was about a tenth of a start-up.
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});
fs.mkdirSync('dist', { recursive: true });
const fresh = new Set(fs.readdirSync(temp));
// Chunks first, the entry points last: a build cut short never leaves an up-to-date-looking
// server.mjs whose chunks are missing.
const entries = new Set(outputs.map((file) => path.basename(file)));
for (const name of [...fresh].sort((a, b) => Number(entries.has(a)) - Number(entries.has(b)))) {
  fs.utimesSync(path.join(temp, name), startedAt, startedAt);
  fs.renameSync(path.join(temp, name), path.join('dist', name));
}
fs.rmSync(temp, { recursive: true, force: true });
// Chunks of earlier builds (about 10 MB each) go once they are an hour old: a process started
// before this build may still import one of its lazy chunks (the PostgreSQL store, the copy).
const hourAgo = Date.now() - 3_600_000;
for (const name of fs.readdirSync('dist')) {
  const file = path.join('dist', name);
  if (!fresh.has(name) && fs.statSync(file).mtimeMs < hourAgo) fs.rmSync(file, { force: true });
}
