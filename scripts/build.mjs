// Bundles the server and the staff command into dist/ so they run on plain Node: no TypeScript
// loader in the process. The pure-JS dependencies go into the bundle too: Node's ESM loader
// resolves, reads and compiles each of their few hundred files one by one, which was about half
// of the server's start-up; the native ones (better-sqlite3, argon2, pkcs11js) stay in node_modules.
// Skipped when dist/ is newer than every source file and than the last `npm install`, so
// `npm start` and `npm run staff` start fast and never run a stale bundle.
import fs from 'node:fs';
import path from 'node:path';

const outputs = ['dist/server.mjs', 'dist/staff.mjs'];
// node_modules/.package-lock.json is rewritten by every npm install, ci, update or uninstall.
const sources = ['src', 'views', 'scripts', 'patches', 'package.json', 'package-lock.json', 'tsconfig.json', 'node_modules/.package-lock.json'];

function newestMtime(entry) {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  // The folder's own time changes when a file in it is added, removed or renamed.
  return Math.max(stat.mtimeMs, ...fs.readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

const built = Math.min(...outputs.map((file) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0));
if (built > Math.max(...sources.map(newestMtime))) process.exit(0);

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
  sourcemap: true,
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
