/**
 * Products beyond matmul: addmm / addmv / baddbmm / addbmm (beta * input + alpha * product, one
 * node each, as PyTorch's fused ops; the product runs through matmul_raw / gemm and so does the
 * backward), kron (Kronecker product, a broadcast multiply), cross (3-vector cross product along a
 * dim) and cdist (p-norm distances between the rows of two batches of matrices, its own backward).
 */
import { dimKeyword } from "../utils/py_args";
import { DType, Tensor, check_tensor } from "./tensor";
import { attach, rename, saved_also } from "./autograd";
import { storage_for, is_integer, coerce } from "./dtype";
import { broadcast_shapes, fmt_shape, wrap_dim } from "./shape";
import { RuntimeRangeError } from "../errors";
import { matmul_raw } from "./linalg";
import { sum_to } from "./sum_to";
import { mul, sub } from "./elementwise";
import { expand, reshape } from "./views";
import { roll } from "./rearrange_more";
import { saves } from "./version";
import { SCALAR_TYPE_NAME as TORCH_NAME } from "./dtype";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const MAT_SAVES = saves("1 if 2, 2 if 1");
const CDIST_SAVES = saves("0, 1, out");

export interface AddmmOptions {
  beta?: number;
  alpha?: number;
}


function scalars(o: AddmmOptions | undefined, op: string): { beta: number; alpha: number } {
  const opts = o ?? {};
  for (const k of Object.keys(opts)) if (k !== "beta" && k !== "alpha") throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: beta, alpha)`);
  const beta = opts.beta ?? 1;
  const alpha = opts.alpha ?? 1;
  if (typeof beta !== "number" || typeof alpha !== "number") throw new TypeError(`${op}(): beta and alpha must be numbers`);
  return { beta, alpha };
}

/** input, m1, m2 must share a dtype: PyTorch names the pair of matrices first, then self against them. */
function same_dtype(op: string, input: Tensor, m1: Tensor, m2: Tensor, names: [string, string] = ["mat1", "mat2"]): DType {
  if (m1.dtype !== m2.dtype) throw new TypeError(`${names[0]} and ${names[1]} must have the same dtype, but got ${TORCH_NAME[m1.dtype]} and ${TORCH_NAME[m2.dtype]}`);
  if (input.dtype !== m1.dtype) throw new TypeError(`self and ${names[1]} must have the same dtype, but got ${TORCH_NAME[input.dtype]} and ${TORCH_NAME[m2.dtype]}`);
  const d = m1.dtype;
  if (d === "bool") throw new TypeError(`"${op}" not implemented for 'Bool'`);
  return d;
}

function scaled(t: Tensor, s: number): Tensor {
  if (s === 1) return t;
  const d = storage_for(t.dtype, t.data.length);
  for (let i = 0; i < d.length; i++) d[i] = t.data[i] * s;
  return new Tensor(d, t.shape, t.dtype);
}

/** beta * input (broadcast to product's shape) + alpha * product, stored in the product's dtype. */
function combine(input: Tensor, product: Tensor, beta: number, alpha: number, op: string): Tensor {
  const shape = product.shape;
  const b = broadcast_shapes(input.shape, shape);
  if (b.length !== shape.length || b.some((s, i) => s !== shape[i])) {
    throw new RangeError(`${op}: the size of input ${fmt_shape(input.shape)} does not broadcast to the product's size ${fmt_shape(shape)}`);
  }
  const out = storage_for(product.dtype, product.data.length);
  const p = product.data;
  if (beta === 0) for (let i = 0; i < out.length; i++) out[i] = alpha * p[i];
  else {
    const e = expand(input.detach(), shape).data;
    for (let i = 0; i < out.length; i++) out[i] = beta * e[i] + alpha * p[i];
  }
  if (is_integer(product.dtype)) for (let i = 0; i < out.length; i++) out[i] = coerce(out[i], product.dtype);
  return new Tensor(out, shape, product.dtype);
}

