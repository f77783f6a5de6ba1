import path from 'node:path';
import { defaultLettersDir } from '../postal/write-letters.js';
import type { Delivery } from '../services/deliver-issued.js';
import type { MailOutcome } from '../services/mail-delivery.js';
import type { ParsedArgs } from './context.js';

export const letterOptions = {
  'letters-dir': { type: 'string' as const },
  'no-letters': { type: 'boolean' as const },
};

export const LETTERS_WARNING = 'The letters hold the password and the PIN: print them, then delete the files.';

/** `--no-letters`: none; `--letters-dir DIR`: there; otherwise DATA_DIR/letters. */
export function lettersDirOption(args: ParsedArgs, dataDir: string): string | null {
  if (args.values['no-letters'] === true) return null;
  const dir = args.values['letters-dir'];
  return typeof dir === 'string' ? path.resolve(dir) : defaultLettersDir(dataDir);
}

export function mailText(mail: MailOutcome): string {
  switch (mail.status) {
    case 'sent':
      return mail.file ? `written for ${mail.to}: ${mail.file}` : `sent to ${mail.to}`;
    case 'failed':
      return `FAILED for ${mail.to} (${mail.error}); it is recorded: run "npm run staff -- mail --retry"`;
    case 'no-address':
      return 'not sent: no email address; give the subscriber the URL another way';
    case 'already':
      return 'already sent or queued';
  }
}

/** Lines added under the single-issue summary. */
export function deliveryLines(d: Delivery): string[] {
  const lines: string[] = [];
  if (d.letters.status === 'written') lines.push(`  Letters   ${d.letters.passwordFile}`, `            ${d.letters.pinFile}`, `            ${LETTERS_WARNING}`);
  if (d.letters.status === 'failed') lines.push(`  LETTERS NOT WRITTEN: ${d.letters.error}`, '            copy the password and PIN above now, or cancel this pickup and issue again');
  lines.push(`  Mail      ${mailText(d.mail)}`);
  return lines;
}

export function deliveryJson(d: Delivery): Record<string, unknown> {
  return {
    letters: d.letters.status === 'written' ? { password: d.letters.passwordFile, pin: d.letters.pinFile } : null,
    ...(d.letters.status === 'failed' ? { lettersError: d.letters.error } : {}),
    mail: d.mail,
  };
}
