// Bundles the server and the staff command into dist/ so they run on plain Node: no TypeScript
// loader in the process (faster start, smaller memory). Dependencies stay in node_modules.
// Skipped when dist/ is newer than every source file, so `npm start` and `npm run staff` start fast.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const outputs = ['dist/server.mjs', 'dist/staff.mjs'];
const sources = ['src', 'views', 'scripts', 'package.json', 'tsconfig.json'];

function newestMtime(entry) {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  // The folder's own time changes when a file in it is added, removed or renamed.
  return Math.max(stat.mtimeMs, ...fs.readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

const built = Math.min(...outputs.map((file) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0));
if (built > Math.max(...sources.map(newestMtime))) process.exit(0);

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
  packages: 'external',
  jsx: 'automatic',
  jsxImportSource: 'hono/jsx',
  sourcemap: true,
  logLevel: 'warning',
});
fs.mkdirSync('dist', { recursive: true });
for (const name of fs.readdirSync(temp)) fs.renameSync(path.join(temp, name), path.join('dist', name));
fs.rmSync(temp, { recursive: true, force: true });
