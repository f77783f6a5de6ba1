import type { CaIdentity } from '../config.js';
import { formatJst } from '../i18n/format.js';
import { renderMail, type ComposedMail } from './message.js';
import { signatureEn, signatureJa } from './signature.js';

export type ReminderFacts = {
  serial: string;
  nameRomaji: string;
  nameJa: string | null;
  notAfter: number;
  ca: CaIdentity;
};

/** The expiry notice, sent once per certificate. Renewal is a new application: it says so. */
export function reminderMail(f: ReminderFacts): ComposedMail {
  return renderMail({
    subject: `【${f.ca.name}】電子証明書の有効期限のお知らせ / Your certificate expires soon`,
    ja: [
      `${f.nameJa ?? f.nameRomaji}様`,
      `${f.ca.name}です。ご利用中の電子証明書（シリアル番号：${f.serial}）は、まもなく有効期限を迎えます。\n有効期限：${formatJst(f.notAfter, 'ja')}`,
      '有効期限を過ぎた証明書では、電子申請や署名ができなくなります。有効期間を延長する手続きはありません。' +
        '引き続き証明書が必要な場合は、初回と同じ新規の申込みで、新しい証明書を取得してください。',
      '必要書類の到着から発行までは、審査のため2週間（10営業日）ほどかかります。期限に間に合うよう、お早めにお手続きください。',
      'このお知らせは、証明書ごとに一度だけお送りしています。',
      signatureJa(f.ca),
    ],
    en: [
      `Dear ${f.nameRomaji},`,
      `This is ${f.ca.nameEn}. Your certificate (serial number ${f.serial}) is about to expire.\nValid until: ${formatJst(f.notAfter, 'en')}`,
      'After that date it can no longer be used to sign or to file applications, and its validity cannot be extended. ' +
        'If you still need a certificate, apply for a new one: renewal is the same procedure as a first application.',
      'Issuance takes about two weeks (10 business days) after your documents arrive, for the review. Please apply in good time.',
      'This notice is sent once per certificate.',
      signatureEn(f.ca),
    ],
  });
}
