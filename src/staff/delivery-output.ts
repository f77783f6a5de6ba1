import fs from 'node:fs';
import path from 'node:path';
import { isInside, type Config } from '../config.js';
import type { Delivery } from '../services/deliver-issued.js';
import type { MailOutcome } from '../services/mail-delivery.js';
import { UsageError, type ParsedArgs } from './context.js';

export const letterOptions = {
  'letters-dir': { type: 'string' as const },
  'no-letters': { type: 'boolean' as const },
};

export const LETTERS_WARNING = 'The letters hold the password and the PIN: print them, then delete the files.';

/**
 * `--no-letters`: none; `--letters-dir DIR`: there; otherwise LETTERS_DIR. With neither, the
 * command refuses before it issues anything: the letters hold the password and the PIN, and no
 * folder is a safe guess (DATA_DIR least of all: its backups would carry all three secrets).
 */
export function lettersDirOption(args: ParsedArgs, config: Pick<Config, 'dataDir' | 'lettersDir'>): string | null {
  if (args.values['no-letters'] === true) return null;
  const given = args.values['letters-dir'];
  const dir = typeof given === 'string' ? path.resolve(given) : config.lettersDir;
  if (dir === null) {
    throw new UsageError('say where the letters go: --letters-dir DIR or LETTERS_DIR=DIR (a folder on the staff machine, outside DATA_DIR), or --no-letters');
  }
  if (isInside(dir, config.dataDir) || isInside(realPath(dir), realPath(config.dataDir))) throw new UsageError(`--letters-dir ${dir} is inside DATA_DIR (${config.dataDir}): choose a folder outside it`);
  return dir;
}

/** Where a path really leads (symbolic links followed), for the part of it that exists yet. */
function realPath(dir: string): string {
  let existing = dir;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    return path.join(fs.realpathSync(existing), path.relative(existing, dir));
  } catch {
    return dir;
  }
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
