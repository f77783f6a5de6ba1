import { formatJst } from '../i18n/format.js';
import { renderMail, type ComposedMail } from './message.js';

export type ReminderFacts = {
  serial: string;
  nameRomaji: string;
  nameJa: string | null;
  notAfter: number;
  supportContact: string;
};

/** The expiry notice, sent once per certificate. Renewal is a new application: it says so. */
export function reminderMail(f: ReminderFacts): ComposedMail {
  return renderMail({
    subject: '電子証明書の有効期限のお知らせ / Your certificate expires soon',
    ja: [
      `${f.nameJa ?? f.nameRomaji} 様`,
      `ご利用中の電子証明書(シリアル番号 ${f.serial})は、まもなく有効期限を迎えます。\n有効期限: ${formatJst(f.notAfter, 'ja')}`,
      '有効期限を過ぎた証明書では、電子申請や署名ができなくなります。有効期間を延ばす手続きはありません。' +
        '引き続き証明書が必要な場合は、はじめてのときと同じ新規のお申し込みで、新しい証明書を取得してください。',
      '必要書類が届いてから発行までは、審査のため 2 週間(10 営業日)ほどかかります。期限に間に合うよう、早めにお申し込みください。',
      `このお知らせは証明書ごとに一度だけお送りしています。\nお問い合わせ: ${f.supportContact}\nこのメールは送信専用です。`,
    ],
    en: [
      `Dear ${f.nameRomaji},`,
      `Your certificate (serial number ${f.serial}) is about to expire.\nValid until: ${formatJst(f.notAfter, 'en')}`,
      'After that date it can no longer be used to sign or to file applications, and its validity cannot be extended. ' +
        'If you still need a certificate, apply for a new one: renewal is the same procedure as a first application.',
      'Issuance takes about two weeks (10 business days) after your documents arrive, for the review. Please apply in good time.',
      `This notice is sent once per certificate.\nSupport: ${f.supportContact}\nThis address does not receive replies.`,
    ],
  });
}
