import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { events, mailLog, pickups, sealedFiles } from '../../src/db/schema.js';
import { makeTestApp, rowName, type TestApp } from '../helpers.js';
import { staff, tmpDir } from './support.js';
import { BATCH_CONCURRENCY } from '../../src/staff/batch.js';

let t: TestApp;
afterEach(() => t.close());

const HEADER = 'applicationCode,type,nameRomaji,email,postalAddress,validityYears';

function writeFile(name: string, lines: string[]): string {
  const file = path.join(tmpDir(), name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const counts = () => ({
  pickups: t.db.select().from(pickups).all().length,
  sealed: t.db.select().from(sealedFiles).all().length,
  events: t.db.select().from(events).all().length,
  mails: t.db.select().from(mailLog).all().length,
});

const byRow = (lines: Array<Record<string, unknown>>) => [...lines].sort((a, b) => Number(a.row) - Number(b.row));

describe('issue --batch', () => {
  it('issues the good rows, reports the bad row by number and field, exits non-zero, and makes nothing for it', async () => {
    t = makeTestApp();
    const letters = tmpDir();
    const file = writeFile('applicants.csv', [
      HEADER,
      'B-1,basic,SATO HANAKO,hanako@example.jp,〒100-0001 東京都千代田区,2',
      'B-2,basic,SUZUKI ICHIRO,not-an-email,〒100-0001 東京都千代田区,2',
      'B-3,basic,TANAKA JIRO,jiro@example.jp,〒100-0001 東京都千代田区,',
      'B-4,basic,ITO SHIRO,,〒100-0001 東京都千代田区,3',
    ]);
    const run = await staff(t, ['issue', '--batch', file, '--letters-dir', letters, '--json']);
    expect(run.code).toBe(1);
    const rows = byRow(run.lines);
    expect(rows.map((r) => [r.row, r.status])).toEqual([
      [2, 'issued'],
      [3, 'failed'],
      [4, 'issued'],
      [5, 'issued'],
    ]);
    expect(rows[1]).toEqual({ row: 3, status: 'failed', errors: [{ field: 'email', message: expect.any(String) }] });
    // The issued lines carry the single-issue keys.
    for (const r of [rows[0]!, rows[2]!, rows[3]!]) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['serial', 'url', 'password', 'pin', 'issuedAt', 'expiresAt', 'fingerprint', 'p12Profile', 'applicationCode', 'letters', 'mail']));
    }
    expect(rows[0]!.applicationCode).toBe('B-1');
    expect(rows[3]!.mail).toEqual({ status: 'no-address' });
    expect(run.stderr).toContain('3 issued, 0 skipped (already issued), 1 failed, of 4 rows.');

    const stored = t.db.select().from(pickups).all();
    expect(stored.map((p) => p.applicationCode).sort()).toEqual(['B-1', 'B-3', 'B-4']);
    expect(counts()).toMatchObject({ pickups: 3, sealed: 3, mails: 2 });
    expect(fs.readdirSync(letters).sort()).toEqual(
      stored.flatMap((p) => [`${p.serial}-password.html`, `${p.serial}-pin.html`]).sort(),
    );
  });

  it('text mode names the row and the field on stderr', async () => {
    t = makeTestApp();
    const file = writeFile('applicants.csv', [HEADER, 'T-1,basic,,t1@example.jp,〒100,2']);
    const run = await staff(t, ['issue', '--batch', file, '--no-letters']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^row 2 +failed +nameRomaji: required/m);
    expect(counts().pickups).toBe(0);
  });

  it('a re-run skips the rows already issued and issues only the corrected one', async () => {
    t = makeTestApp();
    const letters = tmpDir();
    const lines = [HEADER, 'R-1,basic,SATO HANAKO,hanako@example.jp,〒100,2', 'R-2,basic,SUZUKI ICHIRO,bad,〒100,2', 'R-3,basic,TANAKA JIRO,jiro@example.jp,〒100,2'];
    const first = await staff(t, ['issue', '--batch', writeFile('a.csv', lines), '--letters-dir', letters, '--json']);
    expect(first.code).toBe(1);
    const issuedFirst = byRow(first.lines).filter((r) => r.status === 'issued');
    const before = counts();

    const again = await staff(t, ['issue', '--batch', writeFile('a.csv', lines), '--letters-dir', letters, '--json']);
    expect(again.code).toBe(1);
    expect(byRow(again.lines).map((r) => [r.row, r.status])).toEqual([
      [2, 'skipped'],
      [3, 'failed'],
      [4, 'skipped'],
    ]);
    expect(byRow(again.lines)[0]!.errors).toEqual([{ field: 'applicationCode', message: `already issued as serial ${String(issuedFirst[0]!.serial)}` }]);
    expect(counts()).toEqual(before);

    lines[2] = 'R-2,basic,SUZUKI ICHIRO,ichiro@example.jp,〒100,2';
    const fixed = await staff(t, ['issue', '--batch', writeFile('a.csv', lines), '--letters-dir', letters, '--json']);
    expect(fixed.code).toBe(0);
    expect(byRow(fixed.lines).map((r) => [r.row, r.status])).toEqual([
      [2, 'skipped'],
      [3, 'issued'],
      [4, 'skipped'],
    ]);
    expect(counts().pickups).toBe(3);
    expect(fs.readdirSync(letters)).toHaveLength(6);
  });

  it('an interrupted batch stops after the rows in flight and a re-run finishes it', async () => {
    t = makeTestApp();
    const total = BATCH_CONCURRENCY + 3;
    const rows = Array.from({ length: total }, (_, i) => i + 1);
    const lines = [HEADER, ...rows.map((n) => `I-${n},basic,NAME NUMBER${rowName(n - 1)},,〒100,2`)];
    const file = writeFile('a.csv', lines);
    const before = new Set(process.listeners('SIGINT'));
    let sent = false;
    const first = await staff(t, ['issue', '--batch', file, '--no-letters', '--json'], {
      onStdout: () => {
        if (sent) return;
        sent = true;
        // Only the batch's own handler: as if staff pressed Ctrl-C once.
        for (const listener of process.listeners('SIGINT')) if (!before.has(listener)) (listener as () => void)();
      },
    });
    expect(first.code).toBe(130);
    const issued = first.lines.filter((r) => r.status === 'issued').length;
    expect(issued).toBeGreaterThanOrEqual(1);
    // Only the rows already in flight finish: at most one batch's worth.
    expect(issued).toBeLessThanOrEqual(BATCH_CONCURRENCY);
    expect(first.stderr).toContain(`Stopped: ${total - issued} row(s) not started. Run the same command again to continue.`);
    expect(process.listeners('SIGINT').filter((l) => !before.has(l))).toEqual([]);

    const second = await staff(t, ['issue', '--batch', file, '--no-letters', '--json']);
    expect(second.code).toBe(0);
    expect(second.lines.filter((r) => r.status === 'skipped')).toHaveLength(issued);
    expect(second.lines.filter((r) => r.status === 'issued')).toHaveLength(total - issued);
    expect(counts().pickups).toBe(total);
  });

  it('reads JSONL with the subscriber keys; a broken line or a repeated code is that row only', async () => {
    t = makeTestApp();
    const file = writeFile('applicants.jsonl', [
      JSON.stringify({ applicationCode: 'J-1', nameRomaji: 'SATO HANAKO', validityYears: 3, includeEmail: false, email: 'h@example.jp' }),
      '{"applicationCode": "J-2", "nameRomaji": ',
      '',
      JSON.stringify({ applicationCode: 'J-1', nameRomaji: 'COPY OF ROW ONE' }),
      JSON.stringify({ applicationCode: 'J-4', nameRomaji: 'ITO SHIRO', proxyName: '代理 人' }),
      JSON.stringify({ nameRomaji: 'NO CODE' }),
    ]);
    const run = await staff(t, ['issue', '--batch', file, '--no-letters', '--json']);
    expect(run.code).toBe(1);
    expect(byRow(run.lines).map((r) => [r.row, r.status, (r.errors as Array<{ field: string }> | undefined)?.map((e) => e.field)])).toEqual([
      [1, 'issued', undefined],
      [2, 'failed', ['(line)']],
      [4, 'failed', ['applicationCode']],
      [5, 'failed', ['proxyPostalAddress']],
      [6, 'failed', ['applicationCode']],
    ]);
    expect(counts().pickups).toBe(1);
  });

  it('refuses an unknown CSV column before issuing anything', async () => {
    t = makeTestApp();
    const file = writeFile('a.csv', ['applicationCode,nameRomaji,shoeSize', 'U-1,SATO HANAKO,27']);
    const run = await staff(t, ['issue', '--batch', file, '--no-letters']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown column(s) shoeSize');
    expect(counts().pickups).toBe(0);
    expect((await staff(t, ['issue', '--batch', file, '--name-romaji', 'X'])).stderr).toContain('--batch reads the subscribers from the file');
  });

  it('reads a Shift_JIS CSV as Excel on Japanese Windows saves it', async () => {
    t = makeTestApp();
    const file = path.join(tmpDir(), 'sjis.csv');
    const text = 'applicationCode,type,nameRomaji,nameJa,addressRomaji,addressJa,birthDate\r\nS-1,individual,YAMADA TARO,山田 太郎,TOKYO,東京都千代田区,1980-01-02\r\n';
    fs.writeFileSync(file, sjis(text));
    const run = await staff(t, ['issue', '--batch', file, '--no-letters', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(t.db.select().from(pickups).all().map((p) => p.subjectNameJa)).toEqual(['山田 太郎']);
  });
});

/** Shift_JIS bytes for the few characters the test uses (Node has a decoder but no encoder). */
function sjis(text: string): Buffer {
  const table: Record<string, number[]> = {
    山: [0x8e, 0x52], 田: [0x93, 0x63], 太: [0x91, 0xbe], 郎: [0x98, 0x59], 東: [0x93, 0x8c], 京: [0x8b, 0x9e],
    都: [0x93, 0x73], 千: [0x90, 0xe7], 代: [0x91, 0xe3], 区: [0x8b, 0xe6],
  };
  const bytes: number[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) bytes.push(ch.charCodeAt(0));
    else if (table[ch]) bytes.push(...table[ch]!);
    else throw new Error(`no Shift_JIS code for ${ch} in the test table`);
  }
  const out = Buffer.from(bytes);
  expect(new TextDecoder('shift_jis').decode(out)).toBe(text);
  return out;
}
