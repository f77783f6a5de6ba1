import argon2 from 'argon2';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

type Input = { hash: string; secret: Uint8Array };

// One verify at a time, as one of the server's running checks would be made. The worker warms up,
// says it is ready, then counts verifies for each { durationMs } it is sent.
const { hash, secret } = workerData as Input;
const options = { secret: Buffer.from(secret) };
await argon2.verify(hash, 'warm-up', options);
parentPort!.on('message', async ({ durationMs }: { durationMs: number }) => {
  const started = performance.now();
  let verified = 0;
  while (performance.now() - started < durationMs) {
    await argon2.verify(hash, 'wrong password', options);
    verified++;
  }
  parentPort!.postMessage({ verified, ms: performance.now() - started });
});
parentPort!.postMessage('ready');
