import type { Child } from 'hono/jsx';
import type { Addressee } from './addressing.js';
import { KIND_LABEL, spellCode } from './code-characters.js';

// A4 portrait, one sheet: the address block sits where a window envelope (長形3号) shows it,
// and test/letters-pdf.test.ts prints every kind of letter in Chromium and counts the pages.
const CSS = `
@page { size: A4 portrait; margin: 12mm 17mm 12mm; }
* { box-sizing: border-box; }
html { font-family: "Hiragino Mincho ProN", "Yu Mincho", "Noto Serif CJK JP", "IPAMincho", serif; font-size: 9.5pt; line-height: 1.5; color: #000; }
body { margin: 0; }
.sheet { width: 176mm; margin: 0 auto; }
.head { display: flex; justify-content: space-between; align-items: flex-start; }
.address { min-height: 30mm; width: 95mm; padding-top: 2mm; font-size: 10.5pt; }
.address .postal { white-space: pre-line; }
.address .to { font-size: 12.5pt; margin-top: 1.5mm; }
.address .blank { border-bottom: 0.5pt solid #000; height: 8mm; }
.confidential { display: inline-block; border: 1.2pt solid #000; padding: 0.5mm 3mm; font-size: 12pt; font-weight: bold; letter-spacing: 0.3em; margin-bottom: 2mm; }
.meta { text-align: right; font-size: 9pt; }
.sender { margin-top: 1.5mm; font-size: 8.5pt; line-height: 1.45; text-align: right; }
.sender .label { display: block; font-weight: bold; }
h1 { font-size: 15pt; text-align: center; margin: 2mm 0 2mm; letter-spacing: 0.1em; }
h2 { font-size: 10pt; margin: 2mm 0 0.5mm; border-bottom: 0.5pt solid #000; break-after: avoid; }
p { margin: 0.8mm 0; }
ul { margin: 0.5mm 0; padding-left: 5mm; }
.mono { font-family: "OCR B", "Consolas", "Menlo", "DejaVu Sans Mono", monospace; }
.code { margin: 2mm auto 1.5mm; width: 110mm; border: 1.5pt solid #000; padding: 1.5mm 0; text-align: center;
  font-family: "OCR B", "Consolas", "Menlo", "DejaVu Sans Mono", monospace; font-size: 24pt; letter-spacing: 0.35em; }
table.spell { margin: 0 auto 1.5mm; border-collapse: collapse; font-size: 8.5pt; }
table.spell td { border: 0.5pt solid #000; padding: 0.3mm 2mm; text-align: center; }
table.spell td.ch { font-family: "OCR B", "Consolas", "Menlo", "DejaVu Sans Mono", monospace; font-size: 13pt; }
.en { margin-top: 2.5mm; padding-top: 1mm; border-top: 0.5pt dashed #000; font-family: "Helvetica", "Arial", "DejaVu Sans", sans-serif; font-size: 8.5pt; line-height: 1.4; }
.en h2 { font-size: 9pt; }
footer { margin-top: 2mm; font-size: 8.5pt; break-inside: avoid; }
.screen-only { font-family: sans-serif; background: #b00020; color: #fff; padding: 3mm 5mm; text-align: center; }
@media screen { body { background: #ddd; } .sheet { background: #fff; padding: 12mm 17mm; margin: 8mm auto; width: 210mm; min-height: 297mm; } }
@media print { .screen-only { display: none; } }
`;

/** The sender block (差出人): the CA and its support desk, so the letter is recognisably genuine. */
export type LetterSender = { name: string; nameEn: string; phone: string; hours: string; email: string; url: string | null };

export type LetterPageProps = { title: string; addressee: Addressee; date: string; serial: string; sender: LetterSender; children: Child };

/** The printed sheet: address block, 親展, date, serial and sender, title, body. Never more than one secret. */
export function LetterPage(props: LetterPageProps) {
  const { title, addressee, date, serial, sender, children } = props;
  return (
    <html lang="ja">
      <head>
        <meta charset="utf-8" />
        <meta name="robots" content="noindex" />
        <title>{`${title}（シリアル番号：${serial}）`}</title>
        <style dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <div class="screen-only">
          この書面には秘密のコードが記載されています。印刷したら、このファイルをすぐに削除してください。 / This file holds a secret code: delete it as soon as it is printed.
        </div>
        <div class="sheet">
          <div class="head">
            <div class="address">
              {addressee.postalAddress ? <div class="postal">{addressee.postalAddress}</div> : <div class="blank" />}
              <div class="to">{`${addressee.name}様`}</div>
              {addressee.role === 'proxy' ? <div>（代理受取人）</div> : null}
            </div>
            <div class="meta">
              <div class="confidential">親展</div>
              <div>{date}</div>
              <div>{`証明書シリアル番号：${serial}`}</div>
              <div class="sender">
                <span class="label">差出人</span>
                <div>{sender.name}</div>
                <div lang="en">{sender.nameEn}</div>
                <div>{`電話：${sender.phone}`}</div>
                <div>{`受付時間：${sender.hours}`}</div>
                <div>{`メール：${sender.email}`}</div>
                {sender.url ? <div>{sender.url}</div> : null}
              </div>
            </div>
          </div>
          <h1>{title}</h1>
          {children}
        </div>
      </body>
    </html>
  );
}

/** The code large, then spelled out: which characters are capitals, small letters, digits. */
export function CodeBox(props: { code: string }) {
  const spelled = spellCode(props.code);
  return (
    <div>
      <div class="code">{props.code}</div>
      <table class="spell">
        <tr>
          {spelled.map((c) => (
            <td class="ch">{c.ch}</td>
          ))}
        </tr>
        <tr>
          {spelled.map((c) => (
            <td>{KIND_LABEL[c.kind].ja}</td>
          ))}
        </tr>
        <tr>
          {spelled.map((c) => (
            <td>{KIND_LABEL[c.kind].en}</td>
          ))}
        </tr>
      </table>
    </div>
  );
}
