import type { Child } from 'hono/jsx';
import type { Addressee } from './addressing.js';
import { KIND_LABEL, spellCode } from './code-characters.js';

// A4 portrait; the address block sits where a window envelope (長形3号) shows it.
const CSS = `
@page { size: A4 portrait; margin: 18mm 20mm 20mm; }
* { box-sizing: border-box; }
html { font-family: "Hiragino Mincho ProN", "Yu Mincho", "Noto Serif CJK JP", serif; font-size: 10.5pt; line-height: 1.7; color: #000; }
body { margin: 0; }
.sheet { width: 170mm; margin: 0 auto; }
.address { min-height: 38mm; width: 95mm; padding-top: 4mm; white-space: pre-line; font-size: 11pt; }
.address .to { font-size: 13pt; margin-top: 2mm; }
.address .blank { border-bottom: 0.5pt solid #000; height: 8mm; }
.meta { text-align: right; font-size: 9.5pt; }
h1 { font-size: 16pt; text-align: center; margin: 6mm 0 4mm; letter-spacing: 0.1em; }
h2 { font-size: 11pt; margin: 5mm 0 1mm; border-bottom: 0.5pt solid #000; }
ul { margin: 1mm 0; padding-left: 5mm; }
.code { margin: 4mm auto 2mm; width: 110mm; border: 1.5pt solid #000; padding: 3mm 0; text-align: center;
  font-family: "OCR B", "Consolas", "Menlo", "DejaVu Sans Mono", monospace; font-size: 26pt; letter-spacing: 0.35em; }
table.spell { margin: 0 auto 3mm; border-collapse: collapse; font-size: 9pt; }
table.spell td { border: 0.5pt solid #000; padding: 0.5mm 2mm; text-align: center; }
table.spell td.ch { font-family: "OCR B", "Consolas", "Menlo", "DejaVu Sans Mono", monospace; font-size: 14pt; }
.en { margin-top: 5mm; padding-top: 2mm; border-top: 0.5pt dashed #000; font-family: "Helvetica", "Arial", sans-serif; font-size: 9pt; line-height: 1.5; }
.en h2 { font-size: 9.5pt; }
footer { margin-top: 5mm; font-size: 9pt; }
.screen-only { font-family: sans-serif; background: #b00020; color: #fff; padding: 3mm 5mm; text-align: center; }
@media screen { body { background: #ddd; } .sheet { background: #fff; padding: 18mm 20mm; margin: 8mm auto; width: 210mm; min-height: 297mm; } }
@media print { .screen-only { display: none; } }
`;

export type LetterPageProps = { title: string; addressee: Addressee; date: string; serial: string; children: Child };

/** The printed sheet: address block, date and serial, title, body. Never more than one secret. */
export function LetterPage(props: LetterPageProps) {
  const { title, addressee, date, serial, children } = props;
  return (
    <html lang="ja">
      <head>
        <meta charset="utf-8" />
        <meta name="robots" content="noindex" />
        <title>{`${title} ${serial}`}</title>
        <style dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <div class="screen-only">
          この書面には秘密のコードが記載されています。印刷したら、このファイルをすぐに削除してください。 / This file holds a secret code: delete it as soon as it is printed.
        </div>
        <div class="sheet">
          <div class="address">
            {addressee.postalAddress ?? <div class="blank" />}
            <div class="to">{`${addressee.name} 様`}</div>
            {addressee.role === 'proxy' ? <div>(代理受取人)</div> : null}
          </div>
          <div class="meta">
            <div>{date}</div>
            <div>{`証明書シリアル番号 ${serial}`}</div>
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
