import fs from 'node:fs';
import path from 'node:path';
import { createPrivateFile } from '../lib/private-file.js';
import { renderPasswordLetter, renderPinLetter, type LetterFacts } from './letters.js';

export type WrittenLetters = { passwordFile: string; pinFile: string };

/** Created, never overwritten, 0600 whatever the umask: the file holds a secret. */
const writeSecretHtml = createPrivateFile;

/**
 * Writes the two letters, one secret per file, named by the serial. This is the only moment
 * they can be written: the server keeps neither the password nor the PIN. Staff print them and
 * delete the files.
 */
export async function writeLetters(dir: string, facts: LetterFacts, secrets: { password: string; pin: string }): Promise<WrittenLetters> {
  const [passwordHtml, pinHtml] = await Promise.all([renderPasswordLetter(facts, secrets.password), renderPinLetter(facts, secrets.pin)]);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(dir, `${facts.serial}-password.html`);
  const pinFile = path.join(dir, `${facts.serial}-pin.html`);
  writeSecretHtml(passwordFile, passwordHtml);
  try {
    writeSecretHtml(pinFile, pinHtml);
  } catch (err) {
    // Half a pair is useless to print and still holds a secret.
    fs.rmSync(passwordFile, { force: true });
    throw err;
  }
  return { passwordFile, pinFile };
}
