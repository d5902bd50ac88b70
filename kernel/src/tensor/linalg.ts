/**
 * Matrix products: matmul (PyTorch's rules for 1-D, 2-D and batched operands with broadcast batch
 * dims), mm, bmm, mv, dot, outer.
 *
 * The kernel (gemm_nt) computes C = A Btᵀ from B transposed once into float64 scratch, so both
 * operands stream along contiguous rows, with 4x4 register blocking. Sums are accumulated in
 * float64 and rounded once on store, so float32 results are as close as possible to the exact
 * product.
 *
 * Backward of C = A B: dA = dC B^T, dB = A^T dC (summed over broadcast batch dims).
 */
import { DType, Storage, Tensor } from "./tensor";
import { attach, rename } from "./autograd";
import { mul } from "./elementwise";
import { is_floating, promote_types, storage_for } from "./dtype";
import { broadcast_shapes, contiguous_strides, transpose_last2 } from "./shape";
import { sum_to } from "./sum_to";
import { unsqueeze } from "./views";

/**
 * C[M, N] (at c0) = A[M, K] (at a0) @ Bt[N, K]ᵀ (at b0): both operands are read along contiguous
 * rows of length K. 4x4 register blocks: each step of k loads 8 values for 16 multiply-adds into
 * 16 independent double accumulators (float32 results are rounded once, on store).
 */
function gemm_nt(A: Float64Array, a0: number, Bt: Float64Array, b0: number, C: Storage, c0: number, M: number, K: number, N: number): void {
  let m = 0;
  for (; m + 3 < M; m += 4) {
    const r0 = a0 + m * K;
    const r1 = r0 + K;
    const r2 = r1 + K;
    const r3 = r2 + K;
    let n = 0;
    for (; n + 3 < N; n += 4) {
      const q0 = b0 + n * K;
      const q1 = q0 + K;
      const q2 = q1 + K;
      const q3 = q2 + K;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0; k < K; k++) {
        const y0 = Bt[q0 + k];
        const y1 = Bt[q1 + k];
        const y2 = Bt[q2 + k];
        const y3 = Bt[q3 + k];
        let x = A[r0 + k];
        c00 += x * y0; c01 += x * y1; c02 += x * y2; c03 += x * y3;
        x = A[r1 + k];
        c10 += x * y0; c11 += x * y1; c12 += x * y2; c13 += x * y3;
        x = A[r2 + k];
        c20 += x * y0; c21 += x * y1; c22 += x * y2; c23 += x * y3;
        x = A[r3 + k];
        c30 += x * y0; c31 += x * y1; c32 += x * y2; c33 += x * y3;
      }
      let o = c0 + m * N + n;
      C[o] = c00; C[o + 1] = c01; C[o + 2] = c02; C[o + 3] = c03;
      o += N;
      C[o] = c10; C[o + 1] = c11; C[o + 2] = c12; C[o + 3] = c13;
      o += N;
      C[o] = c20; C[o + 1] = c21; C[o + 2] = c22; C[o + 3] = c23;
      o += N;
      C[o] = c30; C[o + 1] = c31; C[o + 2] = c32; C[o + 3] = c33;
    }
    for (; n < N; n++) {
      const q = b0 + n * K;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < K; k++) {
        const y = Bt[q + k];
        s0 += A[r0 + k] * y;
        s1 += A[r1 + k] * y;
        s2 += A[r2 + k] * y;
        s3 += A[r3 + k] * y;
      }
      const o = c0 + m * N + n;
      C[o] = s0;
      C[o + N] = s1;
      C[o + 2 * N] = s2;
      C[o + 3 * N] = s3;
    }
  }
  for (; m < M; m++) {
    const r = a0 + m * K;
    for (let n = 0; n < N; n++) {
      const q = b0 + n * K;
      let acc = 0;
      for (let k = 0; k < K; k++) acc += A[r + k] * Bt[q + k];
      C[c0 + m * N + n] = acc;
    }
  }
}

function dims_str(s: readonly number[]): string {
  return s.join("x");
}

function out_dtype(a: Tensor, b: Tensor, op: string): DType {
  if (a.dtype !== b.dtype) {
    throw new TypeError(`expected m1 and m2 to have the same dtype, but got: ${a.dtype} != ${b.dtype} (in ${op}; convert one with .to())`);
  }
  if (a.dtype === "bool") throw new TypeError(`"${op}" not implemented for 'Bool'`);
  return promote_types(a.dtype, b.dtype);
}

/**
 * Batched product with broadcast batch dims, both operands at least 2-D (no autograd):
 * a[..., M, K] @ b[..., K, N] -> [..., M, N]. `b_is_t` says `b` is given transposed ([..., N, K]).
 */
