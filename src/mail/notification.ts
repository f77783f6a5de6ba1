import type { CaIdentity } from '../config.js';
import { formatJst } from '../i18n/format.js';
import { renderMail, type ComposedMail } from './message.js';
import { signatureEn, signatureJa } from './signature.js';

export type NotificationFacts = {
  url: string;
  serial: string;
  nameRomaji: string;
  nameJa: string | null;
  expiresAt: number;
  ca: CaIdentity;
  /** Sent by `staff reissue-url`: this URL replaces one that no longer works. */
  replacesEarlierUrl?: boolean;
};

/** "Your certificate is ready": the URL and the deadline. Never the password or the PIN. */
export function notificationMail(f: NotificationFacts): ComposedMail {
  return renderMail({
    subject: `【${f.ca.name}】電子証明書ダウンロードのご案内 / Your certificate is ready to download`,
    ja: [
      `${f.nameJa ?? f.nameRomaji}様`,
      `${f.ca.name}です。このたびは電子証明書をお申込みいただき、誠にありがとうございます。お申込みの電子証明書を発行しましたので、次のURLからダウンロードしてください。`,
      { url: f.url },
      ...(f.replacesEarlierUrl
        ? ['このURLは、以前お送りしたURLに代わるものです。以前のURLはもうお使いいただけません。パスワードとPINコードは、郵送でお届けしたものをそのままお使いください。']
        : []),
      `ダウンロードの期限：${formatJst(f.expiresAt, 'ja')}\n` +
        '期限は発行日から30日後です。期限までにダウンロードされなかった証明書は受け取れなくなり、改めて申込みの手続きが必要になります。',
      'URLは、証明書を使うパソコンで開いてください。スマートフォンで「ダウンロード」を押すと、ファイルがスマートフォンに保存され、1時間のダウンロード期間が始まってしまいます。',
      'URLを開いたページでは、郵送でお届けする「パスワード送付のお知らせ」に記載の8文字を入力します。' +
        'ダウンロードしたファイルをインポートするときは、別便の「PINコード送付のお知らせ」に記載のPINコードを入力します。' +
        'パスワードとPINコードは、安全のためこのメールには記載していません。2通の書面が届いてから、お手続きください。',
      '「ダウンロード」を押した時点から1時間に限り、ダウンロードできます。',
      'URLが途中で折り返されて開けない場合は、httpsから行の最後までをまとめてコピーし、ブラウザーのアドレス欄に貼り付けてください。',
      `証明書のシリアル番号：${f.serial}`,
      signatureJa(f.ca),
    ],
    en: [
      `Dear ${f.nameRomaji},`,
      `This is ${f.ca.nameEn}. Thank you for your application. The certificate you applied for has been issued; open this address to download it:`,
      { url: f.url },
      ...(f.replacesEarlierUrl
        ? ['This address replaces the one we sent you before, which no longer works. The password and the PIN you received by post stay the same.']
        : []),
      `Download by: ${formatJst(f.expiresAt, 'en')}\n` +
        'That is 30 days after issuance. A certificate not downloaded by then can no longer be collected, and a new application is needed.',
      'Please open the address on the computer that will use the certificate. Pressing Download on a phone saves the file on the phone and starts the one-hour download period.',
      'The page asks for the 8-character password printed in the letter "パスワード送付のお知らせ" that comes by post. ' +
        'When you import the downloaded file, enter the PIN from the separate letter "PINコード送付のお知らせ". ' +
        'For your safety neither the password nor the PIN is in this mail: please wait until both letters have arrived.',
      'Once you press "Download", the file can be downloaded for one hour.',
      'If the address is broken across two lines, copy it from "https" to the end of the line and paste it into the address bar.',
      `Certificate serial number: ${f.serial}`,
      signatureEn(f.ca),
    ],
  });
}
