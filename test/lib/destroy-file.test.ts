import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { destroyFile } from '../../src/lib/destroy-file.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-destroy-'));
}

describe('destroyFile', () => {
  it('overwrites and removes a regular file, and calls a missing one missing', () => {
    const dir = tmp();
    const letter = path.join(dir, 'A-pin.html');
    fs.writeFileSync(letter, 'PIN abcdefgh');
    expect(destroyFile(letter)).toBe('deleted');
    expect(fs.existsSync(letter)).toBe(false);
    expect(destroyFile(letter)).toBe('missing');
  });

  it('never writes through a symbolic link planted in place of a letter: the target keeps its bytes', () => {
    const dir = tmp();
    const victim = path.join(dir, 'uketori.db');
    fs.writeFileSync(victim, 'precious database');
    const letter = path.join(dir, 'A-pin.html');
    fs.symlinkSync(victim, letter);
    const outcome = destroyFile(letter);
    expect(outcome).toEqual({ error: expect.stringContaining('not a regular file') });
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious database');
    expect(fs.lstatSync(letter).isSymbolicLink()).toBe(true);
  });

  it('never zeroes a file that has another hard link: that other name keeps its bytes', () => {
    const dir = tmp();
    const victim = path.join(dir, 'keys.json');
    fs.writeFileSync(victim, 'sealing keys');
    const letter = path.join(dir, 'A-password.html');
    fs.linkSync(victim, letter);
    expect(destroyFile(letter)).toEqual({ error: expect.stringContaining('hard link') });
    expect(fs.readFileSync(victim, 'utf8')).toBe('sealing keys');
  });

  it('refuses a directory or a FIFO in place of a letter', () => {
    const dir = tmp();
    const sub = path.join(dir, 'B-pin.html');
    fs.mkdirSync(sub);
    expect(destroyFile(sub)).toHaveProperty('error');
    expect(fs.statSync(sub).isDirectory()).toBe(true);
    const fifo = path.join(dir, 'C-pin.html');
    execFileSync('mkfifo', [fifo]);
    expect(destroyFile(fifo)).toEqual({ error: 'not a regular file: left alone' });
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
  });
});
