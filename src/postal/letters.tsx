import type { CaIdentity } from '../config.js';
import type { Mailing } from '../pki/profiles.js';
import { formatJst } from '../i18n/format.js';
import { EXCLUDED_CHARACTERS } from '../pickup/secret-code.js';
import { letterAddressees } from './addressing.js';
import { CodeBox, LetterPage, type LetterSender } from './letter-page.js';

export type LetterFacts = {
  serial: string;
  issuedAt: number;
  expiresAt: number;
  nameRomaji: string;
  nameJa: string | null;
  mailing: Mailing;
  ca: CaIdentity;
};

const dateJa = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', dateStyle: 'long' });

function senderOf(ca: CaIdentity): LetterSender {
  const s = ca.support;
  return { name: ca.name, nameEn: ca.nameEn, phone: s.phone, hours: s.hours, email: s.email, url: s.url };
}

/** The look-alikes, each in a monospaced face so a 1 and an l, a 0 and an O are told apart. */
function LookAlikes() {
  return (
    <span class="mono">
      {EXCLUDED_CHARACTERS.join(' ')}
    </span>
  );
}

function CharacterRules(props: { code: 'password' | 'pin' }) {
  return (
    <ul>
      <li>
        {props.code === 'password'
          ? '半角の英字と数字の8文字です（ダウンロードのページでは、全角で入力しても半角として扱います）。'
          : '半角の英字と数字の8文字です。インポートの画面では、必ず半角で入力してください。'}
      </li>
      <li>英字の大文字と小文字は区別します。上の表で1文字ずつご確認ください。</li>
      <li>
        見間違えやすい
        <LookAlikes />
        （数字のゼロとイチ、英字のオー・エル・アイ）は使っていません。
      </li>
      {props.code === 'pin' ? <li>入力欄に全角の文字や空白が混じると、正しいPINコードでも受け付けられません。</li> : null}
    </ul>
  );
}

function EnglishRules() {
  return (
    <p>
      8 half-width letters and digits. Capital and small letters are different characters. The look-alikes <LookAlikes /> are never used.
    </p>
  );
}

/** One line at the foot; the sender block at the top has the desk in full. */
function Footer(props: { ca: CaIdentity }) {
  const s = props.ca.support;
  return (
    <footer>
      {`お問い合わせ：${props.ca.name}サポート窓口（電話：${s.phone}）`}
      <span lang="en">{` / Support: ${props.ca.nameEn}, phone ${s.phone}, ${s.email}`}</span>
    </footer>
  );
}

/** パスワード送付のお知らせ: the download password, to the proxy receiver when one is named. */
export function PasswordLetter(props: { facts: LetterFacts; password: string }) {
  const f = props.facts;
  const subscriberName = f.nameJa ?? f.nameRomaji;
  const to = letterAddressees(subscriberName, f.mailing).password;
  return (
    <LetterPage title="パスワード送付のお知らせ" addressee={to} date={dateJa.format(f.issuedAt)} serial={f.serial} sender={senderOf(f.ca)}>
      {to.role === 'proxy' ? (
        <p>{`${subscriberName}様の電子証明書の受取りについて、代理受取人としてご指定いただいているため、ダウンロード用のパスワードをお送りします。この書面は、${subscriberName}様ご本人にお渡しください。`}</p>
      ) : (
        <p>お申込みの電子証明書をダウンロードするためのパスワードをお知らせします。ダウンロード用のURLは、お申込みの際に登録された電子メールアドレスへ、別途お送りしています。</p>
      )}
      <CodeBox code={props.password} />
      <h2>このパスワードを使う場面</h2>
      <ul>
        <li>メールでお知らせしたURLを開くと、パスワードの入力欄が表示されます。そこに上記の8文字を入力します。</li>
        <li>ダウンロードした証明書ファイル（CERT.P12）をインポートするときには使いません。その際は、別便の「PINコード送付のお知らせ」に記載のPINコードを入力します。</li>
        <li>ダウンロードは、証明書を使うパソコンで行ってください。</li>
      </ul>
      <h2>入力の注意</h2>
      <CharacterRules code="password" />
      <h2>期限</h2>
      <ul>
        <li>{`ダウンロードの期限：${formatJst(f.expiresAt, 'ja')}（発行日から30日）`}</li>
        <li>「ダウンロード」を押すと、その時点から1時間に限りダウンロードできます。</li>
        <li>パスワードを間違えてもロックはされません。間違いが続いた場合は、少し時間をおいてから入力していただくことがあります。</li>
      </ul>
      <p>このパスワードは再発行できません。ダウンロードが終わるまで、他の人の目に触れないよう保管してください。</p>
      <div class="en" lang="en">
        <h2>Download password</h2>
        <p>
          Enter the 8 characters above on the page that opens from the URL we emailed, on the computer that will use the certificate.
          This is not the PIN: the PIN, sent in a separate letter, is what you type when you import the downloaded file (CERT.P12).
        </p>
        <EnglishRules />
        <p>{`Download by ${formatJst(f.expiresAt, 'en')}. After you press "Download" the file stays available for one hour.`}</p>
      </div>
      <Footer ca={f.ca} />
    </LetterPage>
  );
}

/** PINコード送付のお知らせ: the import PIN, always to the subscriber. */
export function PinLetter(props: { facts: LetterFacts; pin: string }) {
  const f = props.facts;
  const subscriberName = f.nameJa ?? f.nameRomaji;
  const addressees = letterAddressees(subscriberName, f.mailing);
  return (
    <LetterPage title="PINコード送付のお知らせ" addressee={addressees.pin} date={dateJa.format(f.issuedAt)} serial={f.serial} sender={senderOf(f.ca)}>
      <p>ダウンロードした電子証明書のファイル（CERT.P12）をインポートするときに必要なPINコードをお知らせします。</p>
      <CodeBox code={props.pin} />
      <h2>このPINコードを使う場面</h2>
      <ul>
        <li>CERT.P12をパソコンにインポートすると、「秘密キーのパスワード」の入力を求められます。そこに上記の8文字を入力します。</li>
        <li>ダウンロードのページで入力するのは、このPINコードではなく「パスワード送付のお知らせ」のパスワードです。</li>
        {addressees.password.role === 'proxy' ? (
          <li>{`「パスワード送付のお知らせ」は、ご指定の代理受取人の${addressees.password.name}様宛てにお送りしています。`}</li>
        ) : null}
      </ul>
      <h2>入力の注意</h2>
      <CharacterRules code="pin" />
      <p>PINコードを紛失しても再発行はできず、改めて申込みの手続きが必要になります。証明書を使う間は、他の人の目に触れないよう大切に保管してください。</p>
      <div class="en" lang="en">
        <h2>Import PIN</h2>
        <p>
          When you import the downloaded file (CERT.P12), you are asked for the private key password: enter the 8 characters above.
          The download page asks for the password from the other letter, not for this PIN.
        </p>
        <EnglishRules />
        <p>A lost PIN cannot be issued again; a new application would be needed. Keep it safe.</p>
      </div>
      <Footer ca={f.ca} />
    </LetterPage>
  );
}

async function html(node: { toString(): string | Promise<string> }): Promise<string> {
  return '<!doctype html>\n' + (await node.toString()) + '\n';
}

export const renderPasswordLetter = (facts: LetterFacts, password: string) => html(<PasswordLetter facts={facts} password={password} />);
export const renderPinLetter = (facts: LetterFacts, pin: string) => html(<PinLetter facts={facts} pin={pin} />);
