import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha1Iterate } from '../../src/pki/sha1-iterate.js';

function reference(first: Buffer, times: number): Buffer {
  let a = first;
  for (let i = 0; i < times; i++) a = createHash('sha1').update(a).digest();
  return a;
}

describe('sha1Iterate', () => {
  it('equals SHA-1 applied n times, for random values and counts', () => {
    for (const times of [0, 1, 2, 3, 17, 1000, 9999]) {
      const first = randomBytes(20);
      expect(sha1Iterate(first, times).toString('hex'), `n=${times}`).toBe(reference(first, times).toString('hex'));
    }
  });

  it('matches a published SHA-1 value', () => {
    // SHA-1 of twenty zero bytes.
    expect(sha1Iterate(Buffer.alloc(20), 1).toString('hex')).toBe('6768033e216468247bd031a0a2d9876d79818f8f');
  });

  it('refuses a value that is not 20 bytes', () => {
    expect(() => sha1Iterate(Buffer.alloc(19), 1)).toThrow(RangeError);
  });
});
