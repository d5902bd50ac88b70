/**
 * DataLoader(dataset, { batch_size = 1, shuffle = false, sampler, batch_sampler, drop_last = false,
 * generator, collate_fn }): iterate with `for (const [x, y] of loader)`.
 *
 * Order of random draws, as PyTorch's single-process loader: creating an iterator draws the
 * loader's `_base_seed` (one 64-bit draw from `generator`, or the default generator); then the
 * sampler (RandomSampler when shuffling) draws its seed / permutation on the first `next()`.
 * So the batch order equals PyTorch's for the same `torch.manual_seed`. With batch_size null the
 * loader yields single samples, uncollated (PyTorch's batch_size=None).
 * A TensorDataset is batched by gathering rows directly (no per-sample tensors).
 * `batch_sampler` (anything iterable yielding arrays of indices, with a length) replaces the
 * loader's own BatchSampler, so, as in PyTorch, it excludes batch_size, shuffle, sampler and
 * drop_last; the loader's batch_size is then null and each yielded array is one batch.
 */
import type { Generator } from "../random/generator";
import { default_generator } from "../random/generator";
import { Tensor } from "../tensor/tensor";
import { TensorDataset, datasetItem, datasetLength, rows } from "./dataset";
import type { DatasetLike } from "./dataset";
import { default_collate } from "./collate";
import { loader_repr } from "./repr";
import { BatchSampler, RandomSampler, SequentialSampler, int64Seed } from "./sampler";
import type { Sampler } from "./sampler";
import { ValueError } from "../errors";

/** What `batch_sampler` takes: PyTorch's `Sampler[list]` or `Iterable[list]` (a BatchSampler, an array of arrays). */
export interface BatchSamplerLike {
  readonly length: number;
  [Symbol.iterator](): Iterator<readonly number[]>;
}

export interface DataLoaderOptions<B> {
  batch_size?: number | null;
  shuffle?: boolean;
  drop_last?: boolean;
  generator?: Generator | null;
  /** The sample order (a Sampler, or an array of indices): excludes shuffle. */
  sampler?: Sampler | null;
  /** Whole batches of indices (a BatchSampler, or an array of index arrays): excludes batch_size, shuffle, sampler and drop_last. */
  batch_sampler?: BatchSamplerLike | null;
  collate_fn?: ((samples: any[]) => B) | null;
  /**
   * Accepted so PyTorch code ports (a tutorial's `num_workers: 2`), and batches are always loaded
   * in the kernel's own process, as PyTorch does with 0: the batches and their order are the same
   * whatever the number (PyTorch's workers only load ahead; a sample's randomness in a worker
   * aside). A non-negative integer.
   */
  num_workers?: number;
  /**
   * Accepted so PyTorch code ports, and has no effect: pinned memory speeds copies to a GPU, and
   * lrlab runs on the CPU (PyTorch on a machine without one ignores it too).
   */
  pin_memory?: boolean;
  /**
   * The worker options that come with `num_workers` in PyTorch code, accepted so it ports and
   * checked as PyTorch checks them (a porter's DataLoader line was refused), with no effect: there
   * are no worker processes. `persistent_workers` and `prefetch_factor` need num_workers > 0;
   * `worker_init_fn` is not called (PyTorch calls it in each worker, and lrlab loads as PyTorch
   * does without workers); `timeout` is a non-negative number of seconds.
   */
  persistent_workers?: boolean;
  prefetch_factor?: number | null;
  worker_init_fn?: ((worker_id: number) => void) | null;
  timeout?: number;
}

export class DataLoader<B = any> implements Iterable<B> {
  readonly dataset: DatasetLike;
  readonly batch_size: number | null;
  readonly drop_last: boolean;
  readonly generator: Generator | null;
  readonly sampler: Sampler;
  readonly batch_sampler: BatchSamplerLike | null;
  readonly collate_fn: ((samples: any[]) => B) | null;

