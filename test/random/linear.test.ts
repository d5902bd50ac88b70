/** `torch.manual_seed(0); new torch.nn.Linear(...)` gives PyTorch 2.13's initial weights, bit for bit. */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { loadFixture, toHex } from "./fixture";

interface Case {
  in: number;
  out: number;
  weight: string[];
  bias: string[];
}

const cases = loadFixture<{ cases: Case[] }>("linear.json").cases;

describe("nn.Linear initialisation matches PyTorch", () => {
  for (const c of cases) {
    it(`manual_seed(0); Linear(${c.in}, ${c.out})`, () => {
      torch.manual_seed(0);
      const lin = new torch.nn.Linear(c.in, c.out);
      expect(lin.weight.shape).toEqual([c.out, c.in]);
      expect(toHex(lin.weight)).toEqual(c.weight);
      expect(toHex(lin.bias!)).toEqual(c.bias);
    });
  }
});
