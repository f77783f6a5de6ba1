// Whether dist/ holds a bundle built from the sources as they are now: shared by the build
// (which skips itself when it does) and the launcher (which then starts without a build process).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project folder: npm runs scripts there, but a service manager may start elsewhere. */
export const root = fileURLToPath(new URL('..', import.meta.url));
export const outputs = ['dist/server.mjs', 'dist/staff.mjs'];
// node_modules/.package-lock.json is rewritten by every npm install, ci, update or uninstall.
const sources = ['src', 'views', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json', 'node_modules/.package-lock.json'];

function newestMtime(entry) {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  // The folder's own time changes when a file in it is added, removed or renamed.
  return Math.max(stat.mtimeMs, ...fs.readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

/** True when every output exists and is newer than every source file and the last `npm install`. */
export function bundleIsFresh() {
  const built = Math.min(...outputs.map((file) => fs.statSync(path.join(root, file), { throwIfNoEntry: false })?.mtimeMs ?? 0));
  return built > Math.max(...sources.map((entry) => newestMtime(path.join(root, entry))));
}
