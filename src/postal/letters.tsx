import type { Mailing } from '../pki/profiles.js';
import { formatJst } from '../i18n/format.js';
import { EXCLUDED_CHARACTERS } from '../pickup/secret-code.js';
import { letterAddressees } from './addressing.js';
import { CodeBox, LetterPage } from './letter-page.js';

export type LetterFacts = {
  serial: string;
  issuedAt: number;
  expiresAt: number;
  nameRomaji: string;
  nameJa: string | null;
  mailing: Mailing;
  supportContact: string;
};

const dateJa = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', dateStyle: 'long' });

const EXCLUDED = EXCLUDED_CHARACTERS.join(' ');

function CharacterRules(props: { code: 'password' | 'pin' }) {
  return (
    <ul>
      <li>
        {props.code === 'password'
          ? '半角の英字と数字で 8 文字です(ダウンロードのページでは、全角で入力しても半角として扱います)。'
          : '半角の英字と数字で 8 文字です。取り込みの画面では、必ず半角で入力してください。'}
      </li>
      <li>英字の大文字と小文字は別の文字として扱います。上の表で 1 文字ずつ確かめてください。</li>
      <li>{`見間違えやすい ${EXCLUDED}(数字のゼロとイチ、英字のオー・エル・アイ)は、一切使っていません。`}</li>
      <li>うまく入力できないときは、メモ帳などに打ち込んでからコピーし、貼り付けてみてください。</li>
    </ul>
  );
}

function EnglishRules() {
  return <p>{`8 half-width letters and digits. Capital and small letters are different characters. The look-alikes ${EXCLUDED} are never used.`}</p>;
}

/** パスワード送付のお知らせ: the download password, to the proxy receiver when one is named. */
export function PasswordLetter(props: { facts: LetterFacts; password: string }) {
  const f = props.facts;
  const subscriberName = f.nameJa ?? f.nameRomaji;
  const to = letterAddressees(subscriberName, f.mailing).password;
  return (
    <LetterPage title="パスワード送付のお知らせ" addressee={to} date={dateJa.format(f.issuedAt)} serial={f.serial}>
      {to.role === 'proxy' ? (
        <p>{`${subscriberName} 様の電子証明書の受取りについて、代理受取人としてご指定いただいているため、ダウンロード用のパスワードをお送りします。この書面は ${subscriberName} 様ご本人にお渡しください。`}</p>
      ) : (
        <p>お申し込みの電子証明書をダウンロードするためのパスワードをお知らせします。ダウンロード用の URL は、お申し込みのときに登録された電子メールアドレスへ別にお送りしています。</p>
      )}
      <CodeBox code={props.password} />
      <h2>このパスワードを使う場面</h2>
      <ul>
        <li>メールでお知らせした URL を開くと、パスワードの入力欄があります。そこに上の 8 文字を入力します。</li>
        <li>ダウンロードした証明書ファイル(CERT.P12)を取り込む(インポートする)ときには使いません。そのときは、別便の「PINコード送付のお知らせ」に記載の PIN を入力します。</li>
      </ul>
      <h2>入力の注意</h2>
      <CharacterRules code="password" />
      <h2>期限</h2>
      <ul>
        <li>{`ダウンロード期限: ${formatJst(f.expiresAt, 'ja')}(発行日から 30 日)`}</li>
        <li>「ダウンロード」ボタンを押すと、その時から 1 時間だけダウンロードできます。</li>
        <li>パスワードを何度か間違えてもロックはかかりません。間違いが続いたときは、少し時間をおいてから入力していただくことがあります。</li>
      </ul>
      <p>このパスワードは再発行できません。ダウンロードが終わるまで、他の人の目に触れないよう保管してください。</p>
      <div class="en" lang="en">
        <h2>Download password</h2>
        <p>
          Enter the 8 characters above on the page that opens from the URL we e-mailed. This is not the PIN: the PIN, sent in a
          separate letter, is what you type when you import the downloaded file (CERT.P12).
        </p>
        <EnglishRules />
        <p>{`Download by ${formatJst(f.expiresAt, 'en')}. After you press "Download" the file stays available for one hour.`}</p>
      </div>
      <footer>{`お問い合わせ / Support: ${f.supportContact}`}</footer>
    </LetterPage>
  );
}

/** PINコード送付のお知らせ: the import PIN, always to the subscriber. */
export function PinLetter(props: { facts: LetterFacts; pin: string }) {
  const f = props.facts;
  const subscriberName = f.nameJa ?? f.nameRomaji;
  const addressees = letterAddressees(subscriberName, f.mailing);
  return (
    <LetterPage title="PINコード送付のお知らせ" addressee={addressees.pin} date={dateJa.format(f.issuedAt)} serial={f.serial}>
      <p>ダウンロードした電子証明書のファイル(CERT.P12)を取り込むときに必要な PIN コードをお知らせします。</p>
      <CodeBox code={props.pin} />
      <h2>この PIN を使う場面</h2>
      <ul>
        <li>CERT.P12 をパソコンに取り込む(インポートする)と、「秘密キーのパスワード」の入力を求められます。そこに上の 8 文字を入力します。</li>
        <li>ダウンロードのページで入力するのは、この PIN ではなく「パスワード送付のお知らせ」のパスワードです。</li>
        {addressees.password.role === 'proxy' ? (
          <li>{`「パスワード送付のお知らせ」は、ご指定の代理受取人 ${addressees.password.name} 様宛てにお送りしています。`}</li>
        ) : null}
      </ul>
      <h2>入力の注意</h2>
      <CharacterRules code="pin" />
      <p>PIN をなくしても再発行はできず、新しいお申し込みが必要になります。証明書を使う間は、他の人の目に触れないよう大切に保管してください。</p>
      <div class="en" lang="en">
        <h2>Import PIN</h2>
        <p>
          When you import the downloaded file (CERT.P12), you are asked for the private key password: enter the 8 characters above.
          The download page asks for the password from the other letter, not for this PIN.
        </p>
        <EnglishRules />
        <p>A lost PIN cannot be issued again; a new application would be needed. Keep it safe.</p>
      </div>
      <footer>{`お問い合わせ / Support: ${f.supportContact}`}</footer>
    </LetterPage>
  );
}

async function html(node: { toString(): string | Promise<string> }): Promise<string> {
  return '<!doctype html>\n' + (await node.toString()) + '\n';
}

export const renderPasswordLetter = (facts: LetterFacts, password: string) => html(<PasswordLetter facts={facts} password={password} />);
export const renderPinLetter = (facts: LetterFacts, pin: string) => html(<PinLetter facts={facts} pin={pin} />);