function check_dims(x: Tensor, n: number, op: string, name: string, what: string): void {
  check_tensor(x, op, name);
  if (x.dim() !== n) throw new RangeError(`${name} must be a ${what}, got ${x.dim()}-D tensor`);
}

/** `addmm(input, mat1, mat2, { beta = 1, alpha = 1 })`: beta * input + alpha * (mat1 @ mat2); input broadcasts to [n, p]. */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, options?: AddmmOptions): Tensor {
  check_tensor(input, "addmm");
  check_dims(mat1, 2, "addmm", "mat1", "matrix");
  check_dims(mat2, 2, "addmm", "mat2", "matrix");
  const { beta, alpha } = scalars(options, "addmm");
  const dt = same_dtype("addmm", input, mat1, mat2);
  if (mat1.shape[1] !== mat2.shape[0]) throw RuntimeRangeError(`mat1 and mat2 shapes cannot be multiplied (${mat1.shape.join("x")} and ${mat2.shape.join("x")})`);
  const out = combine(input, matmul_raw(mat1, mat2, dt), beta, alpha, "addmm");
  return attach(out, "AddmmBackward0", [input, mat1, mat2], (g, need) => [
    need[0] ? sum_to(scaled(g, beta), input.shape) : null,
    need[1] ? scaled(matmul_raw(g, mat2, g.dtype, true), alpha) : null,
    need[2] ? scaled(matmul_raw(mat1, g, g.dtype, false, true), alpha) : null,
  ], true, MAT_SAVES);
}

/** `addmv(input, mat, vec, { beta = 1, alpha = 1 })`: beta * input + alpha * (mat @ vec); input broadcasts to [n]. */
export function addmv(input: Tensor, mat: Tensor, vec: Tensor, options?: AddmmOptions): Tensor {
  check_tensor(input, "addmv");
  check_dims(mat, 2, "addmv", "mat", "matrix");
  check_dims(vec, 1, "addmv", "vec", "vector");
  const { beta, alpha } = scalars(options, "addmv");
  const dt = same_dtype("addmv", input, mat, vec, ["mat", "vec"]);
  if (mat.shape[1] !== vec.shape[0]) throw new RangeError(`size mismatch, got input (${mat.shape[0]}), mat (${mat.shape.join("x")}), vec (${vec.shape[0]})`);
  const col = new Tensor(vec.data, [vec.shape[0], 1], vec.dtype);
  const p = matmul_raw(mat, col, dt);
  const out = combine(input, new Tensor(p.data, [mat.shape[0]], dt), beta, alpha, "addmv");
  return attach(out, "AddmvBackward0", [input, mat, vec], (g, need) => {
    const gc = new Tensor(g.data, [g.shape[0], 1], g.dtype);
    return [
      need[0] ? sum_to(scaled(g, beta), input.shape) : null,
      need[1] ? scaled(matmul_raw(gc, new Tensor(vec.data, [1, vec.shape[0]], vec.dtype), g.dtype), alpha) : null,
      need[2] ? reshape(scaled(matmul_raw(mat, gc, g.dtype, false, true), alpha), [vec.shape[0]]) : null,
    ];
  }, true, MAT_SAVES);
}

function check_batches(b1: Tensor, b2: Tensor, op: string): void {
  check_dims(b1, 3, op, "batch1", "3D tensor");
  check_dims(b2, 3, op, "batch2", "3D tensor");
  if (b1.shape[0] !== b2.shape[0] || b1.shape[2] !== b2.shape[1]) {
    throw new RangeError(`Expected size for first two dimensions of batch2 tensor to be: [${b1.shape[0]}, ${b1.shape[2]}] but got: [${b2.shape[0]}, ${b2.shape[1]}].`);
  }
}

