import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPasswordLetter, renderPinLetter, type LetterFacts } from '../../src/postal/letters.js';
import { ARTIFACTS, launchChromium, skipBrowser, tmpDir } from './chromium.js';
import { T0, testConfig } from '../helpers.js';

/**
 * Each letter kind printed from Chromium to A4, as staff print them: one sheet each. Long but
 * valid names and addresses are used, and Japanese fonts must be installed, or the page count
 * would measure a fallback font (CI installs fonts-ipafont-*).
 */
const LONG_ADDRESS = '〒100-0001\n東京都千代田区千代田一丁目1番1号\n受取りマンション東館1201号室';
const PROXY_ADDRESS = '〒231-0001\n神奈川県横浜市中区新港二丁目2番2号\n横浜ベイサイドビルディング15階';
const base = (mailing: LetterFacts['mailing']): LetterFacts => ({
  serial: '7A3F09C1D2E4B5A6',
  issuedAt: T0,
  expiresAt: T0 + 30 * 86_400_000,
  nameRomaji: 'YAMADA TARO',
  nameJa: '山田 太郎',
  mailing,
  ca: testConfig({ SUPPORT_URL: 'https://ca.example.jp/support/certificates' }).ca,
});
const KINDS: Array<{ name: string; render: () => Promise<string> }> = [
  { name: 'password', render: () => renderPasswordLetter(base({ postalAddress: LONG_ADDRESS }), 'Ab3dEf7H') },
  { name: 'password-proxy', render: () => renderPasswordLetter(base({ postalAddress: LONG_ADDRESS, proxyName: '佐藤 花子', proxyPostalAddress: PROXY_ADDRESS }), 'Ab3dEf7H') },
  { name: 'pin', render: () => renderPinLetter(base({ postalAddress: LONG_ADDRESS }), 'Zx8kMn4P') },
  { name: 'pin-proxy', render: () => renderPinLetter(base({ postalAddress: LONG_ADDRESS, proxyName: '佐藤 花子', proxyPostalAddress: PROXY_ADDRESS }), 'Zx8kMn4P') },
];

function pdfPages(file: string): { pages: number; size: string } {
  const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  if (info.status !== 0) throw new Error(`pdfinfo failed (apt-get install -y poppler-utils): ${info.stderr}`);
  return { pages: Number(/^Pages:\s+(\d+)/m.exec(info.stdout)?.[1]), size: /^Page size:\s+(.*)$/m.exec(info.stdout)?.[1] ?? '' };
}

let browser: Browser;

describe.skipIf(skipBrowser)('letters printed to A4 from Chromium', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('has Japanese fonts to print with', () => {
    const fonts = spawnSync('fc-list', [':lang=ja', 'family'], { encoding: 'utf8' });
    expect(fonts.stdout.trim(), 'install fonts-ipafont-gothic and fonts-ipafont-mincho').not.toBe('');
  });

  for (const kind of KINDS) {
    it(`${kind.name} letter fits one A4 sheet`, { timeout: 60_000 }, async () => {
      const page = await browser.newPage();
      try {
        await page.setContent(await kind.render(), { waitUntil: 'load' });
        await page.emulateMedia({ media: 'print' });
        const dir = tmpDir('uketori-pdf-');
        const file = path.join(dir, `${kind.name}.pdf`);
        await page.pdf({ path: file, format: 'A4', preferCSSPageSize: true, printBackground: true });
        const { pages, size } = pdfPages(file);
        fs.mkdirSync(path.join(ARTIFACTS, 'letters'), { recursive: true });
        fs.copyFileSync(file, path.join(ARTIFACTS, 'letters', `${kind.name}.pdf`));
        fs.rmSync(dir, { recursive: true, force: true });
        expect(size).toMatch(/\(A4\)$/);
        expect(pages).toBe(1);
        // The text really was laid out in a Japanese font, not in boxes of a missing one.
        const fontUsed = await page.evaluate(() => document.fonts.check('10pt serif', '受取り'));
        expect(fontUsed).toBe(true);
      } finally {
        await page.close();
      }
    });
  }
});
