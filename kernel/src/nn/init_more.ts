/**
 * torch.nn.init.sparse_ and dirac_ (re-exported by init.ts), in place and outside autograd as
 * the other initialisers.
 *
 *   sparse_(w, sparsity, std = 0.01):  w [rows, cols] ~ N(0, std²), then in each column
 *       ceil(sparsity·rows) entries set to 0, at the rows a fresh randperm(rows) lists first
 *       (Martens 2010). As PyTorch: the normal draws use `generator`, the per-column
 *       permutations the default generator (PyTorch's randperm call takes none), so a seed gives
 *       PyTorch's matrix bit for bit.
 *   dirac_(w, groups = 1):  w [out, in, k...] (3-, 4- or 5-D) zeroed, then for each group g and
 *       d < min(out/groups, in): w[g·out/groups + d, d, centre...] = 1 (the centre of each
 *       kernel dim is k // 2), so a convolution with it passes its input channels through.
 */
import { Tensor } from "../tensor/tensor";
import type { Generator } from "../random/generator";
import { samplers } from "./_random";
import { written } from "../tensor/slice_window";
import { pyArgs } from "../utils/py_args";
import type { Positional } from "../optim/positional";

function checkTensor(t: unknown, fn: string): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`nn.init.${fn}: expected a Tensor, got ${t === null ? "null" : typeof t}`);
}

/** Fills a 2-D tensor as a sparse matrix: N(0, std²) with a fraction `sparsity` of each column zeroed. */
export interface SparseOptions {
  sparsity: number;
  std?: number;
  generator?: Generator | null;
}

/** `sparse_(w, 0.1, 0.01)`, or with PyTorch's keywords as options: `sparse_(w, { sparsity: 0.1, std: 0.01 })`. */
export function sparse_(tensor: Tensor, options: SparseOptions): Tensor;
export function sparse_(tensor: Tensor, ...args: Positional<[sparsity: number, std: number, generator: Generator | null], SparseOptions>): Tensor;
export function sparse_(tensor: Tensor, ...args: unknown[]): Tensor {
  checkTensor(tensor, "sparse_");
  const { sparsity, std = 0.01, generator = null } = pyArgs(
    "sparse_", [["sparsity", "number"], ["std", "number"], ["generator", "generator?"]], args,
  ) as Partial<SparseOptions>;
  if (sparsity === undefined) throw new TypeError("sparse_() missing 1 required positional argument: 'sparsity'");
  if (tensor.dim() !== 2) throw new Error("Only tensors with 2 dimensions are supported");
  const [rows, cols] = tensor.shape;
  const numZeros = Math.ceil(sparsity * rows);
  // Python's row_indices[:num_zeros]: a negative end counts from the end
  const end = numZeros < 0 ? Math.max(rows + numZeros, 0) : Math.min(numZeros, rows);
  samplers().normal_(tensor, 0, std, generator);
  const d = tensor.data;
  for (let c = 0; c < cols; c++) {
    const perm = samplers().randperm(rows).data;
    for (let i = 0; i < end; i++) d[Number(perm[i]) * cols + c] = 0;
  }
  return written(tensor, cols); // (PyTorch writes each column's zeros as one in-place op, after normal_)
}

/** Fills a 3-, 4- or 5-D convolution weight with the Dirac delta (identity per group of channels). */
export function dirac_(tensor: Tensor, groups?: number | { groups?: number }): Tensor;
export function dirac_(tensor: Tensor, ...args: unknown[]): Tensor {
  checkTensor(tensor, "dirac_");
  const { groups = 1 } = pyArgs("dirac_", [["groups", "number"]], args) as { groups?: number };
  const nd = tensor.dim();
  if (nd !== 3 && nd !== 4 && nd !== 5) throw new Error("Only tensors with 3, 4, or 5 dimensions are supported");
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`nn.init.dirac_: groups must be a positive integer, got ${String(groups)}`);
  const s = tensor.shape;
  if (s[0] % groups !== 0) throw new Error("dim 0 must be divisible by groups");
  const perGroup = s[0] / groups;
  const minDim = Math.min(perGroup, s[1]);
  // row-major strides and the offset of the kernel's centre within one [out, in] slot
  let k = 1;
  let centre = 0;
  for (let i = nd - 1; i >= 2; i--) {
    centre += Math.floor(s[i] / 2) * k;
    k *= s[i];
  }
  const d = tensor.data;
  d.fill(0);
  for (let g = 0; g < groups; g++) {
    for (let j = 0; j < minDim; j++) d[((g * perGroup + j) * s[1] + j) * k + centre] = 1;
  }
  return written(tensor, 1 + groups * minDim); // (PyTorch's zero_, then one in-place write per 1)
}
