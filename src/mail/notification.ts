import { formatJst } from '../i18n/format.js';
import { renderMail, type ComposedMail } from './message.js';

export type NotificationFacts = {
  url: string;
  serial: string;
  nameRomaji: string;
  nameJa: string | null;
  expiresAt: number;
  supportContact: string;
  /** Sent by `staff reissue-url`: this URL replaces one that no longer works. */
  replacesEarlierUrl?: boolean;
};

/** "Your certificate is ready": the URL and the deadline. Never the password or the PIN. */
export function notificationMail(f: NotificationFacts): ComposedMail {
  return renderMail({
    subject: '電子証明書ダウンロードのご案内 / Your certificate is ready to download',
    ja: [
      `${f.nameJa ?? f.nameRomaji} 様`,
      'お申し込みの電子証明書を発行しました。次の URL を開いて、ダウンロードしてください。',
      { url: f.url },
      ...(f.replacesEarlierUrl
        ? ['この URL は、以前お送りした URL に代わるものです。以前の URL はもう使えません。パスワードと PIN は、郵便でお届けしたものがそのまま使えます。']
        : []),
      `ダウンロード期限: ${formatJst(f.expiresAt, 'ja')}\n` +
        '期限は発行日から 30 日後です。期限までにダウンロードされなかった証明書は受け取れなくなり、改めてお申し込みいただくことになります。',
      'URL を開いたページでは、郵便でお届けする「パスワード送付のお知らせ」の 8 文字を入力します。' +
        'ダウンロードしたファイルを取り込む(インポートする)ときは、別便の「PINコード送付のお知らせ」の PIN を入力します。' +
        'パスワードと PIN は、安全のためこのメールには載せていません。両方の郵便が届いてからお手続きください。',
      '「ダウンロード」ボタンを押した時点から 1 時間だけ、ダウンロードできます。',
      'URL が途中で折り返されて開けないときは、https から行の最後までをまとめてコピーし、ブラウザのアドレス欄に貼り付けてください。',
      `証明書のシリアル番号: ${f.serial}\nお問い合わせ: ${f.supportContact}\nこのメールは送信専用です。ご返信いただいてもお答えできません。`,
    ],
    en: [
      `Dear ${f.nameRomaji},`,
      'The certificate you applied for has been issued. Open this address to download it:',
      { url: f.url },
      ...(f.replacesEarlierUrl
        ? ['This address replaces the one we sent you before, which no longer works. The password and the PIN you received by post stay the same.']
        : []),
      `Download by: ${formatJst(f.expiresAt, 'en')}\n` +
        'That is 30 days after issuance. A certificate not downloaded by then can no longer be collected, and a new application is needed.',
      'The page asks for the 8-character password printed in the letter "パスワード送付のお知らせ" that comes by post. ' +
        'When you import the downloaded file, enter the PIN from the separate letter "PINコード送付のお知らせ". ' +
        'For your safety neither the password nor the PIN is in this mail: please wait until both letters have arrived.',
      'Once you press "Download", the file can be downloaded for one hour.',
      'If the address is broken across two lines, copy it from "https" to the end of the line and paste it into the address bar.',
      `Certificate serial number: ${f.serial}\nSupport: ${f.supportContact}\nThis address does not receive replies.`,
    ],
  });
}
