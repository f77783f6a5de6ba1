import type { Context } from 'hono';

/**
 * One text field of a posted form; '' when it is missing, not text, or the body cannot be read.
 * A urlencoded body, what the portal's own forms send, is read as text and split with
 * URLSearchParams: Hono's parseBody hands the bytes to a fetch Response only to call its
 * formData(), several times the work on a path every password guess takes
 * (docs/benchmarks.md). Any other body (multipart) still goes through parseBody. The body limit
 * has been applied before a handler runs. As with parseBody, the last of repeated fields wins.
 */
export async function formField(c: Context, name: string): Promise<string> {
  const type = c.req.header('content-type')?.split(';', 1)[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    const text = await c.req.text().catch(() => '');
    return new URLSearchParams(text).getAll(name).at(-1) ?? '';
  }
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const value = form[name];
  return typeof value === 'string' ? value : '';
}
