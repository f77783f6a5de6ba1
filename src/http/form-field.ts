import type { Context } from 'hono';

const FORM_TYPE = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(?:;|$)/i;

type FormType = 'application/x-www-form-urlencoded' | 'multipart/form-data';

/** The form media type a Content-Type names (case folded), or null for anything else. */
export function formMediaType(contentType: string | undefined): FormType | null {
  const match = FORM_TYPE.exec(contentType ?? '');
  return match ? (match[1]!.toLowerCase() as FormType) : null;
}

/**
 * One text field of a posted form; '' when it is missing, not text, or the body cannot be read.
 * A urlencoded body, what the portal's own forms send, is read as text and split with
 * URLSearchParams: Hono's parseBody hands the bytes to a fetch Response only to call its
 * formData(), which was about 7% of the event loop's time per wrong password in a profile
 * (docs/benchmarks.md). A multipart body still goes through parseBody. The body limit and the
 * same-origin check have run before a handler does. As with parseBody, the last of repeated
 * fields wins.
 */
export async function formField(c: Context, name: string): Promise<string> {
  if (formMediaType(c.req.header('content-type')) === 'application/x-www-form-urlencoded') {
    const text = await c.req.text().catch(() => '');
    return new URLSearchParams(text).getAll(name).at(-1) ?? '';
  }
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const value = form[name];
  return typeof value === 'string' ? value : '';
}
