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
    // Never through a link: a symlink planted in the letters folder must not aim the zeros at
    // the database or a key file (O_NONBLOCK so a planted FIFO cannot hang the sweep).
    fd = fs.openSync(file, fs.constants.O_RDWR | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { error: 'not a regular file (a symbolic link): left alone' };
    return code === 'ENOENT' ? 'missing' : { error: code ?? (err as Error).message };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { error: 'not a regular file: left alone' };
    // Zeroing a file with another name would destroy what that name holds.
    if (stat.nlink > 1) return { error: 'has another hard link: left alone' };
    const size = stat.size;
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
