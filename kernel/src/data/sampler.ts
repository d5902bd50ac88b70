/**
 * Samplers: the index orders a DataLoader walks, with PyTorch 2.13's signatures and draws.
 *
 * `RandomSampler(data_source, replacement = false, num_samples = null, generator = null)`
 * reproduces PyTorch's `RandomSampler.__iter__`: without a generator it draws a seed from the
 * default generator (`torch.empty((), dtype=torch.int64).random_()`: one 64-bit draw, taken mod
 * 2^63), seeds a fresh Generator with it, and draws from that; with a generator it uses it
 * directly. With replacement it yields `randint(n, [32])` chunks, then `randint(n, [num_samples %
 * 32])`; without, `randperm(n)` per full pass of n, then `randperm(n)[:num_samples % n]` — drawn
 * even when that slice is empty, so a shared generator advances exactly as PyTorch's does, epoch
 * after epoch.
 *
 * A data source is what PyTorch calls Sized: anything with a `length` (a dataset, an array). A
 * plain number is taken as that length too (lrlab's earlier `new RandomSampler(n)`). The length
 * is read at each pass, as PyTorch's `len(data_source)` ("dataset size might change at runtime").
 */
import { Generator, default_generator } from "../random/generator";
import { samplers } from "../nn/_random";
import { randint } from "../random/index";
import { pyArgs } from "../utils/py_args";
import { TypeError_, ValueError, ZeroDivisionError } from "../errors";

const MASK63 = (1n << 63n) - 1n;

/** A seed as `int(torch.empty((), dtype=torch.int64).random_(generator=g))` makes it. */
export function int64Seed(g: Generator): bigint {
  return g.random64() & MASK63;
}

export interface Sampler {
  readonly length: number;
  [Symbol.iterator](): Iterator<number>;
}

/** PyTorch's `Sized`: anything with a length (or the length itself). */
export type Sized = { readonly length: number } | number;

/** `len(data_source)`. */
export function sizeOf(data_source: Sized): number {
  const n = typeof data_source === "number" ? data_source : (data_source as { length?: unknown } | null)?.length;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw TypeError_(`data_source must have a length (a dataset or an array), got ${data_source === null ? "null" : typeof data_source}`);
  }
  return n;
}

/** `SequentialSampler(data_source)`: 0, 1, ..., len(data_source) - 1. */
export class SequentialSampler implements Sampler {
  constructor(readonly data_source: Sized) {
    sizeOf(data_source);
  }
  get length(): number {
    return sizeOf(this.data_source);
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = sizeOf(this.data_source);
    for (let i = 0; i < n; i++) yield i;
  }
}

export interface RandomSamplerOptions {
  replacement?: boolean;
  /** Samples per pass (default: len(data_source)); more than that needs no replacement. */
  num_samples?: number | null;
  generator?: Generator | null;
}

const RANDOM_PARAMS = [["replacement", "any"], ["num_samples", "any"], ["generator", "generator?"]] as const;

export class RandomSampler implements Sampler {
  readonly data_source: Sized;
  readonly replacement: boolean;
  readonly generator: Generator | null;
  private readonly _num_samples: number | null;

  /** `new RandomSampler(ds)`, `new RandomSampler(ds, true, 100)` or `new RandomSampler(ds, { replacement: true, num_samples: 100, generator })`. */
  constructor(data_source: Sized, options?: RandomSamplerOptions);
  constructor(data_source: Sized, replacement?: boolean, num_samples?: number | null, generator?: Generator | null);
  constructor(data_source: Sized, replacement: boolean, options: Omit<RandomSamplerOptions, "replacement">);
  constructor(data_source: Sized, replacement: boolean, num_samples: number | null, options: { generator?: Generator | null });
  constructor(data_source: Sized, ...args: unknown[]) {
    const o = pyArgs("RandomSampler", RANDOM_PARAMS, args) as RandomSamplerOptions;
    const { replacement = false, num_samples = null, generator = null } = o;
    this.data_source = data_source;
    this.replacement = replacement;
    this._num_samples = num_samples;
    this.generator = generator;
    // PyTorch's checks, in its order and words
    if (typeof replacement !== "boolean") throw TypeError_(`replacement should be a boolean value, but got replacement=${pyValue(replacement)}`);
    const k = this.num_samples;
    if (typeof k !== "number" || !Number.isInteger(k) || k <= 0) {
      throw ValueError(`num_samples should be a positive integer value, but got num_samples=${pyValue(k)}`);
    }
  }

  /** `num_samples` if given, else len(data_source), read now. */
  get num_samples(): number {
    return this._num_samples ?? sizeOf(this.data_source);
  }

  get length(): number {
    return this.num_samples;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = sizeOf(this.data_source);
    const k = this.num_samples;
    let gen = this.generator;
    if (gen === null) {
      gen = new Generator();
      gen.manual_seed(int64Seed(default_generator));
    }
    if (this.replacement) {
      for (let i = 0; i < Math.floor(k / 32); i++) yield* ints(randint(n, [32], { generator: gen }).data);
      yield* ints(randint(n, [k % 32], { generator: gen }).data);
      return;
    }
    // Python's `num_samples // n` on an empty data source
    if (n === 0) throw ZeroDivisionError("integer division or modulo by zero");
    const { randperm } = samplers();
    for (let i = 0; i < Math.floor(k / n); i++) yield* ints(randperm(n, { generator: gen }).data);
    // PyTorch's trailing `randperm(n)[: num_samples % n]` (drawn even when the slice is empty)
    yield* ints(randperm(n, { generator: gen }).data.subarray(0, k % n));
  }
}

/** A drawn int64 tensor's values as plain numbers (what PyTorch's `.tolist()` yields). */
function* ints(data: ArrayLike<number>): IterableIterator<number> {
  for (let i = 0; i < data.length; i++) yield Number(data[i]);
}

/** A value as Python's f-string shows it (None, True, 2.5). */
export function pyValue(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  return String(v);
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
