import { describe, expect, it } from 'vitest';
import { OP, oneFunctionModule, signedLeb128, unsignedLeb128 } from '../../src/pki/wasm-encoding.js';

const hex = (bytes: number[]) => Buffer.from(bytes).toString('hex');

describe('LEB128', () => {
  it('encodes unsigned numbers as the format defines them', () => {
    expect(hex(unsignedLeb128(0))).toBe('00');
    expect(hex(unsignedLeb128(127))).toBe('7f');
    expect(hex(unsignedLeb128(128))).toBe('8001');
    expect(hex(unsignedLeb128(624485))).toBe('e58e26');
    expect(hex(unsignedLeb128(0xffffffff))).toBe('ffffffff0f');
    for (const bad of [-1, 1.5, 2 ** 32]) expect(() => unsignedLeb128(bad), String(bad)).toThrow(RangeError);
  });

  it('encodes i32 immediates, sign bit included', () => {
    expect(hex(signedLeb128(0))).toBe('00');
    expect(hex(signedLeb128(63))).toBe('3f');
    expect(hex(signedLeb128(64))).toBe('c000');
    expect(hex(signedLeb128(-1))).toBe('7f');
    expect(hex(signedLeb128(-64))).toBe('40');
    expect(hex(signedLeb128(-65))).toBe('bf7f');
    expect(hex(signedLeb128(-123456))).toBe('c0bb78');
    expect(hex(signedLeb128(0x7fffffff))).toBe('ffffffff07');
    expect(hex(signedLeb128(0x80000000 | 0))).toBe('8080808078');
    // An unsigned 32-bit constant is written as the same bits.
    expect(hex(signedLeb128(0xefcdab89))).toBe('89d7b6fe7e');
  });

  it('round-trips every boundary through a real module: the constant written is the constant read', () => {
    for (const value of [0, 1, -1, 63, 64, -64, -65, 8191, 8192, -8193, 0x7fffffff, 0x80000000 | 0, 0xc3d2e1f0 | 0]) {
      // store(0, const value)
      const body = [OP.i32Const, 0, OP.i32Const, ...signedLeb128(value), OP.i32Store, 2, 0, OP.end];
      const module = new WebAssembly.Module(oneFunctionModule('run', 0, body));
      const exports = new WebAssembly.Instance(module).exports as { run(n: number): void; memory: WebAssembly.Memory };
      exports.run(0);
      expect(new Int32Array(exports.memory.buffer, 0, 1)[0], String(value)).toBe(value);
    }
  });
});

describe('oneFunctionModule', () => {
  it('makes a module the engine accepts, and one it refuses when the body does not type-check', () => {
    expect(WebAssembly.validate(oneFunctionModule('f', 2, [OP.end]))).toBe(true);
    // i32.add with nothing on the stack.
    expect(WebAssembly.validate(oneFunctionModule('f', 0, [OP.i32Add, OP.end]))).toBe(false);
  });
});
