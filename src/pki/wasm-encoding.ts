/**
 * The few pieces of the WebAssembly binary format (Core Specification, chapter 5) needed to
 * assemble a one-function module in memory: LEB128 numbers, vectors, sections, opcodes.
 */

export const OP = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  i32Load: 0x28,
  i32Store: 0x36,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Rotl: 0x77,
} as const;

/** Block type of a block or loop that leaves nothing on the stack. */
export const EMPTY_BLOCK = 0x40;
export const I32 = 0x7f;

export function unsignedLeb128(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not a u32: ${n}`);
  const out: number[] = [];
  for (;;) {
    const byte = n % 128;
    n = Math.floor(n / 128);
    if (n === 0) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/** i32 immediates: the value's 32-bit two's complement, sign-extended from its last group. */
export function signedLeb128(value: number): number[] {
  let n = value | 0;
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

export const vector = (items: number[][]): number[] => [...unsignedLeb128(items.length), ...items.flat()];
export const section = (id: number, body: number[]): number[] => [id, ...unsignedLeb128(body.length), ...body];
export const utf8Name = (text: string): number[] => vector([...Buffer.from(text, 'utf8')].map((b) => [b]));

/**
 * A module of one function `(param i32)` with `localCount` i32 locals besides it and `body` as
 * its code (ending in `end`), exported under `exportName`, and one page of memory exported as
 * `memory`.
 */
export function oneFunctionModule(exportName: string, localCount: number, body: number[]): Uint8Array<ArrayBuffer> {
  const code = [...vector(localCount === 0 ? [] : [[...unsignedLeb128(localCount), I32]]), ...body];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([[0x60, ...vector([[I32]]), ...vector([])]])),
    ...section(3, vector([[0]])),
    ...section(5, vector([[0x00, 1]])),
    ...section(7, vector([[...utf8Name(exportName), 0x00, 0], [...utf8Name('memory'), 0x02, 0]])),
    ...section(10, vector([[...unsignedLeb128(code.length), ...code]])),
  ]);
}
