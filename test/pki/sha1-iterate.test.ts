import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha1Iterate } from '../../src/pki/sha1-iterate.js';

function reference(first: Uint8Array, times: number): Buffer {
  let a = Buffer.from(first);
  for (let i = 0; i < times; i++) a = createHash('sha1').update(a).digest();
  return a;
}

describe('sha1Iterate', () => {
  it('equals SHA-1 applied n times, for random values and counts', () => {
    // 0 skips the loop; 1–3 and 17 cross the loop's back edge; 9999 is the compat KDF's count.
    for (const times of [0, 1, 2, 3, 17, 1000, 9999]) {
      const first = randomBytes(20);
      expect(sha1Iterate(first, times).toString('hex'), `n=${times}`).toBe(reference(first, times).toString('hex'));
    }
  });

  it('matches a published SHA-1 value', () => {
    // SHA-1 of twenty zero bytes.
    expect(sha1Iterate(Buffer.alloc(20), 1).toString('hex')).toBe('6768033e216468247bd031a0a2d9876d79818f8f');
  });

  it('reads a value that sits at an odd offset inside a larger buffer, and leaves the input alone', () => {
    const backing = randomBytes(64);
    const first = backing.subarray(7, 27);
    const before = Buffer.from(backing);
    expect(sha1Iterate(first, 5).toString('hex')).toBe(reference(first, 5).toString('hex'));
    expect(backing.equals(before)).toBe(true);
  });

  it('returns a fresh buffer each call: a later call does not change an earlier answer', () => {
    const one = sha1Iterate(Buffer.alloc(20, 1), 3);
    const copy = Buffer.from(one);
    sha1Iterate(Buffer.alloc(20, 2), 3);
    expect(one.equals(copy)).toBe(true);
  });

  it('refuses a value that is not 20 bytes, and a count that is not a whole number in range', () => {
    expect(() => sha1Iterate(Buffer.alloc(19), 1)).toThrow(RangeError);
    for (const times of [-1, 1.5, Number.NaN, 2 ** 31]) expect(() => sha1Iterate(Buffer.alloc(20), times), String(times)).toThrow(RangeError);
  });

  it('gives the same answer where WebAssembly is off (node --jitless), through crypto.hash', () => {
    const first = randomBytes(20);
    const script = `import('./src/pki/sha1-iterate.ts').then((m) => process.stdout.write(String(typeof WebAssembly) + ' ' + m.sha1Iterate(Buffer.from('${first.toString('hex')}', 'hex'), 300).toString('hex')))`;
    const out = execFileSync(process.execPath, ['--jitless', '--import', 'tsx', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(out).toBe(`undefined ${reference(first, 300).toString('hex')}`);
  });
});
