import { SqliteStore } from '../../src/db/sqlite-store.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createPortalServer } from '../../src/http/node-server.js';
import { openDeps } from '../../src/bootstrap.js';
import { findSealedFile } from '../../src/db/pickups.js';
import type { Deps } from '../../src/deps.js';
import { DAY, HOUR, manualClock } from '../../src/lib/clock.js';
import { loadOrCreateDevCa } from '../../src/pki/ca-store.js';
import { sealedKid } from '../../src/secrets/sealer.js';
import { caDir } from '../../src/services/ca-issuer.js';
import type { IssuedPickup } from '../../src/services/create-pickup.js';
import { main as staffMain } from '../../src/staff/cli.js';
import { issueTestPickup } from '../factories.js';
import { cookieFrom, ORIGIN, pathOf, T0, TEST_SECRETS } from '../helpers.js';

const clock = manualClock(T0);

async function staff(env: Record<string, string>, argv: string[]): Promise<{ code: number; json: Record<string, unknown>; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await staffMain(argv, { env, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, clock });
  return { code, json: stdout.trim() ? (JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>) : {}, stderr };
}

/** Password, then Download, on an app built from `deps`: the status of the download. */
async function download(deps: Deps, p: IssuedPickup): Promise<number> {
  const http = () => request(createPortalServer(deps));
  const login = await http().post(pathOf(p.url)).set('Origin', ORIGIN).type('form').send({ password: p.password });
  expect(login.status).toBe(303);
  const file = await http().post(`${pathOf(p.url)}/download`).set('Origin', ORIGIN).set('Cookie', cookieFrom(login)).type('form').send({});
  return file.status;
}

const kidOf = (deps: Deps, p: IssuedPickup) => findSealedFile((deps.store as SqliteStore).db, p.id)!.kid;
const caKids = (dir: string) => ['root.key.jwe', 'issuing.key.jwe'].map((f) => sealedKid(fs.readFileSync(path.join(dir, f), 'utf8').trim()));

describe('staff rotate-seal-key, keys in DATA_DIR/keys', () => {
  it('new pickups get the new key, old ones still download, unused keys retire once purged', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-rotate-'));
    const env = { DATA_DIR: dataDir, PUBLIC_URL: ORIGIN, LOG_LEVEL: 'silent' };
    const keysDir = path.join(dataDir, 'keys');
    // A server that was started before the rotation and keeps running through it.
    const running = await openDeps(env, { clock });
    const oldKid = running.sealer.currentKid;
    const old = await issueTestPickup(running);
    const rootPem = fs.readFileSync(path.join(caDir(running), 'root.crt.pem'), 'utf8');
    expect(caKids(caDir(running))).toEqual([oldKid, oldKid]);

    const rotated = await staff(env, ['rotate-seal-key', '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newKid = rotated.json.newKid as string;
    expect(newKid).toMatch(/^k\d{8}-[0-9a-f]{6}$/);
    expect(newKid).not.toBe(oldKid);
    expect(fs.readFileSync(path.join(keysDir, 'seal-current'), 'utf8').trim()).toBe(newKid);
    expect(fs.existsSync(path.join(keysDir, `seal-${oldKid}.key`))).toBe(true);

    // A staff process started after the rotation seals with the new key.
    const after = await openDeps(env, { clock });
    expect(after.sealer.currentKid).toBe(newKid);
    const fresh = await issueTestPickup(after, { nameRomaji: 'SATO HANAKO' });
    expect(kidOf(after, fresh)).toBe(newKid);
    expect(kidOf(after, old)).toBe(oldKid);
    // The running server learns the new key when it first meets it; the old pickup opens under the old key.
    expect(await download(running, fresh)).toBe(200);
    expect(await download(after, old)).toBe(200);

    // The old key still seals a live pickup: it stays. The CA keys move to the new key.
    const early = await staff(env, ['rotate-seal-key', '--retire-unused', '--no-new-key', '--json']);
    expect(early.code, early.stderr).toBe(0);
    expect(early.json).toMatchObject({ resealedCaKeys: 2, retired: [] });
    // Within the hour after a rotation nothing retires: a command started before it may still seal.
    expect(early.json.settlingUntil).toBe(new Date(T0 + HOUR).toISOString());
    expect(early.json.kept).toContainEqual({ kid: oldKid, sealedFiles: 1, mailUrls: 0, caKeys: 0 });
    expect(caKids(caDir(running))).toEqual([newKid, newKid]);

    clock.advance(HOUR);
    const late = await staff(env, ['rotate-seal-key', '--retire-unused', '--no-new-key', '--json']);
    expect(late.code, late.stderr).toBe(0);
    expect(late.json).toMatchObject({ purged: 2, resealedCaKeys: 0, retired: [oldKid] });
    expect(fs.readdirSync(keysDir).filter((f) => f.startsWith('seal-')).sort()).toEqual(['seal-current', `seal-${newKid}.key`, 'seal-rotated-at']);

    // Only the new key is left, and it opens the same CA: no new CA was made.
    const restarted = await openDeps(env, { clock });
    const ca = await loadOrCreateDevCa(caDir(restarted), restarted.sealer, clock(), restarted.random);
    expect(ca.created).toBe(false);
    expect(ca.rootCertPem).toBe(rootPem);
    const third = await issueTestPickup(restarted, { nameRomaji: 'SUZUKI ICHIRO' });
    expect(await download(restarted, third)).toBe(200);
    for (const d of [running, after, restarted]) await d.store.close();
  });
});

describe('staff rotate-seal-key, keys in SEAL_KEYS', () => {
  it('prints the new key for the operator and names the keys that may leave the list', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-rotate-env-'));
    const oldSpec = `old:${TEST_SECRETS.seal}`;
    const env = { DATA_DIR: dataDir, PUBLIC_URL: ORIGIN, LOG_LEVEL: 'silent', SEAL_KEYS: oldSpec, PASSWORD_PEPPER: TEST_SECRETS.pepper, SESSION_KEY: TEST_SECRETS.session };
    const deps = await openDeps(env, { clock });
    const p = await issueTestPickup(deps);

    const printed = await staff(env, ['rotate-seal-key', '--json']);
    expect(printed.code, printed.stderr).toBe(0);
    const spec = printed.json.newKey as string;
    expect(spec).toMatch(/^k\d{8}-[0-9a-f]{6}:[A-Za-z0-9_-]{43}$/);
    expect(fs.existsSync(path.join(dataDir, 'keys', 'seal-current'))).toBe(false);
    expect((await staff(env, ['rotate-seal-key', '--retire-unused'])).code).toBe(1);

    const rotatedEnv = { ...env, SEAL_KEYS: `${spec},${oldSpec}` };
    const rotated = await openDeps(rotatedEnv, { clock });
    expect(await download(rotated, p)).toBe(200);
    const early = await staff(rotatedEnv, ['rotate-seal-key', '--retire-unused', '--no-new-key', '--json']);
    expect(early.json).toMatchObject({ resealedCaKeys: 2, unused: [] });
    clock.advance(31 * DAY);
    const late = await staff(rotatedEnv, ['rotate-seal-key', '--retire-unused', '--no-new-key', '--json']);
    expect(late.json).toMatchObject({ purged: 1, unused: ['old'], retired: [] });

    const newOnly = await openDeps({ ...env, SEAL_KEYS: spec }, { clock });
    expect((await loadOrCreateDevCa(caDir(newOnly), newOnly.sealer, clock(), newOnly.random)).created).toBe(false);
    for (const d of [deps, rotated, newOnly]) await d.store.close();
  });
});
