import type { CaIdentity } from '../config.js';

/** The closing block of every mail: the CA by name and how to reach its support desk. */
export function signatureJa(ca: CaIdentity): string {
  const s = ca.support;
  return [
    '――――――――――――――――――――',
    ca.name,
    `${ca.name}サポート窓口`,
    `電話：${s.phone}`,
    `受付時間：${s.hours}`,
    `メール：${s.email}`,
    ...(s.url ? [`ウェブサイト：${s.url}`] : []),
    'このメールは送信専用のアドレスからお送りしています。ご返信いただいてもお答えできません。',
  ].join('\n');
}

export function signatureEn(ca: CaIdentity): string {
  const s = ca.support;
  return [
    '--------------------',
    ca.nameEn,
    `${ca.nameEn} support desk`,
    `Phone: ${s.phone}`,
    `Hours: ${s.hoursEn}`,
    `Email: ${s.email}`,
    ...(s.url ? [`Web: ${s.url}`] : []),
    'This mail was sent from an address that does not receive replies.',
  ].join('\n');
}

/**
 * The From header: MAIL_FROM as given when it names a sender, otherwise its address in the CA's
 * name, so the subscriber's mail program shows who is writing.
 */
export function senderOf(mailFrom: string, ca: CaIdentity): string | { name: string; address: string } {
  return /<[^>]+>\s*$/.test(mailFrom) ? mailFrom : { name: ca.name, address: mailFrom.trim() };
}
