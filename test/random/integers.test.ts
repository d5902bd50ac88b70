/** randint, randperm, random_ and bernoulli against PyTorch 2.13 CPU (exact values and draw counts). */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/random/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { hexToTensor, loadFixture, toHex } from "./fixture";

interface Case {
  op: string;
  seed: number;
  dtype: "int64" | "float32" | "float64";
  low?: number;
  high?: number;
  size?: number[];
  n?: number;
  p?: string[];
  values: (number | string)[];
  after: string[];
}

const cases = loadFixture<{ cases: Case[] }>("integers.json").cases;

describe("integer samplers match PyTorch", () => {
  for (const c of cases) {
    const name =
      c.op === "randint" ? `randint(${c.low}, ${c.high}, [${c.size}]) ${c.dtype} seed=${c.seed}`
      : c.op === "randperm" ? `randperm(${c.n}) seed=${c.seed}`
      : `bernoulli(p) ${c.dtype} seed=${c.seed}`;
    it(name, () => {
      torch.manual_seed(c.seed);
      let t: Tensor;
      if (c.op === "randint") t = torch.randint(c.low!, c.high!, c.size!, { dtype: c.dtype });
      else if (c.op === "randperm") t = torch.randperm(c.n!);
      else t = torch.bernoulli(hexToTensor(c.p!, c.dtype as "float32" | "float64", [5, 7]));
      expect(toHex(t)).toEqual(c.values);
      expect(toHex(torch.rand(3, { dtype: "float64" }))).toEqual(c.after);
    });
  }
});

describe("integer sampler signatures", () => {
  it("randint(high, size) draws from [0, high)", () => {
    torch.manual_seed(3);
    const a = torch.randint(10, [50]);
    torch.manual_seed(3);
    const b = torch.randint(0, 10, [50]);
    expect(a.dtype).toBe("int64");
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Math.min(...a.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a.data)).toBeLessThan(10);
  });
  it("random_(from, to) on a tensor equals randint", () => {
    torch.manual_seed(8);
    const a = torch.randint(-4, 4, [2, 9]);
    torch.manual_seed(8);
    const b = new Tensor(new Float64Array(18), [2, 9], "int64").random_(-4, 4);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });
  it("randperm covers 0..n-1 once", () => {
    const p = Array.from(torch.randperm(257).data).sort((x, y) => x - y);
    expect(p).toEqual(Array.from({ length: 257 }, (_, i) => i));
  });
  it("bernoulli_ with a tensor p equals bernoulli(p)", () => {
    const p = new Tensor(Float32Array.from([0.1, 0.5, 0.9, 0, 1]), [5]);
    torch.manual_seed(2);
    const a = torch.bernoulli(p);
    torch.manual_seed(2);
    const b = new Tensor(new Float32Array(5), [5]).bernoulli_(p);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect([a.data[3], a.data[4]]).toEqual([0, 1]);
  });
  it("rejects bad ranges and arguments", () => {
    expect(() => torch.randint(5, 5, [2])).toThrow(/from=5 >= to=5/);
    expect(() => torch.randint(0.5, [2])).toThrow(/must be integers/);
    expect(() => torch.randperm(-1)).toThrow(/n must be non-negative/);
    expect(() => torch.bernoulli(new Tensor(Float32Array.from([1.5]), [1]))).toThrow(/probabilities in \[0, 1\]/);
    expect(() => new Tensor(new Float32Array(2), [2]).bernoulli_(2)).toThrow(/p to be in \[0, 1\]/);
  });
});

describe("randperm's large-n algorithm (inside-out shuffle with 64-bit draws)", () => {
  it("yields a permutation, two 32-bit words per element, following its recurrence", async () => {
    const { fillRandperm } = await import("../../kernel/src/random/kernels");
    const g = new torch.Generator().manual_seed(21);
    const ref = new torch.Generator().manual_seed(21);
    const data = new Float64Array(300);
    fillRandperm(data, g, 0); // force the large-n path
    // replay the recurrence r[i] = r[z]; r[z] = i with z = draw64 mod (i + 1)
    const want: number[] = [];
    for (let i = 0; i < 300; i++) {
      const z = Number(ref.random64() % BigInt(i + 1));
      want[i] = want[z];
      want[z] = i;
    }
    expect(Array.from(data)).toEqual(want);
    expect([...data].sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(g.random()).toBe(ref.random());
  });
});
