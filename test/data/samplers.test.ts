/**
 * torch.utils.data's samplers with PyTorch 2.13's signatures, against real PyTorch
 * (test/fixtures/generate_samplers.py → fixtures/nn/samplers.json): RandomSampler(data_source,
 * replacement, num_samples, generator) and SubsetRandomSampler(indices, generator) draw PyTorch's
 * indices for the same seed, pass after pass; SequentialSampler(data_source); PyTorch's errors.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { RandomSampler, SequentialSampler, SubsetRandomSampler, Subset } from "../../kernel/src/data/index";
import { fixture } from "../nn/helpers";

const fx = fixture<any>("samplers.json");

interface RandomCase {
  name: string; seed: number; n: number; replacement: boolean; num_samples: number | null; generator_seed: number | null;
  length: number; passes: number[][];
}

const gen = (seed: number | null) => (seed === null ? null : new torch.Generator().manual_seed(seed));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("RandomSampler draws PyTorch's indices", () => {
  it.each((fx.random as RandomCase[]).map((c) => [c.name, c] as const))("%s, positionally", (_n, c) => {
    torch.manual_seed(c.seed);
    const s = new RandomSampler(range(c.n), c.replacement, c.num_samples, gen(c.generator_seed));
    expect(s.length).toBe(c.length);
    expect([[...s], [...s]]).toEqual(c.passes);
  });

  it.each((fx.random as RandomCase[]).map((c) => [c.name, c] as const))("%s, as options", (_n, c) => {
    torch.manual_seed(c.seed);
    const s = new RandomSampler(range(c.n), { replacement: c.replacement, num_samples: c.num_samples, generator: gen(c.generator_seed) });
    expect([[...s], [...s]]).toEqual(c.passes);
  });

  it("takes a dataset (its length) or, as before, the length itself", () => {
    const c = (fx.random as RandomCase[]).find((r) => r.name === "default")!;
    const ds = new torch.utils.data.TensorDataset(torch.arange(c.n));
    torch.manual_seed(c.seed);
    const s = new RandomSampler(ds);
    expect([[...s], [...s]]).toEqual(c.passes);
    torch.manual_seed(c.seed);
    expect([...new RandomSampler(c.n)]).toEqual(c.passes[0]);
    expect([s.replacement, s.num_samples, s.generator, s.data_source]).toEqual([false, c.n, null, ds]);
  });

  it("reads the data source's length at each pass, as PyTorch's len(data_source)", () => {
    const data = [0, 1, 2];
    const s = new RandomSampler(data);
    data.push(3, 4);
    expect(s.length).toBe(5);
    expect([...s].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it("PyTorch's errors", () => {
    const e = fx.random_errors;
    expect(() => new RandomSampler(range(7), { num_samples: 0 })).toThrow(e.num_samples_zero.message);
    expect(() => new RandomSampler(range(7), false, -3)).toThrow(e.num_samples_negative.message);
    expect(() => new RandomSampler(range(7), { num_samples: 2.5 })).toThrow(e.num_samples_float.message);
    expect(() => new RandomSampler(range(7), 1 as never)).toThrow(e.replacement_int.message);
    expect(() => new RandomSampler([])).toThrow(e.empty_dataset.message);
    expect(() => new RandomSampler(range(7), { replacment: true } as never)).toThrow(/unexpected keyword argument 'replacment'/);
  });
});

describe("SubsetRandomSampler and SequentialSampler", () => {
  it("SubsetRandomSampler(indices) draws PyTorch's order from the default generator", () => {
    torch.manual_seed(0);
    const s = new SubsetRandomSampler(fx.subset.indices);
    expect(s.length).toBe(fx.subset.default.length);
    expect([[...s], [...s]]).toEqual(fx.subset.default.passes);
  });

  it("SubsetRandomSampler(indices, generator), positionally or as { generator }", () => {
    torch.manual_seed(0);
    const s = new SubsetRandomSampler(fx.subset.indices, new torch.Generator().manual_seed(2));
    expect([[...s], [...s]]).toEqual(fx.subset.generator.passes);
    const t = new SubsetRandomSampler(fx.subset.indices, { generator: new torch.Generator().manual_seed(2) });
    expect([[...t], [...t]]).toEqual(fx.subset.generator.passes);
  });

  it("is exported as torch.utils.data.SubsetRandomSampler and feeds a DataLoader", () => {
    expect(torch.utils.data.SubsetRandomSampler).toBe(SubsetRandomSampler);
    torch.manual_seed(0);
    const ds = new torch.utils.data.TensorDataset(torch.arange(30));
    const dl = new torch.utils.data.DataLoader(ds, { batch_size: 4, sampler: new SubsetRandomSampler(fx.subset.indices) });
    const seen = [...dl].flatMap((b) => (b as torch.Tensor[])[0].tolist() as number[]);
    expect(seen.sort((a, b) => a - b)).toEqual([...fx.subset.indices].sort((a: number, b: number) => a - b));
  });

  it("SequentialSampler(data_source) takes a dataset", () => {
    const ds = new Subset(range(9), range(fx.sequential.n));
    const s = new SequentialSampler(ds);
    expect([...s]).toEqual(fx.sequential.indices);
    expect(s.length).toBe(fx.sequential.length);
  });
});

describe("random_split(dataset, lengths, generator)", () => {
  it("takes the generator positionally, as PyTorch", () => {
    const c = fx.random_split_positional;
    const parts = torch.utils.data.random_split(range(c.n), c.lengths, new torch.Generator().manual_seed(c.generator_seed));
    expect(parts.map((p) => p.indices)).toEqual(c.indices);
    const again = torch.utils.data.random_split(range(c.n), c.lengths, { generator: new torch.Generator().manual_seed(c.generator_seed) });
    expect(again.map((p) => p.indices)).toEqual(c.indices);
  });
});
