/**
 * What every torch.linalg op shares: PyTorch's argument checks and their messages (at least 2
 * dims, square, floating dtype), the "(Batch element i): " prefix of per-matrix errors, reading a
 * batch of matrices as float64 and writing results back in the input's dtype.
 */
import { DType, Tensor, check_tensor } from "../tensor";
import { is_floating, storage_for } from "../dtype";
import type { Mat } from "./dense";
import { SCALAR_TYPE_NAME } from "../dtype";

/** PyTorch's name of a dtype in its messages ("Float", "Double", "Long", "Bool"). */
export function torch_type(d: DType): string {
  return SCALAR_TYPE_NAME[d];
}

/** The input checks of a linalg op on matrices: a floating tensor of at least 2 dims (square when `square`). */
export function check_matrix(A: unknown, op: string, square: boolean, arg = "A"): asserts A is Tensor {
  check_tensor(A, op.replace(/^linalg\./, "linalg_"), arg === "A" ? "input" : arg);
  if (A.dim() < 2) throw new RangeError(`${op}: The input tensor ${arg} must have at least 2 dimensions.`);
  if (square) {
    const m = A.shape[A.dim() - 2];
    const n = A.shape[A.dim() - 1];
    if (m !== n) throw new RangeError(`${op}: ${arg} must be batches of square matrices, but they are ${m} by ${n} matrices`);
  }
  if (!is_floating(A.dtype)) throw new TypeError(`${op}: Expected a floating point or complex tensor as input. Got ${torch_type(A.dtype)}`);
}

/** An error about one matrix of a batch: PyTorch prefixes "(Batch element i): " when the input is batched. */
export function linalg_error(op: string, A: Tensor, b: number, msg: string): Error {
  const e = new Error(`${op}: ${A.dim() > 2 ? `(Batch element ${b}): ` : ""}${msg}`);
  e.name = "LinAlgError";
  return e;
}

/** The batch of an [..., m, n] tensor: its batch shape, count, and one float64 matrix per entry. */
export function matrices(A: Tensor): { batch: number[]; nb: number; m: number; n: number; mats: Mat[] } {
  const d = A.dim();
  const m = A.shape[d - 2];
  const n = A.shape[d - 1];
  const batch = A.shape.slice(0, d - 2);
  const nb = batch.reduce((x, y) => x * y, 1);
  const mats: Mat[] = [];
  for (let b = 0; b < nb; b++) mats.push(Float64Array.from(A.data.subarray(b * m * n, (b + 1) * m * n)));
  return { batch, nb, m, n, mats };
}

/** A tensor of `shape` and `dtype` from per-batch float64 blocks (rounded once into float32 storage). */
export function from_blocks(blocks: readonly ArrayLike<number>[], shape: readonly number[], dtype: DType): Tensor {
  const size = blocks.length === 0 ? 0 : blocks[0].length;
  const out = storage_for(dtype, blocks.length * size);
  blocks.forEach((b, i) => out.set(b, i * size));
  return new Tensor(out, shape, dtype);
}

/** The gradient `g` ([..., r, c]) as one float64 block per batch entry. */
export function grad_blocks(g: Tensor, nb: number): Mat[] {
  const size = nb === 0 ? 0 : g.data.length / nb;
  const out: Mat[] = [];
  for (let b = 0; b < nb; b++) out.push(Float64Array.from(g.data.subarray(b * size, (b + 1) * size)));
  return out;
}

/** Machine epsilon of a floating dtype (torch.finfo(dtype).eps). */
export function eps_of(d: DType): number {
  return d === "float32" ? 1.1920928955078125e-7 : 2.220446049250313e-16;
}