/** `baddbmm(input, batch1, batch2, { beta = 1, alpha = 1 })`: beta * input + alpha * bmm(batch1, batch2); input broadcasts to [b, n, p]. */
export function baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, options?: AddmmOptions): Tensor {
  check_tensor(input, "baddbmm");
  check_batches(batch1, batch2, "baddbmm");
  const { beta, alpha } = scalars(options, "baddbmm");
  const dt = same_dtype("baddbmm", input, batch1, batch2, ["batch1", "batch2"]);
  const out = combine(input, matmul_raw(batch1, batch2, dt), beta, alpha, "baddbmm");
  return attach(out, "BaddbmmBackward0", [input, batch1, batch2], (g, need) => [
    need[0] ? sum_to(scaled(g, beta), input.shape) : null,
    need[1] ? scaled(matmul_raw(g, batch2, g.dtype, true), alpha) : null,
    need[2] ? scaled(matmul_raw(batch1, g, g.dtype, false, true), alpha) : null,
  ], true, MAT_SAVES);
}

/** `addbmm(input, batch1, batch2, { beta = 1, alpha = 1 })`: beta * input + alpha * sum_b batch1[b] @ batch2[b]; input broadcasts to [n, p]. */
export function addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, options?: AddmmOptions): Tensor {
  check_tensor(input, "addbmm");
  check_batches(batch1, batch2, "addbmm");
  const { beta, alpha } = scalars(options, "addbmm");
  const dt = same_dtype("addbmm", input, batch1, batch2, ["batch1", "batch2"]);
  const [B, n] = batch1.shape;
  const p = batch2.shape[2];
  const prods = matmul_raw(batch1, batch2, dt);
  const acc = new Float64Array(n * p);
  for (let b = 0; b < B; b++) for (let i = 0; i < n * p; i++) acc[i] += prods.data[b * n * p + i];
  const total = storage_for(dt, n * p);
  total.set(acc);
  const out = combine(input, new Tensor(total, [n, p], dt), beta, alpha, "addbmm");
  return attach(out, "AddbmmBackward0", [input, batch1, batch2], (g, need) => {
    const g3 = new Tensor(g.data, [1, n, p], g.dtype);
    return [
      need[0] ? sum_to(scaled(g, beta), input.shape) : null,
      need[1] ? scaled(matmul_raw(g3, batch2, g.dtype, true), alpha) : null,
      need[2] ? scaled(matmul_raw(batch1, g3, g.dtype, false, true), alpha) : null,
    ];
  }, true, MAT_SAVES);
}

/** PyTorch's `_unsafe_view`: x's storage in `shape`, with a version counter of its own. */
function unsafe_view(x: Tensor, shape: readonly number[]): Tensor {
  const out = new Tensor(x.data, shape, x.dtype);
  const in_shape = [...x.shape];
  return attach(out, "UnsafeViewBackward0", [x], (g) => [new Tensor(g.data, in_shape, g.dtype)], false);
}

/** `kron(a, b)`: the Kronecker product; for matrices, blocks a[i, j] * b (dims padded in front to match). */
export function kron(a: Tensor, b: Tensor): Tensor {
  check_tensor(a, "kron");
  check_tensor(b, "kron", "other");
  const n = Math.max(a.dim(), b.dim());
  const as = [...new Array<number>(n - a.dim()).fill(1), ...a.shape];
  const bs = [...new Array<number>(n - b.dim()).fill(1), ...b.shape];
  // As PyTorch's kron: a product of _unsafe_view's of the inputs (their storage, not their version
  // counter: an in-place change of an input before backward is not detected, there as here)
  const prod = mul(unsafe_view(a, as.flatMap((s) => [s, 1])), unsafe_view(b, bs.flatMap((s) => [1, s])));
  return reshape(prod, as.map((s, i) => s * bs[i]));
}

/**
 * `cross(a, b, dim = null)`: the cross product of 3-vectors along dim (a and b broadcast); without
 * dim, the first dim of size 3 (PyTorch's deprecated default; torch.linalg.cross uses -1).
 */
