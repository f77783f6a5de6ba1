import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/**
 * Starts a TypeScript worker. tsx's loader does not reach worker threads on Node 20, so a
 * two-line JavaScript bootstrap registers it inside the worker before importing the file.
 */
export function startTsWorker(file: URL, workerData: unknown): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(api)})
    .then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** The first message a worker posts, or its error. */
export async function firstMessage<T>(worker: Worker): Promise<T> {
  const [message] = (await once(worker, 'message')) as [T];
  return message;
}
