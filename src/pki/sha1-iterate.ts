/**
 * SHA-1 applied `times` times to a 20-byte value: the inner loop of the PKCS#12 KDF. A 20-byte
 * message is always one padded block, so this runs the compression function on five words with
 * no allocation per round. Calling crypto.hash once per round spends most of its time crossing
 * into C++; this loop avoids that and is checked against it in the tests.
 */
export function sha1Iterate(first: Uint8Array, times: number): Buffer {
  if (first.length !== 20) throw new RangeError('sha1Iterate takes a 20-byte value');
  const w = new Int32Array(80);
  let m0 = readWord(first, 0);
  let m1 = readWord(first, 4);
  let m2 = readWord(first, 8);
  let m3 = readWord(first, 12);
  let m4 = readWord(first, 16);
  for (let round = 0; round < times; round++) {
    w[0] = m0;
    w[1] = m1;
    w[2] = m2;
    w[3] = m3;
    w[4] = m4;
    w[5] = 0x80000000 | 0;
    w[6] = w[7] = w[8] = w[9] = w[10] = w[11] = w[12] = w[13] = w[14] = 0;
    w[15] = 160;
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = 0x67452301 | 0;
    let b = 0xefcdab89 | 0;
    let c = 0x98badcfe | 0;
    let d = 0x10325476 | 0;
    let e = 0xc3d2e1f0 | 0;
    for (let i = 0; i < 80; i++) {
      let f: number;
      let k: number;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    m0 = (0x67452301 + a) | 0;
    m1 = (0xefcdab89 + b) | 0;
    m2 = (0x98badcfe + c) | 0;
    m3 = (0x10325476 + d) | 0;
    m4 = (0xc3d2e1f0 + e) | 0;
  }
  const out = Buffer.alloc(20);
  out.writeInt32BE(m0, 0);
  out.writeInt32BE(m1, 4);
  out.writeInt32BE(m2, 8);
  out.writeInt32BE(m3, 12);
  out.writeInt32BE(m4, 16);
  return out;
}

function readWord(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}
