/**
 * Datasets and loaders print their sizes and settings, never their data: a TensorDataset or a
 * DataLoader over one printed every tensor in full (18 KB for 100 × 10 samples). The echo
 * (text/plain from toString, kernel/src/kernel/mime.ts) and console.log (util.inspect) agree.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { DataLoader, TensorDataset, random_split } from "../../kernel/src/data/index";
import { Generator, randn } from "../../kernel/src/random/index";
import { textOf } from "../../kernel/src/kernel/mime";

function shown(x: object): string {
  const echo = textOf(x);
  expect(inspect(x)).toBe(echo);
  return echo;
}

const ds = new TensorDataset(randn(100, 10), randn([100, 1], { dtype: "float64" }));
const DS = "TensorDataset(length=100, tensors=[float32 [100, 10], float64 [100, 1]])";

describe("dataset and loader repr", () => {
  it("TensorDataset and Subset: length and what the tensors are", () => {
    expect(shown(ds)).toBe(DS);
    const [train] = random_split(ds, [80, 20], { generator: new Generator().manual_seed(1) });
    expect(shown(train)).toBe(`Subset(length=80, dataset=${DS})`);
  });

  it("DataLoader: the dataset, batching, shuffling, batches per epoch", () => {
    expect(shown(new DataLoader(ds, { batch_size: 32, shuffle: true }))).toBe(
      `DataLoader(dataset=${DS}, batch_size=32, shuffle=True, drop_last=False, batches=4)`,
    );
    expect(shown(new DataLoader(ds))).toBe(`DataLoader(dataset=${DS}, batch_size=1, shuffle=False, drop_last=False, batches=100)`);
    function pairs(samples: unknown[]) {
      return samples;
    }
    expect(shown(new DataLoader(ds, { batch_size: 8, drop_last: true, generator: new Generator().manual_seed(3), collate_fn: pairs }))).toBe(
      `DataLoader(dataset=${DS}, batch_size=8, shuffle=False, drop_last=True, ` +
        "generator=<torch.Generator object (device='cpu', initial_seed=3)>, collate_fn=pairs, batches=12)",
    );
  });

  it("batch_size null, arrays, and a sampler of one's own (named by its class)", () => {
    expect(shown(new DataLoader([1, 2, 3], { batch_size: null }))).toBe("DataLoader(dataset=Array(3), batch_size=None, shuffle=False, length=3)");
    class Backwards {
      readonly length = 3;
      *[Symbol.iterator]() {
        yield* [2, 1, 0];
      }
    }
    expect(shown(new DataLoader([1, 2, 3], { batch_size: 2, sampler: new Backwards() }))).toBe(
      "DataLoader(dataset=Array(3), batch_size=2, sampler=Backwards, drop_last=False, batches=2)",
    );
  });
});
