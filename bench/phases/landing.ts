import type { Nginx } from '../nginx.js';
import { fetchLanding } from '../portal.js';
import { errorText, type PhaseResult, type Settings } from '../settings.js';
import { compareWithNginx, type Comparison } from './http-versus-nginx.js';
import type { RunningServer } from '../server.js';

/** Issue 15's target: at least this share of the hello-world's req/s at 10 connections. */
export const LANDING_MIN_RATIO = 0.25;

/** Used for the nginx file only when the app could not be asked for its real page. */
const ASSUMED_LANDING_BYTES = 4096;

/** Phase 1: GET the landing page of a valid pickup, against nginx serving a file of its size. */
export async function runLanding(
  s: Settings,
  nginx: Nginx,
  pickupUrl: string | null,
  hello: RunningServer | null,
  serverPid: number | null,
): Promise<Comparison> {
  const errors: string[] = [];
  let size: number | null = null;
  if (pickupUrl !== null) {
    try {
      size = await fetchLanding(pickupUrl);
    } catch (err) {
      errors.push(`1. Landing GET: ${errorText(err)}`);
    }
  }
  const bytes = size ?? ASSUMED_LANDING_BYTES;
  const path = await nginx.serveFile('landing.html', bytes);
  const sizeNote = `nginx, ${bytes} B file${size === null ? ', size assumed' : ''}`;
  const uketori = size === null || pickupUrl === null ? null : { url: pickupUrl };
  const framework = { target: hello === null ? null : { url: `${hello.origin}/` }, pid: hello?.pid ?? null, note: `Hono hello-world, ${bytes} B`, minRatio: LANDING_MIN_RATIO, maxP99Ms: 5 };
  const result = await compareWithNginx(s, '1. Landing GET', uketori, { url: `${nginx.origin}${path}` }, sizeNote, framework, serverPid);
  return { ...result, errors: [...errors, ...result.errors], raw: { ...result.raw, bytes } };
}
