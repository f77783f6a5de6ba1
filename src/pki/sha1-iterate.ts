import * as crypto from 'node:crypto';
import { EMPTY_BLOCK, OP, oneFunctionModule, signedLeb128 } from './wasm-encoding.js';

/**
 * SHA-1 applied `times` times to a 20-byte value: the inner loop of the PKCS#12 KDF, 70,000
 * rounds per compat file. Node has no native call for it, and crypto.hash once per round spends
 * most of its time crossing into C++, so the loop runs as a WebAssembly function that this module
 * assembles at first use: the 80 steps unrolled, the working variables renamed instead of moved,
 * and the padding words of a 20-byte message folded in as constants. Where WebAssembly is off
 * (`node --jitless`) the loop falls back to crypto.hash, slower and the same. The tests hold both
 * to crypto's SHA-1. Like any SHA-1 code without tables or branches on the data, it runs in time
 * independent of the value.
 */
export function sha1Iterate(first: Uint8Array, times: number): Buffer {
  if (first.length !== 20) throw new RangeError('sha1Iterate takes a 20-byte value');
  if (!Number.isInteger(times) || times < 0 || times > 0x7fffffff) throw new RangeError('sha1Iterate takes a count from 0 to 2^31 - 1');
  if (loaded === undefined) loaded = load();
  const sha1 = loaded;
  if (sha1 === null) {
    let value = Buffer.from(first);
    for (let round = 0; round < times; round++) value = crypto.hash('sha1', value, 'buffer');
    return value;
  }
  // WebAssembly memory is little-endian on every host; SHA-1 reads its words big-endian.
  const view = new DataView(first.buffer, first.byteOffset, 20);
  for (let j = 0; j < 5; j++) sha1.memory.setInt32(j * 4, view.getInt32(j * 4), true);
  sha1.iterate(times);
  const out = Buffer.alloc(20);
  for (let j = 0; j < 5; j++) out.writeInt32BE(sha1.memory.getInt32(j * 4, true), j * 4);
  return out;
}

type Loaded = { iterate(times: number): void; memory: DataView };
let loaded: Loaded | null | undefined;

function load(): Loaded | null {
  if (typeof WebAssembly === 'undefined') return null;
  const module = new WebAssembly.Module(oneFunctionModule('iterate', 21, iterateCode()));
  const exports = new WebAssembly.Instance(module).exports as { iterate(times: number): void; memory: WebAssembly.Memory };
  return { iterate: exports.iterate, memory: new DataView(exports.memory.buffer, 0, 20) };
}

const H = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0].map((h) => h | 0);
const K = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6].map((k) => k | 0);

const COUNT = 0;
/** Locals 1–16 hold the schedule ring w0…w15; its first five are also the value between rounds. */
const W = (j: number) => 1 + j;
/** Locals 17–21 hold a…e, in an order that turns every step. */
const WORKING = [17, 18, 19, 20, 21];

const get = (local: number) => [OP.localGet, local];
const set = (local: number) => [OP.localSet, local];
const i32 = (value: number) => [OP.i32Const, ...signedLeb128(value)];

/** f(b, c, d) of each group of 20 steps, left on the stack. */
function roundFunction(group: number, b: number, c: number, d: number): number[] {
  // Ch: d ^ (b & (c ^ d))
  if (group === 0) return [...get(d), ...get(b), ...get(c), ...get(d), OP.i32Xor, OP.i32And, OP.i32Xor];
  // Maj: (b & c) | (d & (b | c))
  if (group === 2) return [...get(b), ...get(c), OP.i32And, ...get(d), ...get(b), ...get(c), OP.i32Or, OP.i32And, OP.i32Or];
  return [...get(b), ...get(c), OP.i32Xor, ...get(d), OP.i32Xor];
}

/** The function body: the value as five little-endian words at memory 0, read, iterated, written back. */
function iterateCode(): number[] {
  const code: number[] = [];
  for (let j = 0; j < 5; j++) code.push(...i32(j * 4), OP.i32Load, 2, 0, ...set(W(j)));
  code.push(OP.block, EMPTY_BLOCK, ...get(COUNT), OP.i32Eqz, OP.brIf, 0);
  code.push(OP.loop, EMPTY_BLOCK);
  // Words 5–15 of a padded 20-byte message: known until the schedule overwrites them.
  const known: Array<number | null> = [null, null, null, null, null, 0x80000000 | 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 160];
  let s = WORKING;
  s.forEach((local, k) => code.push(...i32(H[k]!), ...set(local)));
  for (let i = 0; i < 80; i++) {
    const slot = i & 15;
    if (i >= 16) code.push(...scheduleWord(i, known));
    const [a, b, c, d, e] = s as [number, number, number, number, number];
    const group = Math.floor(i / 20);
    // e := rotl5(a) + f(b, c, d) + e + K + w[i]; b := rotl30(b); then the names turn.
    code.push(...get(a), ...i32(5), OP.i32Rotl, ...roundFunction(group, b, c, d), OP.i32Add);
    code.push(...get(e), OP.i32Add);
    const w = known[slot] ?? null;
    const wPlusK = w === null ? [...get(W(slot)), ...i32(K[group]!), OP.i32Add] : i32((w + K[group]!) | 0);
    code.push(...wPlusK, OP.i32Add, ...set(e));
    code.push(...get(b), ...i32(30), OP.i32Rotl, ...set(b));
    s = [e, a, b, c, d];
  }
  s.forEach((local, k) => code.push(...get(local), ...i32(H[k]!), OP.i32Add, ...set(W(k))));
  code.push(...get(COUNT), ...i32(1), OP.i32Sub, ...set(COUNT));
  code.push(...get(COUNT), OP.brIf, 0, OP.end, OP.end);
  for (let j = 0; j < 5; j++) code.push(...i32(j * 4), ...get(W(j)), OP.i32Store, 2, 0);
  code.push(OP.end);
  return code;
}

/**
 * w[i] = rotl1(w[i-3] ^ w[i-8] ^ w[i-14] ^ w[i-16]) in the ring, with known words folded; a word
 * made only of known ones is itself known and emits nothing.
 */
function scheduleWord(i: number, known: Array<number | null>): number[] {
  const slot = i & 15;
  const code: number[] = [];
  let folded = 0;
  let terms = 0;
  for (const source of [(i - 3) & 15, (i - 8) & 15, (i - 14) & 15, slot]) {
    const value = known[source];
    if (value !== null && value !== undefined) {
      folded ^= value;
      continue;
    }
    code.push(...get(W(source)));
    if (terms++ > 0) code.push(OP.i32Xor);
  }
  if (terms === 0) {
    known[slot] = (folded << 1) | (folded >>> 31);
    return code;
  }
  if (folded !== 0) code.push(...i32(folded), OP.i32Xor);
  code.push(...i32(1), OP.i32Rotl, ...set(W(slot)));
  known[slot] = null;
  return code;
}