export function matmul_raw(a: Tensor, b: Tensor, dtype: DType = a.dtype, b_is_t = false): Tensor {
  const M = a.shape[a.dim() - 2];
  const K = a.shape[a.dim() - 1];
  // Bt: b with its last two dims swapped, so both operands are read along rows.
  const bt = b_is_t ? b : mT(b, true);
  // Both operands as float64 (a one-off O(n^2) copy for float32): the O(n^3) kernel then loads
  // from one array type only, which V8 compiles tighter (measured ~20% faster).
  const ad = as_f64(a.data);
  const bd = as_f64(bt.data);
  const N = bt.shape[bt.dim() - 2];
  const batch_a = a.shape.slice(0, -2);
  const batch_b = bt.shape.slice(0, -2);
  const batch = batch_a.length === 0 && batch_b.length === 0 ? [] : broadcast_shapes(batch_a, batch_b);
  const nb = batch.reduce((x, y) => x * y, 1);
  const out = storage_for(dtype, nb * M * N);
  if (nb === 1) gemm_nt(ad, 0, bd, 0, out, 0, M, K, N);
  else {
    // Offsets of each batch entry in a and bt (0 stride along broadcast batch dims).
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
      gemm_nt(ad, oa, bd, ob, out, i * M * N, M, K, N);
    }
  }
  return new Tensor(out, [...batch, M, N], dtype);
}

function as_f64(d: Storage): Float64Array {
  return d instanceof Float64Array ? d : Float64Array.from(d);
}

function bstrides(shape: readonly number[], out: readonly number[], mat: number): number[] {
  const st = contiguous_strides(shape).map((s) => s * mat);
  const off = out.length - shape.length;
  return out.map((_, d) => (d < off || shape[d - off] === 1 ? 0 : st[d - off]));
}

/** Swaps the last two dims (no autograd); `f64` stores the copy as float64 (kernel scratch). */
function mT(x: Tensor, f64 = false): Tensor {
  const n = x.dim();
  const R = x.shape[n - 2];
  const C = x.shape[n - 1];
  const nb = x.data.length / (R * C) || 0;
  const out = f64 ? new Float64Array(x.data.length) : storage_for(x.dtype, x.data.length);
  transpose_last2(x.data, out, nb, R, C);
  const shape = [...x.shape];
  shape[n - 2] = C;
  shape[n - 1] = R;
  return new Tensor(out, shape, f64 ? "float64" : x.dtype);
}

function as_view(x: Tensor, shape: number[]): Tensor {
  return new Tensor(x.data, shape, x.dtype);
}

/**
 * matmul(a, b) with PyTorch's rules: 1-D @ 1-D is a dot product; a 1-D left operand is treated as
 * a row [1, K] and a 1-D right operand as a column [K, 1] (the added dim is removed afterwards);
 * otherwise batch dims broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  for (const [x, n] of [[a, "input"], [b, "other"]] as const) {
    if (!(x instanceof Tensor)) throw new TypeError(`matmul(): argument '${n}' must be Tensor, not ${x === null ? "null" : typeof x}`);
    if (x.dim() === 0) throw new RangeError(`both arguments to matmul need to be at least 1D, but they are ${a.dim()}D and ${b.dim()}D`);
  }
  const dtype = out_dtype(a, b, "matmul");
  const da = a.dim();
  const db = b.dim();
  if (da === 1 && db === 1) {
    if (a.shape[0] !== b.shape[0]) {
      throw new RangeError(
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
      throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${dims_str(A.shape)} and ${dims_str(B.shape)})`);
    }
    if (da === 2 && db === 1) {
      throw new RangeError(`size mismatch, got input (${a.shape[0]}), mat (${dims_str(a.shape)}), vec (${b.shape[0]})`);
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
  if (!is_floating(dtype)) return out;
  return attach(out, name, [a, b], (g, need) => {
    const G = as_view(g, C.shape);
    return [
      // dA = G Bᵀ: B is already the transposed operand the kernel wants.
      need[0] ? as_view(sum_to(matmul_raw(G, B, g.dtype, true), A.shape), [...a.shape]) : null,
      // dB = Aᵀ G = Aᵀ (Gᵀ)ᵀ
      need[1] ? as_view(sum_to(matmul_raw(mT(A), mT(G, true), g.dtype, true), B.shape), [...b.shape]) : null,
    ];
  });
}

/** mm: 2-D @ 2-D only. */
export function mm(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError("mm(): arguments must be Tensors");
  if (a.dim() !== 2) throw new RangeError(`self must be a matrix (mm got a ${a.dim()}-D tensor)`);
  if (b.dim() !== 2) throw new RangeError(`mat2 must be a matrix (mm got a ${b.dim()}-D tensor)`);
  return matmul(a, b);
}

/** bmm: [B, M, K] @ [B, K, N], same batch size, no broadcasting. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError("bmm(): arguments must be Tensors");
  if (a.dim() !== 3) throw new RangeError(`batch1 must be a 3D tensor`);
  if (b.dim() !== 3) throw new RangeError(`batch2 must be a 3D tensor`);
  if (b.shape[0] !== a.shape[0] || b.shape[1] !== a.shape[2]) {
    throw new RangeError(`Expected size for first two dimensions of batch2 tensor to be: [${a.shape[0]}, ${a.shape[2]}] but got: [${b.shape[0]}, ${b.shape[1]}].`);
  }
  return rename(matmul(a, b), "BmmBackward0");
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
  if (a.dim() !== 1 || b.dim() !== 1) throw new RangeError(`1D tensors expected, but got ${a.dim()}D and ${b.dim()}D tensors`);
  return matmul(a, b);
}

/** outer(a, b)[i, j] = a[i] * b[j]. */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError("outer(): arguments must be Tensors");
  if (a.dim() !== 1 || b.dim() !== 1) throw new RangeError(`outer(): expected 1-D tensors, got ${a.dim()}D and ${b.dim()}D`);
  return mul(unsqueeze(a, 1), b);
}
