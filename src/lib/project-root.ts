import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding package.json, found from this module's own location, so the paths to
 * drizzle/ and views/ are right whether the code runs from src/ (tsx) or from the dist/ bundle.
 */
function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'drizzle'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`uketori: cannot find the project folder above ${start}`);
    dir = parent;
  }
}

let root: string | null = null;

/** Resolved on first use, not at import: importing a module never touches the disk. */
export function fromRoot(...parts: string[]): string {
  root ??= findRoot(path.dirname(fileURLToPath(import.meta.url)));
  return path.join(root, ...parts);
}
