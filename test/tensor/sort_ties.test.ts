/**
 * torch.sort / argsort put tied values where PyTorch 2.13 does: its CPU unstable sort (the
 * default) is std::sort over (value, index) pairs compared by value, whose order for ties lrlab
 * follows (select_order.ts introsort); `stable: true` keeps the input order. A stable sort for
 * both gave other indices from 16 tied elements on (test/fixtures/generate_sort_ties.py, real
 * PyTorch: sizes 5 to 5000, values 0-3 with NaNs, both directions, a matrix along each dim).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const fixture = JSON.parse(readFileSync(join(__dirname, "../fixtures/tensor/sort_ties.json"), "utf8"));

interface Case { x: (number | null)[]; shape: number[]; dim: number; descending: boolean; stable: boolean; indices: number[] }

describe("sort and argsort: ties in PyTorch's order", () => {
  for (const c of (fixture as { cases: Case[] }).cases) {
    it(`${c.shape.join("×")} along dim ${c.dim}, ${c.descending ? "descending" : "ascending"}, ${c.stable ? "stable" : "unstable"}`, () => {
      const x = torch.tensor(c.x.map((v) => (v === null ? NaN : v))).reshape(c.shape);
      const r = torch.sort(x, { dim: c.dim, descending: c.descending, stable: c.stable });
      expect((r.indices.flatten().tolist() as number[])).toEqual(c.indices);
      // positional and method forms, argsort alike
      expect(x.sort(c.dim, c.descending, c.stable).indices.flatten().tolist()).toEqual(c.indices);
      expect(torch.argsort(x, c.dim, c.descending, c.stable).flatten().tolist()).toEqual(c.indices);
    });
  }
});
