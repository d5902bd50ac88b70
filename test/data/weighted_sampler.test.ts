/**
 * torch.utils.data.WeightedRandomSampler (kernel/src/data/weighted_sampler.ts) against PyTorch
 * 2.13: each pass is torch.multinomial(weights, num_samples, replacement, generator), so a seed
 * gives PyTorch's indices. The expected values come from /work/torchvenv/bin/python:
 *
 *   from torch.utils.data import WeightedRandomSampler as W, DataLoader, TensorDataset
 *   torch.manual_seed(0); list(W([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 10))             # A
 *   torch.manual_seed(0); list(W([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, replacement=False))  # B
 *   g = torch.Generator().manual_seed(7); s = W(torch.tensor([1., 2., 3., 4.]), 8, True, g)
 *   list(s), list(s)                                                             # C
 *   torch.manual_seed(3); dl = DataLoader(TensorDataset(torch.arange(6.)), batch_size=4,
 *       sampler=W([1, 1, 1, 1, 1, 10], 12)); two epochs of [b[0].tolist() for b in dl]  # D
 */
import { describe, expect, test } from "vitest";
import * as torch from "../../kernel/src/index";
import { WeightedRandomSampler } from "../../kernel/src/data/index";

describe("WeightedRandomSampler draws PyTorch's indices", () => {
  test("with replacement (the default), from the default generator", () => {
    torch.manual_seed(0);
    expect([...new WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 10)]).toEqual([5, 4, 4, 5, 4, 4, 2, 3, 4, 3]);
  });

  test("without replacement: positionally or as { replacement: false }", () => {
    torch.manual_seed(0);
    expect([...new WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, false)]).toEqual([1, 4, 0, 2, 3]);
    torch.manual_seed(0);
    expect([...new WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, { replacement: false })]).toEqual([1, 4, 0, 2, 3]);
  });

  test("a tensor of weights and its own generator; each pass draws anew", () => {
    const g = new torch.Generator().manual_seed(7);
    const s = new WeightedRandomSampler(torch.tensor([1, 2, 3, 4]), 8, true, g);
    expect(s.length).toBe(8);
    expect([...s]).toEqual([1, 1, 3, 3, 3, 3, 1, 2]);
    expect([...s]).toEqual([3, 3, 0, 0, 1, 0, 1, 3]);
    expect(s.weights.dtype).toBe("float64");
    expect([s.num_samples, s.replacement, s.generator]).toEqual([8, true, g]);
  });

  test("as a DataLoader's sampler, two epochs", () => {
    torch.manual_seed(3);
    const ds = new torch.utils.data.TensorDataset(torch.arange(6));
    const dl = new torch.utils.data.DataLoader(ds, { batch_size: 4, sampler: new torch.utils.data.WeightedRandomSampler([1, 1, 1, 1, 1, 10], 12) });
    const epoch = () => [...dl].map((b) => (b as torch.Tensor[])[0].tolist());
    expect(epoch()).toEqual([[4, 5, 2, 5], [5, 2, 5, 5], [5, 2, 5, 5]]);
    expect(epoch()).toEqual([[5, 1, 1, 5], [5, 1, 5, 5], [0, 3, 5, 1]]);
    expect(dl.length).toBe(3);
  });

  test("PyTorch's errors", () => {
    // ValueError: num_samples should be a positive integer value, but got num_samples=0
    expect(() => new WeightedRandomSampler([1, 2], 0)).toThrow("num_samples should be a positive integer value, but got num_samples=0");
    expect(() => new WeightedRandomSampler([1, 2], 2.5)).toThrow("num_samples should be a positive integer value, but got num_samples=2.5");
    // ValueError: replacement should be a boolean value, but got replacement=1
    expect(() => new WeightedRandomSampler([1, 2], 3, 1 as never)).toThrow("replacement should be a boolean value, but got replacement=1");
    // ValueError: weights should be a 1d sequence but given weights have shape (1, 2)
    expect(() => new WeightedRandomSampler([[1, 2]] as never, 3)).toThrow("weights should be a 1d sequence but given weights have shape (1, 2)");
    // RuntimeError at iteration: cannot sample n_sample > prob_dist.size(-1) samples without replacement
    const s = new WeightedRandomSampler([1, 2], 3, false);
    expect(() => [...s]).toThrow("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
    expect(() => new WeightedRandomSampler([1, 2], 3, { replacment: false } as never)).toThrow(/unexpected keyword argument 'replacment'/);
  });
});
