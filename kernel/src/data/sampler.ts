/**
 * Samplers: the index orders a DataLoader walks.
 *
 * RandomSampler reproduces PyTorch's `RandomSampler.__iter__` (without replacement, num_samples =
 * len(dataset)): without a generator it draws a seed from the default generator
 * (`torch.empty((), dtype=torch.int64).random_()`: one 64-bit draw, taken mod 2^63), seeds a
 * fresh Generator with it, and yields `randperm(n)` from that; with a generator it uses it
 * directly. When the permutation is exhausted PyTorch's code runs one more
 * `randperm(n)[:n % n]` (an empty slice, but the draws happen), so we draw it too: a shared
 * generator then advances exactly as PyTorch's does, epoch after epoch.
 */
import { Generator, default_generator } from "../random/generator";
import { samplers } from "../nn/_random";

const MASK63 = (1n << 63n) - 1n;

/** A seed as `int(torch.empty((), dtype=torch.int64).random_(generator=g))` makes it. */
export function int64Seed(g: Generator): bigint {
  return g.random64() & MASK63;
}

export interface Sampler {
  readonly length: number;
  [Symbol.iterator](): Iterator<number>;
}

export class SequentialSampler implements Sampler {
  constructor(readonly n: number) {}
  get length(): number {
    return this.n;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.n; i++) yield i;
  }
}

export class RandomSampler implements Sampler {
  constructor(
    readonly n: number,
    readonly generator: Generator | null = null,
  ) {}
  get length(): number {
    return this.n;
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.n;
    let gen = this.generator;
    if (gen === null) {
      gen = new Generator();
      gen.manual_seed(int64Seed(default_generator));
    }
    const { randperm } = samplers();
    const perm = randperm(n, { generator: gen }).data;
    for (let i = 0; i < n; i++) yield perm[i];
    // PyTorch's trailing `randperm(n)[: num_samples % n]` (empty, but it draws).
    randperm(n, { generator: gen });
  }
}

/** Groups a sampler's indices into lists of `batch_size` (the last one shorter unless drop_last). */
export class BatchSampler {
  constructor(
    readonly sampler: Sampler,
    readonly batch_size: number,
    readonly drop_last: boolean,
  ) {}
  get length(): number {
    const n = this.sampler.length;
    return this.drop_last ? Math.floor(n / this.batch_size) : Math.ceil(n / this.batch_size);
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const idx of this.sampler) {
      batch.push(idx);
      if (batch.length === this.batch_size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.drop_last) yield batch;
  }
}
