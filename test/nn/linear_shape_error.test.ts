/**
 * A Linear layer (or addmm) given inputs of the wrong width raises what PyTorch raises, a
 * RuntimeError with its words, as matmul already did (a user pass, session 28, found Linear's a
 * RangeError beside matmul's RuntimeError); it stays a RangeError for JavaScript's `instanceof`.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

function thrown(f: () => unknown): Error {
  try { f(); } catch (e) { return e as Error; }
  throw new Error("nothing was thrown");
}

describe("mat1 and mat2 shapes cannot be multiplied", () => {
  const cases: [string, () => unknown][] = [
    ["nn.Linear", () => new torch.nn.Linear(3, 2).forward(torch.randn([4, 5]))],
    ["F.linear", () => torch.nn.functional.linear(torch.randn([4, 5]), torch.randn([2, 3]))],
    ["addmm", () => torch.addmm(torch.randn([4, 2]), torch.randn([4, 5]), torch.randn([3, 2]))],
    ["matmul", () => torch.randn([4, 5]).matmul(torch.randn([3, 2]))],
  ];
  for (const [name, f] of cases) {
    it(`${name}: RuntimeError (PyTorch's), still instanceof RangeError`, () => {
      const e = thrown(f);
      expect(e.name).toBe("RuntimeError");
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toBe("mat1 and mat2 shapes cannot be multiplied (4x5 and 3x2)");
    });
  }
});
