/**
 * Matrix products: matmul (PyTorch's rules for 1-D, 2-D and batched operands with broadcast batch
 * dims), mm, bmm, mv, dot, outer.
 *
 * Every product runs through gemm (gemm.ts: WebAssembly SIMD, or JS for small products), which
 * reads transposed operands in place, so no transpose is materialised, forward or backward.
 *
 * Backward of C = A B: dA = dC Bᵀ, dB = Aᵀ dC (summed over broadcast batch dims).
 */
import { DType, Tensor, check_tensor } from "./tensor";
import { attach } from "./autograd";
import { is_grad_enabled } from "./grad_mode";
import { mul } from "./elementwise";
import { is_floating, promote_types, storage_for } from "./dtype";
import { broadcast_shapes, contiguous_strides } from "./shape";
import { gemm } from "./gemm";
import { sum_to } from "./sum_to";
import { unsqueeze } from "./views";
import { bump_version, saves, type SaveSpec } from "./version";
import { RuntimeRangeError, RuntimeTypeError } from "../errors";
import { C_TYPE_NAME as C_NAMES, SCALAR_TYPE_NAME as SCALAR_NAMES } from "./dtype";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const MM_SAVES = saves("1 if 0, 0 if 1");
const ROW_MM_SAVES = saves("0 if 1 as row, 1 if 0");
const ROWS_MM_SAVES = saves("0 if 1 as rows, 1 if 0");
const VIEWS_BMM_SAVES = saves("0 if 1 as bmm_left, 1 if 0 as bmm_right");
const T_MM_SAVES = saves("0 if 1 as mT_or_batched");

function dims_str(s: readonly number[]): string {
  return s.join("x");
}

function out_dtype(a: Tensor, b: Tensor, op: string): DType {
  if (a.dtype !== b.dtype) {
    throw RuntimeTypeError(`expected m1 and m2 to have the same dtype, but got: ${C_NAMES[a.dtype]} != ${C_NAMES[b.dtype]} (in ${op}: ${a.dtype} and ${b.dtype}; convert one with .to())`);
  }
  if (a.dtype === "bool") throw new TypeError(`"${op}" not implemented for 'Bool'`);
  return promote_types(a.dtype, b.dtype);
}

/**
 * Batched product with broadcast batch dims, both operands at least 2-D (no autograd):
 * a[..., M, K] @ b[..., K, N] -> [..., M, N]. `a_is_t` says `a` is given transposed ([..., K, M]),
 * `b_is_t` that `b` is ([..., N, K]); the kernel reads them in place.
 */
export function matmul_raw(a: Tensor, b: Tensor, dtype: DType = a.dtype, b_is_t = false, a_is_t = false): Tensor {
  const na = a.dim();
  const nb_ = b.dim();
  const M = a.shape[na - (a_is_t ? 1 : 2)];
  const K = a.shape[na - (a_is_t ? 2 : 1)];
  const N = b.shape[nb_ - (b_is_t ? 2 : 1)];
  const batch_a = a.shape.slice(0, -2);
  const batch_b = b.shape.slice(0, -2);
  const batch = batch_a.length === 0 && batch_b.length === 0 ? [] : broadcast_shapes(batch_a, batch_b);
  const nb = batch.reduce((x, y) => x * y, 1);
  const out = storage_for(dtype, nb * M * N);
  if (nb === 1) gemm(a_is_t, b_is_t, M, N, K, a.data, 0, b.data, 0, out, 0);
  else {
    // Offsets of each batch entry in a and b (0 stride along broadcast batch dims).
    const sa = bstrides(batch_a, batch, M * K);
    const sb = bstrides(batch_b, batch, K * N);
    const cs = contiguous_strides(batch);
    for (let i = 0; i < nb; i++) {
      let oa = 0;
      let ob = 0;
      let r = i;
      for (let d = 0; d < batch.length; d++) {
        const q = Math.floor(r / cs[d]);
        r -= q * cs[d];
        oa += q * sa[d];
        ob += q * sb[d];
      }
      gemm(a_is_t, b_is_t, M, N, K, a.data, oa, b.data, ob, out, i * M * N);
    }
  }
  return new Tensor(out, [...batch, M, N], dtype);
}

