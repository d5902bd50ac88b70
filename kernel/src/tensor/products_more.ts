/**
 * Tensor contractions beyond linalg.ts: tensordot (sum over pairs of dims of a and b, given as a
 * count `dims` (the last dims of a with the first of b) or as two lists of dims) and inner (over
 * the last dim of each; a scalar product when one is 0-dim). Both permute and reshape the
 * operands to one matrix product (mm), as PyTorch does, so the gradient is that of mm and the
 * views and the last node is ViewBackward0 (MulBackward0 for a 0-dim operand), as in PyTorch.
 */
import { Tensor, check_tensor } from "./tensor";
import { mul } from "./elementwise";
import { mm } from "./linalg";
import { permute, reshape } from "./views";
import { fmt_shape, wrap_dim } from "./shape";

export type TensordotDims = number | readonly [number | readonly number[], number | readonly number[]] | Tensor;


/**
 * Σ over the paired dims of a and b: `tensordot(a, b, 2)` (default: a's last 2 dims with b's first
 * 2), `tensordot(a, b, [[1, 2], [0, 1]])`, or `{ dims }`. The result's shape: a's free dims then b's.
 */
export function tensordot(a: Tensor, b: Tensor, dims: TensordotDims | { dims?: TensordotDims } = 2): Tensor {
  check_tensor(a, "tensordot", "a");
  check_tensor(b, "tensordot", "b");
  if (dims !== null && typeof dims === "object" && !Array.isArray(dims) && !(dims instanceof Tensor)) {
    for (const k of Object.keys(dims)) if (k !== "dims") throw new TypeError(`tensordot() got an unexpected keyword argument '${k}' (allowed: dims)`);
    dims = (dims as { dims?: TensordotDims }).dims ?? 2;
  }
  let da: number[];
  let db: number[];
  let spec = dims as TensordotDims;
  if (spec instanceof Tensor) spec = spec.dim() === 0 ? spec.data[0] : (spec.tolist() as [number[], number[]]);
  if (typeof spec === "number") {
    if (!Number.isInteger(spec)) throw new TypeError(`tensordot(): argument 'dims' must be int or a pair of lists of ints, got ${spec}`);
    if (spec < 0) throw new RangeError(`tensordot expects dims >= 0, but got dims=${spec}`);
    if (spec > a.dim() || spec > b.dim()) throw new RangeError(`tensordot expects dims < ndim_a or ndim_b, but got dims=${spec}`);
    da = Array.from({ length: spec }, (_, k) => a.dim() - spec + k);
    db = Array.from({ length: spec }, (_, k) => k);
  } else if (Array.isArray(spec) && spec.length === 2) {
    const list = (v: unknown): number[] => (typeof v === "number" ? [v] : Array.isArray(v) ? (v as number[]) : []);
    da = list(spec[0]);
    db = list(spec[1]);
    if (da.length !== db.length) throw new RangeError(`both dimension lists should have same length`);
  } else throw new TypeError(`tensordot(): argument 'dims' must be int or a pair of lists of ints`);
  if (a.dtype !== b.dtype) throw new TypeError("both inputs should have same dtype");
  da = da.map((d) => wrap_dim(d, a.dim()));
  db = db.map((d) => wrap_dim(d, b.dim()));
  let K = 1;
  for (let k = 0; k < da.length; k++) {
    if (a.shape[da[k]] !== b.shape[db[k]]) {
      throw new RangeError(`contracted dimensions need to match, but first has size ${a.shape[da[k]]} in dim ${da[k]} and second has size ${b.shape[db[k]]} in dim ${db[k]}`);
    }
    K *= a.shape[da[k]];
  }
  const fa = a.shape.map((_, k) => k).filter((k) => !da.includes(k));
  const fb = b.shape.map((_, k) => k).filter((k) => !db.includes(k));
  const sa = fa.map((k) => a.shape[k]);
  const sb = fb.map((k) => b.shape[k]);
  const Fa = sa.reduce((p, q) => p * q, 1);
  const Fb = sb.reduce((p, q) => p * q, 1);
  const am = reshape(permute(a, [...fa, ...da]), Fa, K);
  const bm = reshape(permute(b, [...db, ...fb]), K, Fb);
  return reshape(mm(am, bm), [...sa, ...sb]);
}

/** Σ over the last dim of a and b (a's leading dims, then b's); a·b when either is 0-dim. */
export function inner(a: Tensor, b: Tensor): Tensor {
  check_tensor(a, "inner");
  check_tensor(b, "inner", "other");
  if (a.dim() === 0 || b.dim() === 0) return mul(a, b);
  if (a.shape[a.dim() - 1] !== b.shape[b.dim() - 1]) {
    throw new RangeError(`inner() the last dimension must match on both input tensors but got shapes ${fmt_shape(a.shape)} and ${fmt_shape(b.shape)}`);
  }
  return tensordot(a, b, [[-1], [-1]]);
}
