import { EMPTY_BLOCK, OP, oneFunctionModule, signedLeb128 } from './wasm-encoding.js';

/**
 * SHA-1 applied `times` times to a 20-byte value: the inner loop of the PKCS#12 KDF, 70,000
 * rounds per compat file. Node has no native call for it, and crypto.hash once per round spends
 * most of its time crossing into C++, so the loop runs as a WebAssembly function that this module
 * assembles at first use: the 80 steps unrolled, the working variables renamed instead of moved,
 * and the padding words of a 20-byte message folded in as constants. The tests hold it to
 * crypto's SHA-1. Like any SHA-1 code without tables or branches on the data, it runs in time
 * independent of the value.
 */
export function sha1Iterate(first: Uint8Array, times: number): Buffer {
  if (first.length !== 20) throw new RangeError('sha1Iterate takes a 20-byte value');
  if (!Number.isInteger(times) || times < 0 || times > 0x7fffffff) throw new RangeError('sha1Iterate takes a count from 0 to 2^31 - 1');
  const sha1 = (loaded ??= load());
  const view = new DataView(first.buffer, first.byteOffset, 20);
  for (let j = 0; j < 5; j++) sha1.words[j] = view.getInt32(j * 4);
  sha1.iterate(times);
  const out = Buffer.alloc(20);
  for (let j = 0; j < 5; j++) out.writeInt32BE(sha1.words[j]!, j * 4);
  return out;
}

type Loaded = { iterate(times: number): void; words: Int32Array };
let loaded: Loaded | null = null;

function load(): Loaded {
  const module = new WebAssembly.Module(oneFunctionModule('iterate', 21, iterateCode()));
  const exports = new WebAssembly.Instance(module).exports as { iterate(times: number): void; memory: WebAssembly.Memory };
  return { iterate: exports.iterate, words: new Int32Array(exports.memory.buffer, 0, 5) };
}

const H = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0].map((h) => h | 0);
const K = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6].map((k) => k | 0);

const COUNT = 0;
/** Locals 1–16 hold the schedule ring w0…w15; its first five are also the value between rounds. */
const W = (j: number) => 1 + j;
/** Locals 17–21 hold a…e, in an order that turns every step. */
const WORKING = [17, 18, 19, 20, 21];

/** The function body: the value as five host-order words at memory 0, read, iterated, written back. */
function iterateCode(): number[] {
  const code: number[] = [];
  const emit = (...bytes: number[]) => void code.push(...bytes);
  const get = (local: number) => emit(OP.localGet, local);
  const set = (local: number) => emit(OP.localSet, local);
  const constant = (value: number) => emit(OP.i32Const, ...signedLeb128(value));

  for (let j = 0; j < 5; j++) (constant(j * 4), emit(OP.i32Load, 2, 0), set(W(j)));
  emit(OP.block, EMPTY_BLOCK);
  get(COUNT), emit(OP.i32Eqz, OP.brIf, 0);
  emit(OP.loop, EMPTY_BLOCK);
  // Words 5–15 of a padded 20-byte message: known until the schedule overwrites them.
  const known: Array<number | null> = [null, null, null, null, null, 0x80000000 | 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 160];
  let s = WORKING;
  s.forEach((local, k) => (constant(H[k]!), set(local)));
  for (let i = 0; i < 80; i++) {
    const slot = i & 15;
    if (i >= 16) scheduleWord(i, known, { emit, get, set, constant });
    const [a, b, c, d, e] = s as [number, number, number, number, number];
    const group = Math.floor(i / 20);
    // e := rotl5(a) + f(b, c, d) + e + K + w[i]; b := rotl30(b); then the names turn.
    get(a), constant(5), emit(OP.i32Rotl);
    if (group === 0) {
      // Ch: d ^ (b & (c ^ d))
      get(d), get(b), get(c), get(d);
      emit(OP.i32Xor, OP.i32And, OP.i32Xor);
    } else if (group === 2) {
      // Maj: (b & c) | (d & (b | c))
      get(b), get(c), emit(OP.i32And);
      get(d), get(b), get(c), emit(OP.i32Or, OP.i32And, OP.i32Or);
    } else {
      get(b), get(c), emit(OP.i32Xor), get(d), emit(OP.i32Xor);
    }
    emit(OP.i32Add);
    get(e), emit(OP.i32Add);
    const w = known[slot];
    if (w === null) {
      get(W(slot)), constant(K[group]!), emit(OP.i32Add);
    } else {
      constant((w! + K[group]!) | 0);
    }
    emit(OP.i32Add);
    set(e);
    get(b), constant(30), emit(OP.i32Rotl), set(b);
    s = [e, a, b, c, d];
  }
  s.forEach((local, k) => (get(local), constant(H[k]!), emit(OP.i32Add), set(W(k))));
  get(COUNT), constant(1), emit(OP.i32Sub), set(COUNT);
  get(COUNT), emit(OP.brIf, 0);
  emit(OP.end, OP.end);
  for (let j = 0; j < 5; j++) (constant(j * 4), get(W(j)), emit(OP.i32Store, 2, 0));
  emit(OP.end);
  return code;
}

type Emitter = { emit(...bytes: number[]): void; get(local: number): void; set(local: number): void; constant(value: number): void };

/** w[i] = rotl1(w[i-3] ^ w[i-8] ^ w[i-14] ^ w[i-16]) in the ring, with known words folded. */
function scheduleWord(i: number, known: Array<number | null>, { emit, get, set, constant }: Emitter): void {
  const slot = i & 15;
  let folded = 0;
  let terms = 0;
  for (const source of [(i - 3) & 15, (i - 8) & 15, (i - 14) & 15, slot]) {
    const value = known[source];
    if (value !== null) folded ^= value!;
    else {
      get(W(source));
      if (terms++ > 0) emit(OP.i32Xor);
    }
  }
  if (terms === 0) {
    known[slot] = (folded << 1) | (folded >>> 31);
    return;
  }
  if (folded !== 0) {
    constant(folded), emit(OP.i32Xor);
  }
  constant(1), emit(OP.i32Rotl), set(W(slot));
  known[slot] = null;
}