function bstrides(shape: readonly number[], out: readonly number[], mat: number): number[] {
  const st = contiguous_strides(shape).map((s) => s * mat);
  const off = out.length - shape.length;
  return out.map((_, d) => (d < off || shape[d - off] === 1 ? 0 : st[d - off]));
}

function as_view(x: Tensor, shape: readonly number[]): Tensor {
  return new Tensor(x.data, shape, x.dtype);
}

/**
 * matmul(a, b) with PyTorch's rules: 1-D @ 1-D is a dot product; a 1-D left operand is treated as
 * a row [1, K] and a 1-D right operand as a column [K, 1] (the added dim is removed afterwards);
 * otherwise batch dims broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return matmul_op(a, b, false);
}

/**
 * What PyTorch's matmul saves, by case: each operand for the other's gradient, as the mm / bmm it
 * calls gets them (a 1-D left operand as a row, N-D batches folded into rows, batched operands
 * expanded or folded: views, named AsStrided once their base changed).
 */
function matmul_saves(da: number, db: number, plain: boolean): SaveSpec {
  if (plain || (da <= 2 && db <= 2 && da !== 1) || (da === 1 && db === 1)) return MM_SAVES;
  if (da === 1 && db === 2) return ROW_MM_SAVES;
  if (db <= 2) return ROWS_MM_SAVES;
  if (da >= 3) return VIEWS_BMM_SAVES;
  return T_MM_SAVES;
}

