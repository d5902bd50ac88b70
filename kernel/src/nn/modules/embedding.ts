/**
 * nn.Embedding(num_embeddings, embedding_dim, { padding_idx, dtype }): a lookup table of
 * `num_embeddings` rows of size `embedding_dim`; forward(indices) gives the rows of the int64
 * indices (shape [...indices.shape, embedding_dim]). Initialised as PyTorch's reset_parameters:
 * every entry from N(0, 1) (the draws go through the random library: `torch.manual_seed(s)` gives
 * PyTorch's exact table), then the padding row zeroed. The padding row's gradient stays zero.
 * `Embedding.from_pretrained(table, { freeze = true })` wraps a given table.
 * `sparse: true` makes the weight's gradient a sparse COO tensor (functional/embedding.ts), for
 * SparseAdam, SGD or Adagrad. `max_norm` (with `norm_type`) renormalises the rows forward reads,
 * in place, as PyTorch's; `scale_grad_by_freq` divides each position's gradient by how often its
 * index occurs in the input. The options may also follow positionally in PyTorch's order
 * (`new Embedding(10, 3, 0)`: padding_idx 0; nn/positional.ts).
 */
import type { DType, Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { Parameter } from "../parameter";
import { embedding, paddingRow, checkOptionTypes, type EmbeddingOptions } from "../functional/embedding";
import { normal_ } from "../init";
import { checkSize, emptyParam, floatDtype, pyFloat } from "./_util";
import { checkKeywords } from "../../utils/py_args";
import { nnArgs, type DeviceArg, type FactoryArgs } from "../positional";
import type { Positional } from "../../optim/positional";
import { bump_version } from "../../tensor/version";

export interface EmbeddingArgs extends EmbeddingOptions, FactoryArgs {
  /** A table to use instead of a new one (PyTorch's `_weight`). */
  _weight?: Tensor | null;
  /** With `_weight`: whether the table is frozen (requires_grad false). */
  _freeze?: boolean;
}

export class Embedding extends Module {
  num_embeddings: number;
  embedding_dim: number;
  padding_idx: number | null;
  max_norm: number | null;
  norm_type: number;
  scale_grad_by_freq: boolean;
  sparse: boolean;
  weight: Parameter;

  /** `new Embedding(10, 3)`, `new Embedding(10, 3, 0)` or `new Embedding(10, 3, { padding_idx: 0 })`, as PyTorch's positional or keyword form. */
  constructor(num_embeddings: number, embedding_dim: number, options?: EmbeddingArgs);
  constructor(
    num_embeddings: number, embedding_dim: number,
    ...args: Positional<[
      padding_idx: number | null, max_norm: number | null, norm_type: number, scale_grad_by_freq: boolean, sparse: boolean,
      _weight: Tensor | null, _freeze: boolean, device: DeviceArg, dtype: DType | null,
    ], EmbeddingArgs>
  );
  constructor(num_embeddings: number, embedding_dim: number, ...rest: unknown[]) {
    super();
    const args = nnArgs("Embedding", new.target.name, rest) as EmbeddingArgs;
    this.num_embeddings = checkSize(num_embeddings, "Embedding", "num_embeddings");
    this.embedding_dim = checkSize(embedding_dim, "Embedding", "embedding_dim");
    checkOptionTypes(args, "Embedding");
    this.padding_idx = paddingRow(args.padding_idx, num_embeddings);
    this.sparse = args.sparse === true;
    this.scale_grad_by_freq = args.scale_grad_by_freq === true;
    this.max_norm = args.max_norm ?? null;
    this.norm_type = args.norm_type ?? 2.0;
    const given = args._weight ?? null;
    if (given === null) {
      this.weight = emptyParam([num_embeddings, embedding_dim], floatDtype(args.dtype, "Embedding"));
      this.reset_parameters();
    } else {
      if (given.dim() !== 2 || given.shape[0] !== num_embeddings || given.shape[1] !== embedding_dim) {
        throw new RangeError(`Shape of weight does not match num_embeddings and embedding_dim (got [${given.shape.join(", ")}], expected [${num_embeddings}, ${embedding_dim}])`);
      }
      this.weight = new Parameter(given, !(args._freeze ?? false)); // the given table itself, as PyTorch
    }
  }

  reset_parameters(): void {
    normal_(this.weight);
    if (this.padding_idx !== null) {
      const d = this.embedding_dim;
      this.weight.data.fill(0, this.padding_idx * d, this.padding_idx * d + d);
      bump_version(this.weight); // (PyTorch's weight[padding_idx].fill_(0))
    }
  }

  /** Looks up rows of `weight`: integer indices [*] (each in [0, num_embeddings)) → [*, embedding_dim]. */
  override forward(input: Tensor): Tensor {
    const options: EmbeddingOptions = { padding_idx: this.padding_idx, sparse: this.sparse };
    if (this.scale_grad_by_freq) options.scale_grad_by_freq = true;
    if (this.max_norm !== null) Object.assign(options, { max_norm: this.max_norm, norm_type: this.norm_type });
    return embedding(input, this.weight, options);
  }

  override extra_repr(): string {
    return `${this.num_embeddings}, ${this.embedding_dim}` + (this.padding_idx !== null ? `, padding_idx=${this.padding_idx}` : "") +
      (this.max_norm !== null ? `, max_norm=${pyFloat(this.max_norm)}` : "") + (this.norm_type !== 2 ? `, norm_type=${pyFloat(this.norm_type)}` : "") +
      (this.scale_grad_by_freq ? ", scale_grad_by_freq=True" : "") + (this.sparse ? ", sparse=True" : "");
  }

  /**
   * An Embedding over `embeddings` ([num, dim]); frozen (no gradient) unless `freeze: false`.
   * PyTorch's other keywords: padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse.
   */
  static from_pretrained(
    embeddings: Tensor,
    options: { freeze?: boolean; padding_idx?: number | null; max_norm?: number | null; norm_type?: number; scale_grad_by_freq?: boolean; sparse?: boolean } = {},
  ): Embedding {
    checkKeywords("Embedding.from_pretrained", options, ["freeze", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse"]);
    const { freeze = true, padding_idx = null, max_norm = null, norm_type = 2.0, scale_grad_by_freq = false, sparse = false } = options;
    if (embeddings.dim() !== 2) throw new RangeError("Embeddings parameter is expected to be 2-dimensional");
    const [rows, cols] = embeddings.shape;
    return new Embedding(rows, cols, { _weight: embeddings, _freeze: freeze, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse });
  }
}
