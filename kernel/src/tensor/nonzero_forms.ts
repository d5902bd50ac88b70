/**
 * The forms of PyTorch's nonzero family and masked_select that compare.ts and indexing.ts do not
 * take, delegating to those ops for the forms they do (their code paths are unchanged):
 *   nonzero(x, { as_tuple: true }) -> one int64 index tensor per dim (a 0-dim x counts as 1-D),
 *   where(condition) (one argument) = nonzero(condition, { as_tuple: true }), where(c, a, b) as before,
 *   argwhere(x) = nonzero(x) ([count, ndim] int64),
 *   masked_select(x, mask) with x and mask broadcast to a common shape, as PyTorch (the gradient of
 *     a broadcast x is summed back through expand).
 */
import { Tensor, check_tensor } from "./tensor";
import * as C from "./compare";
import * as I from "./indexing";
import { expand } from "./views";
import { broadcast_shapes } from "./shape";
import type { TensorLike } from "./operand";

export interface NonzeroOptions {
  as_tuple?: boolean;
}

/**
 * Indices of the nonzero elements: shape [count, ndim] (int64), or with `{ as_tuple: true }` an
 * array of ndim 1-D tensors, one per dim (for a 0-dim input, one tensor, as PyTorch).
 */
export function nonzero(x: Tensor, options: NonzeroOptions & { as_tuple: true }): Tensor[];
export function nonzero(x: Tensor, options?: NonzeroOptions & { as_tuple?: false }): Tensor;
export function nonzero(x: Tensor, options?: NonzeroOptions): Tensor | Tensor[];
export function nonzero(x: Tensor, options?: NonzeroOptions): Tensor | Tensor[] {
  check_tensor(x, "nonzero");
  if (options !== undefined && options !== null) {
    if (typeof options !== "object") throw new TypeError(`nonzero(): pass as_tuple as an options object: nonzero(x, { as_tuple: ${String(options)} })`);
    for (const k of Object.keys(options)) if (k !== "as_tuple") throw new TypeError(`nonzero() got an unexpected keyword argument '${k}' (allowed: as_tuple)`);
  }
  if (!(options?.as_tuple ?? false)) return C.nonzero(x);
  const flat = x.dim() === 0 ? new Tensor(x.data, [1], x.dtype) : x;
  const idx = C.nonzero(flat);
  const [count, nd] = idx.shape;
  const out: Tensor[] = [];
  for (let d = 0; d < nd; d++) {
    const col = new Float64Array(count);
    for (let r = 0; r < count; r++) col[r] = idx.data[r * nd + d];
    out.push(new Tensor(col, [count], "int64"));
  }
  return out;
}

/** Indices of the nonzero elements, shape [count, ndim] (int64): nonzero(x). */
export function argwhere(x: Tensor): Tensor {
  check_tensor(x, "argwhere");
  return C.nonzero(x);
}

/**
 * `where(condition)`: the indices where condition is nonzero, one int64 tensor per dim (as
 * `nonzero(condition, { as_tuple: true })`); `where(condition, input, other)`: input where
 * condition, else other (broadcast), as before.
 */
export function where(condition: Tensor): Tensor[];
export function where(condition: Tensor, input: TensorLike, other: TensorLike): Tensor;
export function where(condition: Tensor, input?: TensorLike, other?: TensorLike): Tensor | Tensor[] {
  if (input === undefined && other === undefined) {
    check_tensor(condition, "where", "condition");
    return nonzero(condition, { as_tuple: true });
  }
  return C.where(condition, input as TensorLike, other as TensorLike);
}

/** The elements of x where mask (bool) is true, x and mask broadcast to a common shape, as a 1-D tensor. */
export function masked_select(x: Tensor, mask: Tensor): Tensor {
  check_tensor(x, "masked_select");
  if (!(mask instanceof Tensor) || mask.dtype !== "bool") throw new TypeError("masked_select: expected BoolTensor for mask");
  const same = mask.shape.length === x.shape.length && mask.shape.every((s, i) => s === x.shape[i]);
  if (same) return I.masked_select(x, mask);
  const shape = broadcast_shapes(mask.shape, x.shape); // (mask first: PyTorch's error names it tensor a)
  const xe = shape.length === x.shape.length && shape.every((s, i) => s === x.shape[i]) ? x : expand(x, shape);
  const me = shape.length === mask.shape.length && shape.every((s, i) => s === mask.shape[i]) ? mask : expand(mask, shape);
  return I.masked_select(xe, me);
}
