// Run by `npm install` and `npm ci` (postinstall). One change to hono/jsx, in its ES module and
// CommonJS builds: renders keep their context on hono's synchronous store instead of an
// AsyncLocalStorage. On Node 20 the first AsyncLocalStorage run switches promise hooks on for the
// whole process, and from then on every promise of every request pays for them (about a sixth of
// a landing page's CPU; docs/benchmarks.md). Our views are synchronous and use no JSX context,
// which is the case hono's fallback store is made for. test/http/no-promise-hooks.test.ts fails
// if the change is missing.
//
// The text to change is matched exactly: a hono release that moved it stops the install here,
// rather than shipping without the change. After this file changes, run `npm ci`.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const ANCHOR = '\talsProbed = true;\n';
const ADDED = '\t// Uketori (scripts/patch-hono.mjs): no AsyncLocalStorage; see that script.\n\treturn asyncLocalStorage;\n';
const files = ['hono/dist/jsx/context.js', 'hono/dist/cjs/jsx/context.js'];

const nodeModules = fileURLToPath(new URL('../node_modules/', import.meta.url));
for (const file of files) {
  const path = nodeModules + file;
  const text = fs.readFileSync(path, 'utf8');
  if (text.includes(ANCHOR + ADDED)) continue;
  if (text.includes('Uketori')) fail(file, 'holds another version of this change: run `npm ci` to start from a clean hono');
  const at = text.indexOf(ANCHOR);
  if (at < 0 || text.indexOf(ANCHOR, at + 1) >= 0) fail(file, 'no longer has the line this change follows (a new hono release?): update scripts/patch-hono.mjs');
  fs.writeFileSync(path, text.replace(ANCHOR, ANCHOR + ADDED));
}

function fail(file, why) {
  console.error(`patch-hono: node_modules/${file} ${why}`);
  process.exit(1);
}
