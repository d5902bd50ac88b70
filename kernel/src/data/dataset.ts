/**
 * Datasets (torch.utils.data): a dataset is anything with a `length` and a `get(index)`
 * (Python's __len__ and __getitem__); plain arrays work too, and so does a Tensor (PyTorch takes
 * any sized indexable: `len(t)` is t.shape[0], item i is `t[i]`, a view along dim 0).
 * A Dataset (so a Subset and a TensorDataset) iterates over its items, as Python's `list(ds)` /
 * `for x in ds` does through __getitem__.
 */
import { Tensor } from "../tensor/tensor";
import type { Generator } from "../random/generator";
import { default_generator } from "../random/generator";
import { samplers } from "../nn/_random";
import { pyArgs } from "../utils/py_args";
import { dataset_repr } from "./repr";

export interface MapDataset<T = unknown> {
  readonly length: number;
  get(index: number): T;
}

/** A map-style dataset, an array, or a Tensor (whose items are Tensors: only where T admits them). */
export type DatasetLike<T = unknown> = MapDataset<T> | readonly T[] | (Tensor extends T ? Tensor : never);

/** Base class for map-style datasets: subclass it and define `length` and `get(index)`. */
export abstract class Dataset<T = unknown> implements MapDataset<T> {
  abstract readonly length: number;
  abstract get(index: number): T;

  /**
   * `[...ds]`, `for (const x of ds)`: get(0), get(1), ... get(length - 1). Python's `list(ds)`
   * gets the same items through __getitem__ until it raises IndexError, at `len(ds)` for
   * PyTorch's Subset and TensorDataset.
   */
  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }
}

export function datasetLength(ds: DatasetLike): number {
  if (ds instanceof Tensor) {
    if (ds.dim() === 0) throw new TypeError("len() of a 0-d tensor");
    return ds.shape[0];
  }
  const n = (ds as { length?: unknown }).length;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new TypeError("dataset must have a non-negative integer `length` (and a `get(index)` method, or be an array)");
  }
  return n;
}

export function datasetItem<T>(ds: DatasetLike<T>, i: number): T {
  if (Array.isArray(ds)) return ds[i];
  if (ds instanceof Tensor) return ds.select(0, i) as T; // PyTorch's t[i]
  const get = (ds as MapDataset<T>).get;
  if (typeof get !== "function") throw new TypeError("dataset must have a `get(index)` method (or be an array)");
  return get.call(ds, i);
}

/** Row `i` of `t` (a copy), shaped t.shape[1:]. */
export function row(t: Tensor, i: number): Tensor {
  const rowSize = t.shape[0] === 0 ? 0 : t.data.length / t.shape[0];
  const data = t.data.slice(i * rowSize, (i + 1) * rowSize);
  return new Tensor(data, t.shape.slice(1), t.dtype);
}

/** Rows `indices` of `t` stacked: shape [indices.length, ...t.shape[1:]]. */
export function rows(t: Tensor, indices: readonly number[]): Tensor {
  const rowSize = t.shape[0] === 0 ? 0 : t.data.length / t.shape[0];
  const data = t.data instanceof Float32Array ? new Float32Array(indices.length * rowSize) : new Float64Array(indices.length * rowSize);
  indices.forEach((idx, k) => data.set(t.data.subarray(idx * rowSize, (idx + 1) * rowSize), k * rowSize));
  return new Tensor(data, [indices.length, ...t.shape.slice(1)], t.dtype);
}

/** TensorDataset(...tensors): sample i is [t0[i], t1[i], ...]; all tensors share dim 0. */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new TypeError("TensorDataset needs at least one tensor");
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset: argument ${i} is not a Tensor`);
      if (t.dim() === 0) throw new RangeError(`TensorDataset: tensor ${i} is 0-D; every tensor needs a first (sample) dimension`);
    });
    const n = tensors[0].shape[0];
    if (tensors.some((t) => t.shape[0] !== n)) {
      throw new RangeError(`Size mismatch between tensors (first dimensions: ${tensors.map((t) => t.shape[0]).join(", ")})`);
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  get(index: number): Tensor[] {
    const n = this.length;
    if (!Number.isInteger(index) || index < -n || index >= n) {
      throw new RangeError(`index ${index} is out of bounds for dimension 0 with size ${n}`);
    }
    const i = index < 0 ? index + n : index;
    return this.tensors.map((t) => row(t, i));
  }

  /** `TensorDataset(length=100, tensors=[float32 [100, 10], ...])` (repr.ts), not every value. */
  override toString(): string {
    return dataset_repr(this);
  }

  /** `console.log(dataset)` shows the same text (Node's util.inspect looks for this symbol). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Subset(dataset, indices): the samples of `dataset` at `indices`, in that order. */
export class Subset<T = unknown> extends Dataset<T> {
  readonly dataset: DatasetLike<T>;
  readonly indices: number[];

  constructor(dataset: DatasetLike<T>, indices: readonly number[]) {
    super();
    this.dataset = dataset;
    this.indices = [...indices];
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    const n = this.indices.length;
    if (!Number.isInteger(index) || index < -n || index >= n) throw new RangeError(`list index out of range (index ${index}, length ${n})`);
    return datasetItem(this.dataset, this.indices[index < 0 ? index + n : index]);
  }

  /** `Subset(length=80, dataset=TensorDataset(...))` (repr.ts), not every value nor index. */
  override toString(): string {
    return dataset_repr(this);
  }

  /** `console.log(dataset)` shows the same text (Node's util.inspect looks for this symbol). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/**
 * random_split(dataset, lengths, generator) or random_split(dataset, lengths, { generator }):
 * disjoint Subsets of the given lengths (or fractions summing to 1: floor of each, the remainder
 * spread round-robin, as PyTorch), from one randperm of the whole dataset drawn on `generator`
 * (the default generator otherwise).
 */
export function random_split(
  dataset: Tensor,
  lengths: readonly number[],
  generator?: Generator | null | { generator?: Generator | null },
): Subset<Tensor>[];
export function random_split<T>(
  dataset: DatasetLike<T>,
  lengths: readonly number[],
  generator?: Generator | null | { generator?: Generator | null },
): Subset<T>[];
export function random_split<T>(dataset: DatasetLike<T>, lengths: readonly number[], ...args: unknown[]): Subset<T>[] {
  const generator = (pyArgs("random_split", [["generator", "generator?"]], args).generator as Generator | null | undefined) ?? default_generator;
  const n = datasetLength(dataset);
  let lens = [...lengths];
  const total = lens.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) <= 1e-9 && total <= 1) {
    lens = lens.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new RangeError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * frac);
    });
    const remainder = n - lens.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) lens[i % lens.length] += 1;
    lens.forEach((l, i) => {
      if (l === 0) console.warn(`UserWarning: Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
  }
  if (lens.reduce((a, b) => a + b, 0) !== n) {
    throw new RangeError("Sum of input lengths does not equal the length of the input dataset!");
  }
  const perm = Array.from(samplers().randperm(n, { generator }).data);
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const l of lens) {
    out.push(new Subset(dataset, perm.slice(offset, offset + l)));
    offset += l;
  }
  return out;
}
