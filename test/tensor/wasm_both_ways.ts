/**
 * For the tests of the WebAssembly transcendental path (fast_exp*.test.ts): an op run with the
 * module and with the JS loops must give the same tensors, byte for byte.
 */
import { expect } from "vitest";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { set_transcendental_wasm_enabled } from "../../kernel/src/tensor/wasm/transcendental";

/** Every byte of a tensor's storage (NaN payloads and signs included). */
export function bytes(t: Tensor): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** `run` with the module and with the JS loops: the same dtype, shape, layout and bytes out, array by array. */
export function sameBothWays(run: () => Tensor[]): void {
  const on = run();
  set_transcendental_wasm_enabled(false);
  let off: Tensor[];
  try {
    off = run();
  } finally {
    set_transcendental_wasm_enabled(true);
  }
  expect(on.length).toBe(off.length);
  for (let i = 0; i < on.length; i++) {
    expect(on[i].dtype).toBe(off[i].dtype);
    expect(on[i].shape).toEqual(off[i].shape);
    expect(on[i]._memory_order).toEqual(off[i]._memory_order);
    expect(bytes(on[i]).equals(bytes(off[i])), `output ${i}`).toBe(true);
  }
}
