/** torch.utils.data: batching, drop_last, and shuffling orders equal to PyTorch's. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataLoader, Dataset, TensorDataset, Subset, random_split, default_collate } from "../../kernel/src/data/index";
import { Generator, manual_seed, rand } from "../../kernel/src/random/index";
import { Tensor } from "../../kernel/src/tensor/tensor";

const fx = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "nn", "data.json"), "utf8"));

const arange = (n: number) => new Tensor(Float64Array.from({ length: n }, (_, i) => i), [n], "int64");
const batchesOf = (loader: DataLoader<Tensor[]>) => [...loader].map(([x]) => Array.from(x.data));

describe("batching", () => {
  const x = new Tensor(Float32Array.from({ length: 20 }, (_, i) => i), [10, 2], "float32");
  const y = arange(10);
  const ds = new TensorDataset(x, y);

  it("TensorDataset indexes rows of every tensor", () => {
    expect(ds.length).toBe(10);
    const [xi, yi] = ds.get(3);
    expect(xi.shape).toEqual([2]);
    expect(Array.from(xi.data)).toEqual([6, 7]);
    expect(Array.from(yi.data)).toEqual([3]);
    expect(yi.shape).toEqual([]);
    expect(() => new TensorDataset(x, arange(9))).toThrow(/Size mismatch between tensors/);
  });

  it("batches in order, the last one short; length counts batches", () => {
    const dl = new DataLoader(ds, { batch_size: 4 });
    expect(dl.length).toBe(3);
    const out = [...dl];
    expect(out.map(([bx, by]) => [bx.shape, by.shape])).toEqual([
      [[4, 2], [4]],
      [[4, 2], [4]],
      [[2, 2], [2]],
    ]);
    expect(Array.from(out[2][0].data)).toEqual([16, 17, 18, 19]);
    expect(out[0][1].dtype).toBe("int64");
  });

  it("drop_last drops the short batch", () => {
    const dl = new DataLoader(ds, { batch_size: 4, drop_last: true });
    expect(dl.length).toBe(2);
    expect([...dl].length).toBe(2);
  });

  it("for...of destructuring and default batch_size 1", () => {
    let count = 0;
    for (const [bx, by] of new DataLoader(ds)) {
      expect(bx.shape).toEqual([1, 2]);
      expect(by.shape).toEqual([1]);
      count++;
    }
    expect(count).toBe(10);
  });

  it("generic datasets go through default_collate", () => {
    const items = [
      { a: 1, b: [0.5, true] },
      { a: 2, b: [1.5, false] },
    ];
    const out = [...new DataLoader(items, { batch_size: 2 })][0];
    expect(out.a.dtype).toBe("int64");
    expect(out.b[0].dtype).toBe("float64");
    expect(out.b[1].dtype).toBe("bool");
    expect(() => default_collate([new Tensor(new Float32Array(2), [2]), new Tensor(new Float32Array(3), [3])])).toThrow(
      /stack expects each tensor to be equal size/,
    );
  });

  it("a user Dataset subclass (length as a field, get returning [x, y]) batches through default_collate", () => {
    class Squares extends Dataset<[Tensor, number]> {
      length = 5;
      get(i: number): [Tensor, number] {
        return [new Tensor(Float32Array.from([i, i * i]), [2], "float32"), i % 2];
      }
    }
    const batches = [...new DataLoader(new Squares(), { batch_size: 2 })] as [Tensor, Tensor][];
    expect(batches.length).toBe(3);
    expect(batches[1][0].shape).toEqual([2, 2]);
    expect(Array.from(batches[1][0].data)).toEqual([2, 4, 3, 9]);
    expect(Array.from(batches[1][1].data)).toEqual([0, 1]);
    expect(batches[2][0].shape).toEqual([1, 2]);
  });

  it("bad options are clear errors", () => {
    expect(() => new DataLoader(ds, { batch_size: 0 })).toThrow("batch_size should be a positive integer value, but got batch_size=0");
    expect(() => new DataLoader({} as any)).toThrow(/dataset must have a non-negative integer `length`/);
    expect(() => new DataLoader(ds, { num_workers: -1 })).toThrow("num_workers must be a non-negative integer, got -1");
    expect(() => new DataLoader(ds, { num_workers: 1.5 })).toThrow("num_workers must be a non-negative integer, got 1.5");
  });

  it("num_workers and pin_memory port from PyTorch: accepted, the same batches in the same order (loaded in the kernel's process)", () => {
    const run = (opts: object) => {
      manual_seed(7);
      return batchesOf(new DataLoader(new TensorDataset(arange(50)), { batch_size: 8, shuffle: true, ...opts }));
    };
    expect(run({ num_workers: 2, pin_memory: true })).toEqual(run({}));
  });

  it("the worker options port too (persistent_workers, prefetch_factor, worker_init_fn, timeout), checked with PyTorch's messages", () => {
    const run = (opts: object) => {
      manual_seed(7);
      return batchesOf(new DataLoader(new TensorDataset(arange(50)), { batch_size: 8, shuffle: true, ...opts }));
    };
    let called = 0;
    const init = () => { called++; };
    expect(run({ num_workers: 2, persistent_workers: true, prefetch_factor: 2, worker_init_fn: init, timeout: 30 })).toEqual(run({}));
    expect(called).toBe(0); // no worker processes: PyTorch without workers does not call it either
    const ds = new TensorDataset(arange(8));
    // PyTorch 2.13's messages (DataLoader(ds, persistent_workers=True), prefetch_factor=2, timeout=-1)
    expect(() => new DataLoader(ds, { persistent_workers: true })).toThrow("persistent_workers option needs num_workers > 0");
    expect(() => new DataLoader(ds, { prefetch_factor: 2 })).toThrow("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.");
    expect(() => new DataLoader(ds, { timeout: -1 })).toThrow("timeout option should be non-negative");
  });
});

describe("shuffling equals PyTorch's order for the same seed", () => {
  it.each((fx.shuffle_default as any[]).map((c: any) => [`seed ${c.seed}, n=${c.n}, batch ${c.batch_size}, drop_last ${c.drop_last}`, c] as [string, any]))(
    "%s (two epochs, then the default generator's state)",
    (_n, c: any) => {
      manual_seed(c.seed);
      const dl = new DataLoader(new TensorDataset(arange(c.n)), { batch_size: c.batch_size, shuffle: true, drop_last: c.drop_last });
      expect([batchesOf(dl), batchesOf(dl)]).toEqual(c.epochs);
      expect(rand(1, { dtype: "float32" }).data[0]).toBe(Math.fround(c.rand_after));
    },
  );

  it.each((fx.shuffle_generator as any[]).map((c: any) => [`generator seed ${c.generator_seed}`, c] as [string, any]))("%s (three epochs)", (_n, c: any) => {
    manual_seed(0);
    const g = new Generator().manual_seed(c.generator_seed);
    const dl = new DataLoader(new TensorDataset(arange(c.n)), { batch_size: c.batch_size, shuffle: true, generator: g });
    expect([batchesOf(dl), batchesOf(dl), batchesOf(dl)]).toEqual(c.epochs);
    // The loader used only its own generator, advanced exactly as PyTorch's.
    expect(rand(1).data[0]).toBe(Math.fround(c.rand_after_default));
    expect(rand(1, { generator: g }).data[0]).toBe(Math.fround(c.rand_after_generator));
  });

  it("same seed, same order; different seed, different order", () => {
    const run = (s: number) => {
      manual_seed(s);
      return batchesOf(new DataLoader(new TensorDataset(arange(50)), { batch_size: 50, shuffle: true }));
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it("an unshuffled loader still draws its base seed (as PyTorch's iterator does)", () => {
    const c = fx.sequential;
    manual_seed(c.seed);
    expect(batchesOf(new DataLoader(new TensorDataset(arange(5)), { batch_size: 2 }))).toEqual(c.batches);
    expect(rand(1).data[0]).toBe(Math.fround(c.rand_after));
  });
});

describe("random_split", () => {
  it.each((fx.random_split as any[]).map((c: any) => [`seed ${c.seed} lengths ${c.lengths}`, c] as [string, any]))("%s", (_n, c: any) => {
    manual_seed(c.seed);
    const parts = random_split(Array.from({ length: c.n }, (_, i) => i), c.lengths);
    expect(parts.map((p) => p.indices)).toEqual(c.indices);
    expect(parts[0]).toBeInstanceOf(Subset);
    expect(parts[0].get(0)).toBe(c.indices[0][0]);
  });

  it("with a generator", () => {
    const c = fx.random_split_generator;
    const parts = random_split(Array.from({ length: c.n }, (_, i) => i), c.lengths, { generator: new Generator().manual_seed(c.seed) });
    expect(parts.map((p) => p.indices)).toEqual(c.indices);
  });

  it("lengths that do not add up are an error", () => {
    expect(() => random_split([1, 2, 3], [1, 1])).toThrow("Sum of input lengths does not equal the length of the input dataset!");
  });
});
