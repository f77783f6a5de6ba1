import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * Whether this module is the file node was asked to run. Compared as resolved file URLs, so a
 * path with spaces or Japanese characters (percent-encoded in import.meta.url) or a symlink
 * (a service unit pointing at a link) still counts.
 */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(fs.realpathSync(script)).href === moduleUrl;
  } catch {
    return false;
  }
}