function matmul_op(a: Tensor, b: Tensor, bmm_op: boolean): Tensor {
  for (const [x, n] of [[a, "input"], [b, "other"]] as const) {
    check_tensor(x, "matmul", n);
    if (x.dim() === 0) throw RuntimeRangeError(`both arguments to matmul need to be at least 1D, but they are ${a.dim()}D and ${b.dim()}D`);
  }
  const dtype = out_dtype(a, b, "matmul");
  const da = a.dim();
  const db = b.dim();
  if (da === 1 && db === 1) {
    if (a.shape[0] !== b.shape[0]) {
      throw RuntimeRangeError(
        `inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
      );
    }
  }
  const A = da === 1 ? as_view(a, [1, a.shape[0]]) : a;
  const B = db === 1 ? as_view(b, [b.shape[0], 1]) : b;
  const K = A.shape[A.dim() - 1];
  const K2 = B.shape[B.dim() - 2];
  if (K !== K2) {
    if (da <= 2 && db === 2) {
      throw RuntimeRangeError(`mat1 and mat2 shapes cannot be multiplied (${dims_str(A.shape)} and ${dims_str(B.shape)})`);
    }
    if (da === 2 && db === 1) {
      throw RuntimeRangeError(`size mismatch, got input (${a.shape[0]}), mat (${dims_str(a.shape)}), vec (${b.shape[0]})`);
    }
    throw new RangeError(
      `Expected size for first two dimensions of batch2 tensor to be: [${[...B.shape.slice(0, -2), K].join(", ")}] but got: [${B.shape.slice(0, -1).join(", ")}]. (matmul of ${dims_str(a.shape)} and ${dims_str(b.shape)}: inner dims ${K} and ${K2} differ)`,
    );
  }
  // Batch dims must broadcast (broadcast_shapes throws PyTorch's message otherwise).
  const C = matmul_raw(A, B, dtype);
  let shape = [...C.shape];
  if (da === 1) shape.splice(shape.length - 2, 1);
  if (db === 1) shape.splice(shape.length - 1, 1);
  const out = as_view(C, shape);
  // PyTorch's node names for each case of matmul.
  const name =
    da === 1 && db === 1 ? "DotBackward0"
    : da === 2 && db === 1 ? "MvBackward0"
    : da === 2 && db === 2 ? "MmBackward0"
    : da === 1 && db === 2 ? "SqueezeBackward4"
    : da === 2 ? "CloneBackward0"
    : "UnsafeViewBackward0";
  // (PyTorch squeezes a 1-D @ 2-D product in place, `mm(...).squeeze_(0)`: its result is at version 1)
  if (da === 1 && db === 2) bump_version(out);
  if (!is_floating(dtype)) return out;
  const spec = matmul_saves(da, db, bmm_op);
  // A 2-D @ N-D product whose left operand requires grad: PyTorch folds it and keeps its own copy
  // of the right operand, not the operand (which may then change in place before backward)
  const Bk = !bmm_op && da <= 2 && db >= 3 && is_grad_enabled() && a.requires_grad ? new Tensor(B.data.slice() as typeof B.data, B.shape, B.dtype) : B;
  return attach(out, bmm_op ? "BmmBackward0" : name, [a, b], (g, need) => {
    const G = as_view(g, C.shape);
    return [
      // dA = G Bᵀ, dB = Aᵀ G: the kernel reads B and A transposed in place.
      need[0] ? as_view(sum_to(matmul_raw(G, Bk, g.dtype, true), A.shape), [...a.shape]) : null,
      need[1] ? as_view(sum_to(matmul_raw(A, G, g.dtype, false, true), B.shape), [...b.shape]) : null,
    ];
  }, true, spec);
}

/** mm: 2-D @ 2-D only. */
export function mm(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError("mm(): arguments must be Tensors");
  if (a.dim() !== 2) throw RuntimeRangeError(`self must be a matrix (mm got a ${a.dim()}-D tensor)`);
  if (b.dim() !== 2) throw RuntimeRangeError(`mat2 must be a matrix (mm got a ${b.dim()}-D tensor)`);
  return matmul(a, b);
}

/** bmm: [B, M, K] @ [B, K, N], same batch size, no broadcasting. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError("bmm(): arguments must be Tensors");
  if (a.dim() !== 3) throw RuntimeRangeError(`batch1 must be a 3D tensor`);
  if (b.dim() !== 3) throw new RangeError(`batch2 must be a 3D tensor`);
  if (b.shape[0] !== a.shape[0] || b.shape[1] !== a.shape[2]) {
    throw RuntimeRangeError(`Expected size for first two dimensions of batch2 tensor to be: [${a.shape[0]}, ${a.shape[2]}] but got: [${b.shape[0]}, ${b.shape[1]}].`);
  }
  return matmul_op(a, b, true);
}

/** mv: 2-D @ 1-D. */
export function mv(a: Tensor, v: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(v instanceof Tensor)) throw new TypeError("mv(): arguments must be Tensors");
  if (a.dim() !== 2 || v.dim() !== 1) throw new RangeError(`vector + matrix @ vector expected, got ${a.dim()}, ${a.dim()}, ${v.dim()}`);
  return matmul(a, v);
}

/** dot: 1-D . 1-D. */
export function dot(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError("dot(): arguments must be Tensors");
  if (a.dim() !== 1 || b.dim() !== 1) throw RuntimeRangeError(`1D tensors expected, but got ${a.dim()}D and ${b.dim()}D tensors`);
  if (a.dtype !== b.dtype) throw RuntimeTypeError(`dot : expected both vectors to have same dtype, but found ${SCALAR_NAMES[a.dtype]} and ${SCALAR_NAMES[b.dtype]}`);
  return matmul(a, b);
}

/** outer(a, b)[i, j] = a[i] * b[j]. */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError("outer(): arguments must be Tensors");
  if (a.dim() !== 1 || b.dim() !== 1) throw new RangeError(`outer(): expected 1-D tensors, got ${a.dim()}D and ${b.dim()}D`);
  return mul(unsqueeze(a, 1), b);
}
