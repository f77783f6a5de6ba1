import type { ChildProcess } from 'node:child_process';
import net from 'node:net';

/** A TCP port free on 127.0.0.1 right now, for a process a test starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The status of the first answer from http://127.0.0.1:port/healthz, polled every 100 ms; null
 * when nothing answered within `tries` polls or the process exited first.
 */
export async function firstHealthz(port: number, child: ChildProcess, tries = 100): Promise<number | null> {
  for (let i = 0; i < tries && child.exitCode === null; i++) {
    const status = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => null);
    if (status !== null) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}
