import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { runCommand } from './child.js';

/** The facts that make two reports comparable, one line each for the report header. */
export async function machineFacts(nginx: string): Promise<string[]> {
  const openssl = await runCommand('openssl', ['version'], { timeoutMs: 5000 });
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return [
    `Machine: ${availableParallelism()} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}`,
    `Node ${process.version} (its OpenSSL ${process.versions.openssl}); ${openssl.stdout.trim() || 'openssl CLI not found'}; nginx ${nginx}`,
    `Transparent huge pages: ${hugePages()} (npm start's glibc.malloc.hugetlb=1 matters under madvise; always needs no asking, never ignores it)`,
  ];
}

/** The kernel's THP mode, the bracketed word of its setting; the password flood's faults depend on it. */
function hugePages(): string {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'not available';
  }
}

/** Which commit was measured; read-only git (no optional locks, so the index is not rewritten). */
export async function describeCommit(dir: string): Promise<string> {
  const head = await runCommand('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { timeoutMs: 5000 });
  if (head.code !== 0) return 'no commit yet';
  const dirty = await runCommand('git', ['--no-optional-locks', '-C', dir, 'status', '--porcelain'], { timeoutMs: 10_000 });
  return `commit ${head.stdout.trim()}${dirty.stdout.trim() === '' ? '' : ' with uncommitted changes'}`;
}