export function cross(a: Tensor, b: Tensor, dim?: number | null | { dim?: number | null }): Tensor {
  check_tensor(a, "cross");
  check_tensor(b, "cross", "other");
  const dd = typeof dim === "object" && dim !== null ? dimKeyword<number | null | undefined>("cross", dim) : dim;
  if (a.dim() !== b.dim()) throw new RangeError(`linalg.cross: inputs must have the same number of dimensions.`);
  const shape = broadcast_shapes(a.shape, b.shape);
  let d: number;
  if (dd === undefined || dd === null) {
    d = shape.findIndex((s) => s === 3);
    if (d < 0) throw new RangeError("no dimension of size 3 in input");
  } else d = wrap_dim(dd, shape.length);
  if (a.shape[d] !== 3 || b.shape[d] !== 3) throw new RangeError(`linalg.cross: inputs dimension ${d} must have length 3. Got ${a.shape[d]} and ${b.shape[d]}`);
  // c_i = a_{i+1} b_{i+2} - a_{i+2} b_{i+1}: rolling by -1 / -2 lines up a_{i+1} / a_{i+2} with i.
  const out = sub(mul(roll(a, -1, d), roll(b, -2, d)), mul(roll(a, -2, d), roll(b, -1, d)));
  // PyTorch's node saves each input for the other's gradient
  const kept: Tensor[] = [];
  if (b.requires_grad) kept.push(a);
  if (a.requires_grad) kept.push(b);
  return saved_also(rename(out, "LinalgCrossBackward0"), kept);
}

export interface CdistOptions {
  p?: number;
  compute_mode?: "use_mm_for_euclid_dist_if_necessary" | "use_mm_for_euclid_dist" | "donot_use_mm_for_euclid_dist" | null;
}

/**
 * `cdist(x1, x2, p = 2, compute_mode)`: out[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p for
 * [..., P, M] and [..., R, M] (batch dims broadcast). Distances are summed directly in float64 for
 * every compute_mode (PyTorch's matrix-product path for p = 2 rounds differently: the values agree
 * to float32 rounding except for near-zero distances, where the direct sum is the exact one).
 */
