/**
 * `torch.utils.data.SubsetRandomSampler(indices, generator = null)`: the given indices in a random
 * order, each pass `indices[i] for i in torch.randperm(len(indices), generator=generator)` as
 * PyTorch's; without a generator the permutation is drawn from the default generator itself (no
 * seed drawn first, unlike RandomSampler), so a seed gives PyTorch's order.
 */
import type { Generator } from "../random/generator";
import { samplers } from "../nn/_random";
import { pyArgs } from "../utils/py_args";
import { TypeError_ } from "../errors";
import type { Sampler } from "./sampler";

export class SubsetRandomSampler implements Sampler {
  readonly indices: readonly number[];
  readonly generator: Generator | null;

  /** `new SubsetRandomSampler(idx)`, `new SubsetRandomSampler(idx, g)` or `new SubsetRandomSampler(idx, { generator: g })`. */
  constructor(indices: readonly number[], generator?: Generator | null | { generator?: Generator | null });
  constructor(indices: readonly number[], ...args: unknown[]) {
    const { generator = null } = pyArgs("SubsetRandomSampler", [["generator", "generator?"]], args) as { generator?: Generator | null };
    if (typeof (indices as { length?: unknown } | null)?.length !== "number") {
      throw TypeError_(`SubsetRandomSampler: indices must be a sequence of ints (an array), got ${indices === null ? "null" : typeof indices}`);
    }
    // kept as given (PyTorch keeps the sequence), so later passes see the same object
    this.indices = indices;
    this.generator = generator;
  }

  get length(): number {
    return this.indices.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    const perm = samplers().randperm(this.indices.length, { generator: this.generator }).data;
    for (let i = 0; i < perm.length; i++) yield this.indices[Number(perm[i])];
  }
}
