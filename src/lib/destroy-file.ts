import fs from 'node:fs';

export type DestroyOutcome = 'deleted' | 'missing' | { error: string };

/**
 * Overwrites a file with zeros, flushes it, and unlinks it. On a journaling or copy-on-write
 * file system (or an SSD) the old blocks may survive the overwrite: it is a best effort, which is
 * why the letters folder belongs on the staff machine, not in backups. A file already gone
 * (deleted by hand after printing) is `missing`.
 */
export function destroyFile(file: string): DestroyOutcome {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'missing' : { error: code ?? (err as Error).message };
  }
  try {
    const size = fs.fstatSync(fd).size;
    const zeros = Buffer.alloc(Math.min(size, 64 * 1024));
    for (let at = 0; at < size; at += zeros.length) fs.writeSync(fd, zeros, 0, Math.min(zeros.length, size - at), at);
    fs.fsyncSync(fd);
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.unlinkSync(file);
    return 'deleted';
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
  }
}
