import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

function writeTemp(file: string, content: string | Uint8Array): string {
  // A unique name per writer: racing processes never share a temp file.
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  } finally {
    fs.closeSync(fd);
  }
  return temp;
}

/**
 * Creates a file only its owner can read (0600 whatever the umask), complete and on disk the
 * moment it appears, and refuses to overwrite one that exists (EEXIST): two processes racing
 * to create it cannot clobber each other, and neither ever reads half a file.
 */
export function createPrivateFile(file: string, content: string | Uint8Array): void {
  const temp = writeTemp(file, content);
  try {
    fs.linkSync(temp, file);
  } finally {
    fs.rmSync(temp, { force: true });
  }
  syncFolder(file);
}

/** Replaces a private file atomically: a reader sees the old content or the new, never half. */
export function replacePrivateFile(file: string, content: string | Uint8Array): void {
  const temp = writeTemp(file, content);
  try {
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  syncFolder(file);
}

/** Makes the new name itself durable, so a power cut cannot undo a key file the database relies on. */
function syncFolder(file: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems cannot sync a folder; the file's own content was synced already.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
