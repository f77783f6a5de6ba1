/**
 * `npx tsx bench/profile.ts [landing|download|wrong-password] [N]`: drives one route in-process and
 * writes a V8 CPU profile (run it under `node --cpu-prof`). Profile before optimising.
 */
import { createApp } from '../src/app.js';
import { issueTestPickup } from '../test/factories.js';
import { makeTestApp, ORIGIN } from '../test/helpers.js';

const [route = 'landing', count = '20000'] = process.argv.slice(2);
const t = makeTestApp();
const p = await issueTestPickup(t.deps);
const app = createApp(t.deps);
const path = new URL(p.url).pathname;
const form = (body: string, cookie = '') =>
  ({ method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, cookie } }) as RequestInit;
const login = await app.request(path, form(`password=${p.password}`));
const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
const wrong = p.password.slice(1) + p.password[0];

async function once(): Promise<void> {
  const res =
    route === 'download'
      ? await app.request(`${path}/download`, form('', cookie))
      : route === 'wrong-password'
        ? await app.request(path, form(`password=${wrong}`))
        : await app.request(path);
  await res.arrayBuffer();
}

for (let i = 0; i < 500; i++) await once();
const n = Number(count);
const started = performance.now();
for (let i = 0; i < n; i++) await once();
console.log(`${route}: ${((performance.now() - started) / n).toFixed(3)} ms per request in-process`);
t.close();
