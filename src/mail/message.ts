/** A paragraph (line breaks kept), or a URL that must stand on a line of its own. */
export type Block = string | { url: string };

export type BilingualMail = { subject: string; ja: Block[]; en: Block[] };
export type ComposedMail = { subject: string; text: string; html: string };

/**
 * Longest URL line a mail program will not wrap (RFC 5322 recommends 78 characters including
 * CRLF). A wrapped URL is the commonest "the URL does not work" call.
 */
export const MAX_URL_LINE = 76;

const ENGLISH_RULE = '-- English ' + '-'.repeat(40);

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function textOf(blocks: Block[]): string {
  return blocks.map((b) => (typeof b === 'string' ? b : b.url)).join('\n\n');
}

function htmlOf(blocks: Block[]): string {
  return blocks
    .map((b) =>
      typeof b === 'string'
        ? `<p>${escapeHtml(b).replaceAll('\n', '<br>')}</p>`
        : `<p><a href="${escapeHtml(b.url)}">${escapeHtml(b.url)}</a></p>`,
    )
    .join('\n');
}

/** Japanese first, then English, in both the plain-text and the HTML part. */
export function renderMail(mail: BilingualMail): ComposedMail {
  for (const b of [...mail.ja, ...mail.en]) {
    if (typeof b !== 'string' && (b.url.length > MAX_URL_LINE || /\s/.test(b.url))) {
      throw new RangeError(`a URL in a mail must fit on one line of ${MAX_URL_LINE} characters: ${b.url}`);
    }
  }
  const text = `${textOf(mail.ja)}\n\n${ENGLISH_RULE}\n\n${textOf(mail.en)}\n`;
  const html =
    '<!doctype html>\n<html lang="ja"><head><meta charset="utf-8"></head>' +
    '<body style="font-family: sans-serif; line-height: 1.6">\n' +
    `<div lang="ja">\n${htmlOf(mail.ja)}\n</div>\n<hr>\n<div lang="en">\n${htmlOf(mail.en)}\n</div>\n</body></html>\n`;
  return { subject: mail.subject, text, html };
}