  constructor(dataset: DatasetLike, options: DataLoaderOptions<B> = {}) {
    const { shuffle = false, generator = null, sampler = null, batch_sampler = null, collate_fn = null, num_workers = 0, pin_memory = false,
      persistent_workers = false, prefetch_factor = null, worker_init_fn = null, timeout = 0 } = options;
    let { batch_size = 1, drop_last = false } = options;
    const n = datasetLength(dataset);
    if (batch_size !== null && (typeof batch_size !== "number" || !Number.isInteger(batch_size) || batch_size <= 0)) {
      throw new RangeError(`batch_size should be a positive integer value, but got batch_size=${String(batch_size)}`);
    }
    if (typeof shuffle !== "boolean") throw new TypeError(`shuffle must be true or false, got ${String(shuffle)}`);
    if (sampler !== null && shuffle) throw new Error("sampler option is mutually exclusive with shuffle");
    if (batch_sampler !== null) {
      // PyTorch's test: a batch_size of 1 is its default, so it cannot tell it was given
      if (batch_size !== 1 || shuffle || sampler !== null || drop_last) {
        throw ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last");
      }
      const len = (batch_sampler as { length?: unknown }).length;
      if (typeof (batch_sampler as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function" || typeof len !== "number") {
        throw new TypeError("batch_sampler must be iterable (arrays of indices) and have a length, e.g. a BatchSampler or an array of arrays");
      }
      batch_size = null;
      drop_last = false;
    } else if (batch_size === null && drop_last) {
      throw new Error("batch_size=None option disables auto-batching and is mutually exclusive with drop_last");
    }
    if (typeof pin_memory !== "boolean") throw new TypeError(`pin_memory must be true or false, got ${String(pin_memory)}`);
    if (!(Number.isInteger(num_workers) && num_workers >= 0)) throw new RangeError(`num_workers must be a non-negative integer, got ${String(num_workers)}`);
    // PyTorch's checks and messages for the worker options (they change nothing here)
    if (typeof timeout !== "number" || !(timeout >= 0)) throw new RangeError("timeout option should be non-negative");
    if (typeof persistent_workers !== "boolean") throw new TypeError(`persistent_workers must be true or false, got ${String(persistent_workers)}`);
    if (persistent_workers && num_workers === 0) throw new RangeError("persistent_workers option needs num_workers > 0");
    if (prefetch_factor !== null && num_workers === 0) {
      throw new RangeError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.");
    }
    if (prefetch_factor !== null && !(Number.isInteger(prefetch_factor) && prefetch_factor >= 0)) {
      throw new RangeError(`prefetch_factor must be a non-negative integer or null, got ${String(prefetch_factor)}`);
    }
    if (worker_init_fn !== null && typeof worker_init_fn !== "function") throw new TypeError(`worker_init_fn must be a function or null, got ${typeof worker_init_fn}`);
    this.dataset = dataset;
    this.batch_size = batch_size;
    this.drop_last = drop_last;
    this.generator = generator;
    this.sampler = sampler ?? (shuffle ? new RandomSampler(n, { generator }) : new SequentialSampler(n));
    this.batch_sampler = batch_sampler ?? (batch_size === null ? null : new BatchSampler(this.sampler, batch_size, drop_last));
    this.collate_fn = collate_fn;
  }

  /** Number of batches per epoch (samples when batch_size is null). */
  get length(): number {
    return this.batch_sampler ? this.batch_sampler.length : this.sampler.length;
  }

  [Symbol.iterator](): Iterator<B> {
    // PyTorch draws the iterator's base seed before the sampler starts.
    int64Seed(this.generator ?? default_generator);
    const indices: Iterator<readonly number[] | number> = (this.batch_sampler ?? this.sampler)[Symbol.iterator]();
    return {
      next: (): IteratorResult<B> => {
        const r = indices.next();
        if (r.done) return { done: true, value: undefined };
        return { done: false, value: this.fetch(r.value) };
      },
      [Symbol.iterator]() {
        return this;
      },
    } as Iterator<B>;
  }

  /** `DataLoader(dataset=TensorDataset(...), batch_size=32, shuffle=True, ...)` (repr.ts), not the dataset's values. */
  toString(): string {
    return loader_repr(this);
  }

  /** `console.log(loader)` shows the same text (Node's util.inspect looks for this symbol). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  private fetch(idx: readonly number[] | number): B {
    if (typeof idx === "number") {
      const s = datasetItem(this.dataset, idx);
      return (this.collate_fn ? this.collate_fn([s]) : s) as B;
    }
    if (this.collate_fn === null && this.dataset instanceof TensorDataset) {
      return this.dataset.tensors.map((t: Tensor) => rows(t, idx)) as B;
    }
    const samples = idx.map((i) => datasetItem(this.dataset, i));
    return (this.collate_fn ?? default_collate)(samples) as B;
  }
}
