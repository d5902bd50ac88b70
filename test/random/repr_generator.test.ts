/**
 * A Generator prints in one line (PyTorch: `<torch._C.Generator object at 0x...>`): a cell ending
 * in `torch.manual_seed(0)`, which returns the default generator, printed ~1.5 KB of its
 * Mersenne Twister state.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Generator, manual_seed } from "../../kernel/src/random/index";
import { textOf } from "../../kernel/src/kernel/mime";

describe("Generator repr", () => {
  it("manual_seed's result: echo and console.log show device and seed, not the state", () => {
    const g = manual_seed(0);
    expect(textOf(g)).toBe("<torch.Generator object (device='cpu', initial_seed=0)>");
    expect(inspect(g)).toBe(textOf(g));
  });

  it("the seed it was given, 64-bit ones too", () => {
    expect(String(new Generator().manual_seed(-1))).toBe("<torch.Generator object (device='cpu', initial_seed=18446744073709551615)>");
    expect(String(new Generator())).toBe("<torch.Generator object (device='cpu', initial_seed=67280421310721)>");
  });
});
