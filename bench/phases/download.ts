import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Nginx } from '../nginx.js';
import { download, downloadTarget, logIn } from '../portal.js';
import { errorText, type PhaseResult, type Settings } from '../settings.js';
import type { IssuedPickup } from '../staff.js';
import { compareWithNginx, type Comparison, type Target } from './http-versus-nginx.js';
import type { RunningServer } from '../server.js';

const ASSUMED_P12_BYTES = 4096;

/** Issue 15's target: at least this share of the hello-world's req/s at 10 connections. */
export const DOWNLOAD_MIN_RATIO = 0.15;

export type DownloadPhase = Comparison & { p12File: string | null };

type Session = { target: Target; headers: Record<string, string>; p12: Buffer; notes: string[] };

/** Logs in, presses download twice (the first press opens the window), keeps the P12. */
async function openSession(pickup: IssuedPickup, origin: string): Promise<Session> {
  const cookie = await logIn(pickup.url, pickup.password, origin);
  const first = await download(pickup.url, cookie, origin);
  const again = await download(pickup.url, cookie, origin);
  const notes = first.equals(again) ? [] : ['2. Download: a second press in the window returned different bytes.'];
  const target = downloadTarget(pickup.url, origin, cookie);
  return { target, headers: target.headers, p12: first, notes };
}

/**
 * Phase 2: POST /download with a valid session inside the window, against nginx serving a file
 * of the P12's size to a GET that carries the same cookie and Origin headers.
 */
export async function runDownload(
  s: Settings,
  nginx: Nginx,
  pickup: IssuedPickup | null,
  origin: string | null,
  hello: RunningServer | null,
  serverPid: number | null,
): Promise<DownloadPhase> {
  const errors: string[] = [];
  let session: Session | null = null;
  if (pickup !== null && origin !== null) {
    try {
      session = await openSession(pickup, origin);
    } catch (err) {
      errors.push(`2. Download POST: ${errorText(err)}`);
    }
  }
  let p12File: string | null = null;
  if (session !== null) {
    p12File = join(s.workDir, 'pickup.p12');
    await writeFile(p12File, session.p12);
  }
  const bytes = session?.p12.length ?? ASSUMED_P12_BYTES;
  const path = await nginx.serveFile('pickup.p12', bytes);
  const sizeNote = `nginx, ${bytes} B file${session === null ? ', size assumed' : ''}`;
  const nginxTarget = { url: `${nginx.origin}${path}`, headers: session?.headers };
  // The baseline for both phases is the hello-world of the landing page's size.
  const framework = { target: hello === null ? null : { url: `${hello.origin}/` }, pid: hello?.pid ?? null, note: 'Hono hello-world, landing size', minRatio: DOWNLOAD_MIN_RATIO, maxP99Ms: 10 };
  const result = await compareWithNginx(s, '2. Download POST', session?.target ?? null, nginxTarget, sizeNote, framework, serverPid);
  return {
    ...result,
    notes: [...(session?.notes ?? []), ...result.notes],
    errors: [...errors, ...result.errors],
    raw: { ...result.raw, bytes },
    p12File,
  };
}
