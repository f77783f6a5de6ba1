import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { events, pickups } from '../../src/db/schema.js';
import { letterAddressees } from '../../src/postal/addressing.js';
import { makeTestApp, testConfig, type TestApp } from '../helpers.js';
import { staff, tmpDir } from './support.js';

let t: TestApp;
afterEach(() => t.close());

const SUBSCRIBER_ADDRESS = '〒100-0001 東京都千代田区千代田1-1';
const PROXY_ADDRESS = '〒231-0001 神奈川県横浜市中区新港2-2';

const subscriberArgs = [
  'issue', '--type', 'individual', '--name-romaji', 'YAMADA TARO', '--name-ja', '山田 太郎', '--address-romaji', 'TOKYO',
  '--address-ja', '東京都千代田区', '--birth-date', '1980-01-02', '--email', 'taro@example.jp', '--postal-address', SUBSCRIBER_ADDRESS,
];

/** The address block of a letter: the text before the title. */
function addressBlock(html: string): string {
  return /<div class="address">([\s\S]*?)<div class="meta">/.exec(html)![1]!;
}

function read(file: unknown): { html: string; mode: number } {
  return { html: fs.readFileSync(String(file), 'utf8'), mode: fs.statSync(String(file)).mode & 0o777 };
}

describe('letters at issuance', () => {
  it('a named proxy receiver gets the password letter; the PIN letter still goes to the subscriber', async () => {
    t = makeTestApp();
    const dir = tmpDir();
    const run = await staff(t, [...subscriberArgs, '--proxy-name', '佐藤 花子', '--proxy-postal-address', PROXY_ADDRESS, '--letters-dir', dir, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const issued = run.lines[0]!;
    const letters = issued.letters as { password: string; pin: string };
    expect(letters).toEqual({ password: path.join(dir, `${String(issued.serial)}-password.html`), pin: path.join(dir, `${String(issued.serial)}-pin.html`) });

    const password = read(letters.password);
    const pin = read(letters.pin);
    expect(password.mode).toBe(0o600);
    expect(pin.mode).toBe(0o600);

    expect(password.html).toContain('パスワード送付のお知らせ');
    const toProxy = addressBlock(password.html);
    expect(toProxy).toContain(PROXY_ADDRESS);
    expect(toProxy).toContain('佐藤 花子様');
    expect(toProxy).toContain('（代理受取人）');
    expect(toProxy).not.toContain(SUBSCRIBER_ADDRESS);
    expect(password.html).toContain('山田 太郎様ご本人にお渡しください');

    expect(pin.html).toContain('PINコード送付のお知らせ');
    const toSubscriber = addressBlock(pin.html);
    expect(toSubscriber).toContain(SUBSCRIBER_ADDRESS);
    expect(toSubscriber).toContain('山田 太郎様');
    expect(toSubscriber).not.toContain(PROXY_ADDRESS);
    expect(toSubscriber).not.toContain('代理受取人');

    // One secret per file.
    expect(password.html).toContain(String(issued.password));
    expect(password.html).not.toContain(String(issued.pin));
    expect(pin.html).toContain(String(issued.pin));
    expect(pin.html).not.toContain(String(issued.password));
  });

  it('each letter says which characters are left out, that case matters, and what the code is for', async () => {
    t = makeTestApp();
    const dir = tmpDir();
    const run = await staff(t, [...subscriberArgs, '--letters-dir', dir, '--json']);
    const letters = run.lines[0]!.letters as { password: string; pin: string };
    const password = read(letters.password).html;
    const pin = read(letters.pin).html;
    for (const html of [password, pin]) {
      // The look-alikes in a monospaced face, so 1 and l, 0 and O are told apart on paper.
      expect(html).toContain('<span class="mono">0 O o 1 l I i</span>');
      expect(html).toContain('英字の大文字と小文字は区別します');
      expect(html).toContain('<div class="confidential">親展</div>');
      expect(html).toMatch(/<span class="label">差出人<\/span><div>受取りデモ認証局<\/div><div lang="en">Uketori Demo Certification Authority<\/div><div>電話：03-0000-0000<\/div>/);
      expect(html).not.toContain('メモ帳');
      expect(html).not.toMatch(/ 様|様 /);
      expect(html).toContain('Capital and small letters are different characters');
      expect(html).toContain('@page { size: A4 portrait;');
      expect(html).toContain('印刷したら、このファイルをすぐに削除してください');
      expect(addressBlock(html)).toContain(SUBSCRIBER_ADDRESS);
    }
    expect(password).toContain('メールでお知らせしたURLを開くと、パスワードの入力欄が表示されます');
    expect(password).toContain('（CERT.P12）をインポートするときには使いません');
    expect(pin).toContain('「秘密キーのパスワード」の入力を求められます');
    expect(pin).toContain('ダウンロードのページで入力するのは、このPINコードではなく');
  });

  it('text output lists the files and tells staff to delete them after printing', async () => {
    t = makeTestApp();
    const dir = tmpDir();
    const run = await staff(t, [...subscriberArgs, '--letters-dir', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`  Letters   ${dir}/`);
    expect(run.stdout).toContain('print them, then delete the files');
  });

  it('--no-letters writes none; with no folder named at all, nothing is issued', async () => {
    t = makeTestApp();
    const none = await staff(t, [...subscriberArgs, '--application-code', 'NL-1', '--no-letters', '--json']);
    expect(none.lines[0]!.letters).toBeNull();
    const row = t.db.select().from(pickups).where(eq(pickups.serial, String(none.lines[0]!.serial))).get()!;
    expect(t.db.select().from(events).where(eq(events.pickupId, row.id)).all().map((e) => e.kind)).not.toContain('letters-written');

    const unnamed = await staff(t, [...subscriberArgs, '--application-code', 'NL-2', '--json']);
    expect(unnamed.code).toBe(1);
    expect(unnamed.stderr).toBe('staff issue: say where the letters go: --letters-dir DIR or LETTERS_DIR=DIR (a folder on the staff machine, outside DATA_DIR), or --no-letters\n');
    expect(unnamed.stdout).toBe('');
    expect(t.db.select().from(pickups).all()).toHaveLength(1);
    expect(fs.existsSync(path.join(t.deps.config.dataDir, 'letters'))).toBe(false);
  });

  it('LETTERS_DIR is the default folder; a folder inside DATA_DIR is refused, by flag or by setting', async () => {
    const dir = tmpDir();
    t = makeTestApp({ config: testConfig({ LETTERS_DIR: dir }) });
    const run = await staff(t, [...subscriberArgs, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(path.dirname(String((run.lines[0]!.letters as { pin: string }).pin))).toBe(dir);

    const inside = path.join(t.deps.config.dataDir, 'letters');
    const refused = await staff(t, [...subscriberArgs, '--application-code', 'IN-1', '--letters-dir', inside]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`--letters-dir ${inside} is inside DATA_DIR`);
    expect(t.db.select().from(pickups).all()).toHaveLength(1);
    expect(() => testConfig({ LETTERS_DIR: t.deps.config.dataDir })).toThrow('LETTERS_DIR must be outside DATA_DIR');
    expect(() => testConfig({ LETTERS_DIR: inside })).toThrow('LETTERS_DIR must be outside DATA_DIR');
  });

  it('a folder that reaches DATA_DIR through a symbolic link is refused too, by flag or by setting', async () => {
    t = makeTestApp();
    fs.mkdirSync(t.deps.config.dataDir, { recursive: true });
    const link = path.join(tmpDir(), 'looks-elsewhere');
    fs.symlinkSync(t.deps.config.dataDir, link);
    const viaLink = path.join(link, 'letters');
    const refused = await staff(t, [...subscriberArgs, '--application-code', 'LN-1', '--letters-dir', viaLink]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`--letters-dir ${viaLink} is inside DATA_DIR`);
    expect(fs.existsSync(path.join(t.deps.config.dataDir, 'letters'))).toBe(false);
    t.close();
    t = makeTestApp({ config: testConfig({ LETTERS_DIR: viaLink }) });
    const bySetting = await staff(t, [...subscriberArgs, '--application-code', 'LN-2']);
    expect(bySetting.code).toBe(1);
    expect(bySetting.stderr).toContain('is inside DATA_DIR');
    expect(t.db.select().from(pickups).all()).toHaveLength(0);
  });

  it('a letter that cannot be written is reported loudly, exit 3, and the pickup stays', async () => {
    t = makeTestApp();
    const notADir = path.join(tmpDir(), 'file');
    fs.writeFileSync(notADir, 'x');
    const run = await staff(t, [...subscriberArgs, '--letters-dir', notADir]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('LETTERS NOT WRITTEN');
    expect(run.stdout).toContain('Password');
    expect(t.db.select().from(pickups).all()).toHaveLength(1);
  });

  it('a half-given proxy receiver is refused before anything is made', async () => {
    t = makeTestApp();
    const run = await staff(t, [...subscriberArgs, '--proxy-name', '佐藤 花子']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('proxyPostalAddress: required when proxyName is given');
    expect(t.db.select().from(pickups).all()).toHaveLength(0);
  });
});

describe('letterAddressees', () => {
  it('without a proxy both letters go to the subscriber; with one only the password letter moves', () => {
    expect(letterAddressees('山田 太郎', { postalAddress: 'A' })).toEqual({
      password: { name: '山田 太郎', postalAddress: 'A', role: 'subscriber' },
      pin: { name: '山田 太郎', postalAddress: 'A', role: 'subscriber' },
    });
    expect(letterAddressees('山田 太郎', { postalAddress: 'A', proxyName: '佐藤', proxyPostalAddress: 'B' })).toEqual({
      password: { name: '佐藤', postalAddress: 'B', role: 'proxy' },
      pin: { name: '山田 太郎', postalAddress: 'A', role: 'subscriber' },
    });
  });
});