export function cdist(x1: Tensor, x2: Tensor, p: number | CdistOptions = 2, compute_mode?: CdistOptions["compute_mode"]): Tensor {
  check_tensor(x1, "cdist", "x1");
  check_tensor(x2, "cdist", "x2");
  let pp: number;
  let mode = compute_mode;
  if (typeof p === "object" && p !== null) {
    for (const k of Object.keys(p)) if (k !== "p" && k !== "compute_mode") throw new TypeError(`cdist() got an unexpected keyword argument '${k}' (allowed: p, compute_mode)`);
    pp = p.p ?? 2;
    mode = p.compute_mode;
  } else pp = p;
  const modes = ["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"];
  if (mode !== undefined && mode !== null && !modes.includes(mode)) throw new RangeError(`${mode} is not a valid value for compute_mode`);
  if (typeof pp !== "number" || Number.isNaN(pp)) throw new TypeError(`cdist(): argument 'p' must be a number, not ${JSON.stringify(pp)}`);
  if (x1.dim() < 2) throw new RangeError(`cdist only supports at least 2D tensors, X1 got: ${x1.dim()}D`);
  if (x2.dim() < 2) throw new RangeError(`cdist only supports at least 2D tensors, X2 got: ${x2.dim()}D`);
  const M = x1.shape[x1.dim() - 1];
  if (x2.shape[x2.dim() - 1] !== M) throw new RangeError(`X1 and X2 must have the same number of columns. X1: ${M} X2: ${x2.shape[x2.dim() - 1]}`);
  if (pp < 0) throw new RangeError("cdist only supports non-negative p values");
  if (x1.dtype !== "float32" && x1.dtype !== "float64") throw new TypeError(`cdist only supports floating-point dtypes, X1 got: ${TORCH_NAME[x1.dtype]}`);
  if (x2.dtype !== x1.dtype) throw new TypeError(`X1 and X2 must have the same dtype. X1: ${TORCH_NAME[x1.dtype]} X2: ${TORCH_NAME[x2.dtype]}`);
  const P = x1.shape[x1.dim() - 2];
  const R = x2.shape[x2.dim() - 2];
  const batch = broadcast_shapes(x1.shape.slice(0, -2), x2.shape.slice(0, -2));
  const a = x1.shape.length - 2 === batch.length && x1.shape.slice(0, -2).every((s, i) => s === batch[i]) ? x1 : expand(x1, [...batch, P, M]);
  const b = x2.shape.length - 2 === batch.length && x2.shape.slice(0, -2).every((s, i) => s === batch[i]) ? x2 : expand(x2, [...batch, R, M]);
  const nb = batch.reduce((s, v) => s * v, 1);
  const out = storage_for(x1.dtype, nb * P * R);
  const A = a.data;
  const Bd = b.data;
  for (let k = 0; k < nb; k++) {
    for (let i = 0; i < P; i++) {
      const ai = (k * P + i) * M;
      for (let j = 0; j < R; j++) {
        const bj = (k * R + j) * M;
        let s = 0;
        if (pp === 2) for (let m = 0; m < M; m++) s += (A[ai + m] - Bd[bj + m]) ** 2;
        else if (pp === 1) for (let m = 0; m < M; m++) s += Math.abs(A[ai + m] - Bd[bj + m]);
        else if (pp === 0) for (let m = 0; m < M; m++) s += A[ai + m] !== Bd[bj + m] ? 1 : 0;
        else if (pp === Infinity) for (let m = 0; m < M; m++) s = Math.max(s, Math.abs(A[ai + m] - Bd[bj + m]));
        else for (let m = 0; m < M; m++) s += Math.abs(A[ai + m] - Bd[bj + m]) ** pp;
        out[(k * P + i) * R + j] = pp === 2 ? Math.sqrt(s) : pp === 1 || pp === 0 || pp === Infinity ? s : s ** (1 / pp);
      }
    }
  }
  const res = new Tensor(out, [...batch, P, R], x1.dtype);
  // d dist / d x1[m] = w(diff_m): diff/d (p = 2), sign (p = 1), sign * [|diff| = d] (inf),
  // sign * |diff|^(p-1) / d^(p-1) (other p > 0), 0 (p = 0 or d = 0); d / d x2 is its negative.
  const dres = res.data;
  const r = x1.dtype === "float32" ? Math.fround : (v: number) => v; // differences in the input's precision, as PyTorch
  return attach(res, "CdistBackward0", [a, b], (g, need) => {
    const ga = new Float64Array(A.length);
    const gb = new Float64Array(Bd.length);
    if (pp !== 0) {
      for (let k = 0; k < nb; k++) {
        for (let i = 0; i < P; i++) {
          const ai = (k * P + i) * M;
          for (let j = 0; j < R; j++) {
            const bj = (k * R + j) * M;
            const at = (k * P + i) * R + j;
            const d = dres[at];
            const gv = g.data[at];
            if (d === 0 || gv === 0) continue;
            for (let m = 0; m < M; m++) {
              const diff = r(A[ai + m] - Bd[bj + m]);
              let w: number;
              if (pp === 2) w = diff / d;
              else if (pp === 1) w = Math.sign(diff);
              else if (pp === Infinity) w = Math.abs(diff) === d ? Math.sign(diff) : 0;
              else w = diff === 0 ? 0 : (Math.sign(diff) * Math.abs(diff) ** (pp - 1)) / d ** (pp - 1);
              ga[ai + m] += gv * w;
              gb[bj + m] -= gv * w;
            }
          }
        }
      }
    }
    const wrap = (v: Float64Array, t: Tensor) => {
      const s = storage_for(g.dtype, v.length);
      s.set(v);
      return new Tensor(s, t.shape, g.dtype);
    };
    return [need[0] ? wrap(ga, a) : null, need[1] ? wrap(gb, b) : null];
  }, true, CDIST_SAVES);
}
