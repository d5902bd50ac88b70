/**
 * Matrix products: matmul (PyTorch's rules for 1-D, 2-D and batched operands with broadcast batch
 * dims), mm, bmm, mv, dot, outer.
 *
 * The kernel computes C[i, :] = sum_k A[i, k] * B[k, :] row by row (i-k-j order): the inner loop
 * streams through contiguous rows of B and of an accumulator, which is cache-friendly. Sums are
 * accumulated in float64 and rounded once on store, so float32 results are as close as possible
 * to the exact product.
 *
 * Backward of C = A B: dA = dC B^T, dB = A^T dC (summed over broadcast batch dims).
 */
import { DType, Storage, Tensor } from "./tensor";
import { attach } from "./autograd";
import { is_floating, promote_types, storage_for } from "./dtype";
import { broadcast_shapes, contiguous_strides } from "./shape";
import { sum_to } from "./sum_to";
import { unsqueeze } from "./views";

/** C[M, N] (at c0) = A[M, K] (at a0) @ B[K, N] (at b0); `acc` is scratch of length >= N. */
function gemm(A: Storage, a0: number, B: Storage, b0: number, C: Storage, c0: number, M: number, K: number, N: number, acc: Float64Array): void {
  for (let i = 0; i < M; i++) {
    acc.fill(0, 0, N);
    const ai = a0 + i * K;
    for (let k = 0; k < K; k++) {
      const aik = A[ai + k];
      if (aik === 0) continue;
      const bk = b0 + k * N;
      for (let j = 0; j < N; j++) acc[j] += aik * B[bk + j];
    }
    const ci = c0 + i * N;
    for (let j = 0; j < N; j++) C[ci + j] = acc[j];
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
 * a[..., M, K] @ b[..., K, N] -> [..., M, N].
 */
export function matmul_raw(a: Tensor, b: Tensor, dtype: DType = a.dtype): Tensor {
  const M = a.shape[a.dim() - 2];
  const K = a.shape[a.dim() - 1];
  const N = b.shape[b.dim() - 1];
  const batch_a = a.shape.slice(0, -2);
  const batch_b = b.shape.slice(0, -2);
  const batch = batch_a.length === 0 && batch_b.length === 0 ? [] : broadcast_shapes(batch_a, batch_b);
  const nb = batch.reduce((x, y) => x * y, 1);
  const out = storage_for(dtype, nb * M * N);
  const acc = new Float64Array(N);
  if (nb === 1) gemm(a.data, 0, b.data, 0, out, 0, M, K, N, acc);
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
      gemm(a.data, oa, b.data, ob, out, i * M * N, M, K, N, acc);
    }
  }
  return new Tensor(out, [...batch, M, N], dtype);
}

function bstrides(shape: readonly number[], out: readonly number[], mat: number): number[] {
  const st = contiguous_strides(shape).map((s) => s * mat);
  const off = out.length - shape.length;
  return out.map((_, d) => (d < off || shape[d - off] === 1 ? 0 : st[d - off]));
}

/** Swaps the last two dims (no autograd). */
function mT(x: Tensor): Tensor {
  const n = x.dim();
  const R = x.shape[n - 2];
  const C = x.shape[n - 1];
  const nb = x.data.length / (R * C) || 0;
  const out = storage_for(x.dtype, x.data.length);
  const src = x.data;
  for (let b = 0; b < nb; b++) {
    const o = b * R * C;
    for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) out[o + j * R + i] = src[o + i * C + j];
  }
  const shape = [...x.shape];
  shape[n - 2] = C;
  shape[n - 1] = R;
  return new Tensor(out, shape, x.dtype);
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
  const name = da === 1 && db === 1 ? "DotBackward0" : da === 2 && db === 1 ? "MvBackward0" : da === 2 && db === 2 ? "MmBackward0" : da >= 3 && db >= 3 && da === db ? "BmmBackward0" : "UnsafeViewBackward0";
  if (!is_floating(dtype)) return out;
  return attach(out, name, [a, b], (g, need) => {
    const G = as_view(g, C.shape);
    return [
      need[0] ? as_view(sum_to(matmul_raw(G, mT(B), g.dtype), A.shape), [...a.shape]) : null,
      need[1] ? as_view(sum_to(matmul_raw(mT(A), G, g.dtype), B.shape), [...b.shape]) : null,
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
  return matmul(a, b);
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
  return matmul(unsqueeze(a, 1), unsqueeze(b, 0));
}
