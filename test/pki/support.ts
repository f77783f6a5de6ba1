import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { type Sealer } from '../../src/pki/sealer-type.js';

export const NOW = Date.parse('2026-04-01T03:04:05.678Z');

/** Tiny Sealer for tests: JWE dir/A256GCM, the aad bound through the protected header. */
export function testSealer(key: Uint8Array = new Uint8Array(32).fill(7)): Sealer {
  return {
    seal: (plaintext, aad) =>
      new CompactEncrypt(plaintext)
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', pur: aad.purpose, pid: aad.id })
        .encrypt(key),
    async open(jwe, aad) {
      const { plaintext, protectedHeader } = await compactDecrypt(jwe, key);
      if (protectedHeader.pur !== aad.purpose || protectedHeader.pid !== aad.id) {
        throw new Error('sealed for another record');
      }
      return plaintext;
    },
  };
}

export function tempDir(): { dir: string; file: (name: string, content?: string | Uint8Array) => string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'uketori-pki-'));
  return {
    dir,
    file(name, content) {
      const file = path.join(dir, name);
      if (content !== undefined) writeFileSync(file, content);
      return file;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool without a shell; never throws on a non-zero exit. */
export function run(command: string, args: string[], input?: string): RunResult {
  const result = spawnSync(command, args, { input, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8' });
}

export function hasCommand(command: string, versionArgs: string[] = ['-version']): boolean {
  return !spawnSync(command, versionArgs).error;
}

export const BASE = { nameRomaji: 'YAMADA TARO' };
const PERSON = {
  ...BASE,
  nameJa: '山田 太郎',
  addressRomaji: '1-1 Marunouchi 1-chome, Chiyoda-ku, Tokyo',
  addressJa: '東京都千代田区丸の内一丁目1番1号',
  birthDate: '1980-02-29',
  gender: 'male',
};
const ORG = {
  orgName: '株式会社受取テスト',
  orgRepresentative: '代表取締役 鈴木 花子',
  orgAddress: '東京都港区芝公園四丁目2番8号',
};

/** A valid input per type with every allowed field filled in. */
export const FULL_INPUT = {
  basic: { type: 'basic', ...BASE, email: 'taro@example.jp' },
  individual: { type: 'individual', ...PERSON, email: 'taro@example.jp' },
  'sole-proprietor': { type: 'sole-proprietor', ...PERSON, ...ORG, orgName: '山田商店' },
  'org-representative': {
    type: 'org-representative', ...PERSON, ...ORG, corporateNumber: '7000012050002', title: '代表取締役',
  },
  'org-employee': {
    type: 'org-employee', ...PERSON, ...ORG, gender: 'female', email: 'hanako@example.jp',
    corporateNumber: '7000012050002', department: '総務部 第一課', departmentAddress: '大阪府大阪市北区梅田1-1-1',
    title: '課長', powerOfAttorney: '2026年3月1日付委任状',
  },
} as const;
