/**
 * DataLoader's `batch_sampler` and `sampler` options against real PyTorch 2.13
 * (test/fixtures/generate_samplers.py → fixtures/nn/samplers.json, "batch_sampler"): the batches
 * of two epochs for a seed, a plain array of index arrays as the batch sampler, a RandomSampler
 * with replacement as the sampler, and PyTorch's errors for the options batch_sampler excludes.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { BatchSampler, DataLoader, RandomSampler, TensorDataset } from "../../kernel/src/data/index";
import { fixture } from "../nn/helpers";

const fx = fixture<any>("samplers.json").batch_sampler;
const ds = () => new TensorDataset(torch.arange(10));
const epoch = (dl: DataLoader) => [...dl].map((b) => (b as torch.Tensor[])[0].tolist());

describe("DataLoader(batch_sampler)", () => {
  it("a BatchSampler over a RandomSampler: PyTorch's batches, epoch after epoch", () => {
    torch.manual_seed(fx.seed);
    const data = ds();
    const bs = new BatchSampler(new RandomSampler(data, { generator: new torch.Generator().manual_seed(fx.generator_seed) }), fx.batch_size, false);
    const dl = new DataLoader(data, { batch_sampler: bs });
    expect([epoch(dl), epoch(dl)]).toEqual(fx.epochs);
    expect(dl.length).toBe(fx.length);
    expect([dl.batch_size, dl.drop_last]).toEqual([null, false]);
    expect(dl.batch_sampler).toBe(bs);
    expect(String(dl)).toContain("batch_sampler=BatchSampler");
    expect(String(dl)).toContain(`batches=${fx.length}`);
  });

  it("an array of index arrays", () => {
    const dl = new DataLoader(ds(), { batch_sampler: [[0, 1], [4, 2, 3], [9]] });
    expect(epoch(dl)).toEqual(fx.list_epochs);
    expect(dl.length).toBe(3);
  });

  it("a custom collate_fn gets each batch's samples", () => {
    const dl = new DataLoader([10, 11, 12, 13], { batch_sampler: [[3, 0], [1]], collate_fn: (s: number[]) => s });
    expect([...dl]).toEqual([[13, 10], [11]]);
  });

  it("PyTorch's errors: batch_sampler excludes batch_size, shuffle, sampler and drop_last", () => {
    const e = fx.errors;
    const data = ds();
    expect(() => new DataLoader(data, { batch_size: 2, batch_sampler: [[0]] })).toThrow(e.batch_size.message);
    expect(() => new DataLoader(data, { batch_size: null, batch_sampler: [[0]] })).toThrow(e.batch_size_none.message);
    expect(() => new DataLoader(data, { shuffle: true, batch_sampler: [[0]] })).toThrow(e.shuffle.message);
    expect(() => new DataLoader(data, { sampler: [0], batch_sampler: [[0]] })).toThrow(e.sampler.message);
    expect(() => new DataLoader(data, { drop_last: true, batch_sampler: [[0]] })).toThrow(e.drop_last.message);
    expect(() => new DataLoader(data, { sampler: [0], shuffle: true })).toThrow(e.sampler_shuffle.message);
    // batch_size 1 is PyTorch's default: given explicitly, it cannot be told apart
    expect(new DataLoader(data, { batch_size: 1, batch_sampler: [[0]] }).batch_size).toBe(null);
  });
});

describe("DataLoader(sampler)", () => {
  it("a RandomSampler with replacement and num_samples: PyTorch's batches from the default generator", () => {
    torch.manual_seed(3);
    const data = ds();
    const dl = new DataLoader(data, { batch_size: 4, sampler: new RandomSampler(data, true, 9) });
    expect([epoch(dl), epoch(dl)]).toEqual(fx.sampler_replacement_epochs);
    expect(dl.length).toBe(3);
  });

  it("shuffle: true builds PyTorch's RandomSampler(dataset, generator=generator)", () => {
    const g = new torch.Generator().manual_seed(1);
    const dl = new DataLoader(ds(), { shuffle: true, generator: g });
    expect(dl.sampler).toBeInstanceOf(RandomSampler);
    expect((dl.sampler as RandomSampler).generator).toBe(g);
  });
});
