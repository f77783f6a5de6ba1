import { Agent, get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

type Input = { url: string; intervalMs: number };

const { url, intervalMs } = workerData as Input;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const latencies: number[] = [];
let failures = 0;
let stopping = false;
parentPort!.on('message', (message: 'restart' | 'stop') => {
  if (message === 'stop') stopping = true;
  // A restart drops the answer times so far; failures always count.
  else latencies.length = 0;
});

function probe(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = get(url, { agent, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

// The first probe opens the connection: it says nothing about the server's event loop. Once it
// is back the worker is running (loaded and compiled), which the caller may wait for.
await probe().catch(() => undefined);
parentPort!.postMessage('ready');
while (!stopping) {
  const started = performance.now();
  try {
    latencies.push(await probe());
  } catch {
    failures++;
  }
  const rest = intervalMs - (performance.now() - started);
  if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
}
agent.destroy();
parentPort!.postMessage({ latencies, failures });
