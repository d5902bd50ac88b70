/**
 * The WebAssembly kernels (kernel/src/tensor/wasm): matrix product and ReLU.
 * - products and their gradients against PyTorch 2.13 (fixtures/perf/gemm.json, made by
 *   fixtures/generate_perf.py) through torch.matmul and F.linear, with the fused-multiply-add
 *   module, the plain SIMD module and the JS fallback; float64 to 1e-12, float32 to 1e-6 relative
 *   to the tensor's scale (the tolerance of every parity test);
 * - the kernel alone against a float64 reference for every transpose combination and shapes that
 *   exercise edge tiles and every blocking loop (K > KC, N > NC, M > MC);
 * - ReLU's special values and its backward;
 * - the embedded module is what kernel/scripts/gen_gemm_wasm.cjs generates.
 */
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../kernel/src/tensor/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { linear } from "../../kernel/src/nn/functional/linear";
import { relu as F_relu } from "../../kernel/src/nn/functional/activation";
import { reload_wasm, set_wasm_enabled, wasm_kind } from "../../kernel/src/tensor/wasm/instance";
import { wasm_gemm } from "../../kernel/src/tensor/wasm/gemm";
import { WASM_MIN_WORK } from "../../kernel/src/tensor/gemm";
import { WASM_MIN_ELEMENTS } from "../../kernel/src/tensor/wasm/elementwise";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require("../../kernel/scripts/gen_gemm_wasm.cjs") as { source(): string; OUT: string };

interface FT { shape: number[]; dtype: "float32" | "float64"; data: number[] }
type Case = { name: string; op: "matmul" | "linear" } & Record<string, FT>;
const fx = JSON.parse(readFileSync(join(__dirname, "../fixtures/perf/gemm.json"), "utf8")) as { cases: Case[] };

function build(t: FT, requires_grad = false): Tensor {
  const data = t.dtype === "float32" ? Float32Array.from(t.data) : Float64Array.from(t.data);
  return new Tensor(data, t.shape, t.dtype, requires_grad);
}

/** |a - e| ≤ rtol·(|e| + max|e|): float32 1e-6, float64 1e-12 (as test/nn/helpers.ts). */
function expectClose(actual: Tensor | null, expected: FT, what: string): void {
  expect(actual, what).not.toBeNull();
  const a = actual as Tensor;
  expect(a.shape, `${what} shape`).toEqual(expected.shape);
  expect(a.dtype, `${what} dtype`).toBe(expected.dtype);
  const rtol = a.dtype === "float32" ? 1e-6 : 1e-12;
  let scale = 0;
  for (const v of expected.data) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i];
    const tol = rtol * (Math.abs(e) + scale);
    if (!(Math.abs(a.data[i] - e) <= tol)) throw new Error(`${what}[${i}] = ${a.data[i]}, PyTorch ${e} (|diff| ${Math.abs(a.data[i] - e)} > ${tol})`);
  }
}

function runCase(c: Case): void {
  if (c.op === "matmul") {
    const a = build(c.a, true), b = build(c.b, true);
    const y = torch.matmul(a, b);
    expectClose(y, c.y, `${c.name}: y`);
    y.backward(build(c.upstream));
    expectClose(a.grad, c.grad_a, `${c.name}: grad a`);
    expectClose(b.grad, c.grad_b, `${c.name}: grad b`);
  } else {
    const x = build(c.x, true), w = build(c.w, true), bias = build(c.bias, true);
    const y = linear(x, w, bias);
    expectClose(y, c.y, `${c.name}: y`);
    y.backward(build(c.upstream));
    expectClose(x.grad, c.grad_x, `${c.name}: grad x`);
    expectClose(w.grad, c.grad_w, `${c.name}: grad w`);
    expectClose(bias.grad, c.grad_bias, `${c.name}: grad bias`);
  }
}

afterAll(() => {
  set_wasm_enabled(true);
  reload_wasm(true);
});

describe("matrix products against PyTorch", () => {
  it("the fixture shapes take the WebAssembly path", () => {
    for (const c of fx.cases) {
      // matmul: per batch entry; linear: all leading dims of x are rows.
      const [p, q] = c.op === "matmul" ? [c.a.shape, c.b.shape] : [c.x.shape, [c.w.shape[1], c.w.shape[0]]];
      const M = c.op === "matmul" ? p[p.length - 2] : p.slice(0, -1).reduce((u, v) => u * v, 1);
      const K = p[p.length - 1], N = q[q.length - 1];
      expect(M * N * K, c.name).toBeGreaterThanOrEqual(WASM_MIN_WORK);
    }
  });
  for (const variant of ["simd+fma", "simd", "js"] as const) {
    describe(variant, () => {
      for (const c of fx.cases) {
        it(c.name, () => {
          set_wasm_enabled(variant !== "js");
          if (variant !== "js") reload_wasm(variant === "simd+fma");
          // This machine's Node has WebAssembly SIMD (Node ≥ 20); the fused module needs relaxed SIMD.
          expect(wasm_kind()).toBe(variant === "js" ? null : variant);
          runCase(c);
        });
      }
    });
  }
});

/** C = op(A) op(B) in float64 (exact enough to judge either accumulation). */
function filled(T: Float32ArrayConstructor | Float64ArrayConstructor, n: number, f: (i: number) => number): Float32Array | Float64Array {
  const out = new T(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
}

function reference(ta: boolean, tb: boolean, M: number, N: number, K: number, A: ArrayLike<number>, B: ArrayLike<number>): Float64Array {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (ta ? A[k * M + i] : A[i * K + k]) * (tb ? B[j * K + k] : B[k * N + j]);
      C[i * N + j] = s;
    }
  }
  return C;
}

describe("wasm_gemm", () => {
  // Deterministic pseudo-random values in [-1, 1).
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 31) - 1;
  const shapes: [number, number, number][] = [[1, 1, 1], [5, 9, 3], [4, 8, 256], [13, 17, 300], [121, 1030, 20], [3, 5, 0], [250, 7, 513]];
  for (const fma of [true, false]) {
    for (const T of [Float32Array, Float64Array]) {
      it(`${fma ? "fma" : "plain"} ${T.name}: every transpose combination, edge tiles, all blocking loops`, () => {
        set_wasm_enabled(true);
        reload_wasm(fma);
        for (const [M, N, K] of shapes) {
          for (const ta of [false, true]) {
            for (const tb of [false, true]) {
              const A = filled(T, M * K + 3, rnd), B = filled(T, K * N + 5, rnd);
              const bias = filled(T, N, rnd);
              const C = new T(M * N + 4).fill(NaN);
              // Operands at offsets 3 and 5, result at 2: nothing outside C's range is touched.
              expect(wasm_gemm(ta, tb, M, N, K, A, 3, B, 5, C, 2, bias)).toBe(true);
              const R = reference(ta, tb, M, N, K, A.subarray(3), B.subarray(5));
              // Each entry is a sum of K products of |x| < 1: float32 rounding errors stay below
              // K·2⁻²⁴ per product-sum (much less in practice), float64 below K·2⁻⁵³.
              const tol = (T === Float32Array ? 2 ** -24 : 2 ** -53) * (K + 2) * 2;
              for (let i = 0; i < M * N; i++) {
                const e = R[i] + bias[i % N];
                if (!(Math.abs(C[2 + i] - e) <= tol)) throw new Error(`${M}x${N}x${K} ta=${ta} tb=${tb}: C[${i}] = ${C[2 + i]}, expected ${e}`);
              }
              expect(Number.isNaN(C[0]) && Number.isNaN(C[1]) && Number.isNaN(C[M * N + 2]) && Number.isNaN(C[M * N + 3])).toBe(true);
            }
          }
        }
      });
    }
  }

  it("returns false when WebAssembly is switched off (callers then use JS)", () => {
    set_wasm_enabled(false);
    const A = new Float32Array(4), C = new Float32Array(4);
    expect(wasm_gemm(false, false, 2, 2, 2, A, 0, A, 0, C, 0)).toBe(false);
    set_wasm_enabled(true);
  });
});

describe("relu", () => {
  const n = WASM_MIN_ELEMENTS + 7; // a remainder after the 4-lane vectors
  const specials = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45, 3.5, -2.25];
  for (const dtype of ["float32", "float64"] as const) {
    for (const variant of ["wasm", "js"] as const) {
      it(`${dtype} ${variant}: max(x, 0) with NaN kept, -0 to +0; gradient y > 0 ? g : 0`, () => {
        set_wasm_enabled(variant === "wasm");
        const data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
        for (let i = 0; i < n; i++) data[i] = i >= n - specials.length ? specials[i - (n - specials.length)] : Math.sin(i) * 10;
        for (const f of [torch.relu, F_relu]) {
          const x = new Tensor(data.slice(), [n], dtype, true);
          const y = f(x);
          for (let i = 0; i < n; i++) {
            const v = data[i];
            const e = Number.isNaN(v) ? NaN : v > 0 ? v : 0;
            expect(Object.is(y.data[i], e), `relu(${v}) = ${y.data[i]}`).toBe(true);
          }
          const g = new Tensor(filled(dtype === "float32" ? Float32Array : Float64Array, n, (i) => i + 0.5), [n], dtype);
          y.backward(g);
          for (let i = 0; i < n; i++) expect(x.grad!.data[i], `grad at ${data[i]}`).toBe(y.data[i] > 0 ? i + 0.5 : 0);
        }
        set_wasm_enabled(true);
      });
    }
  }
});

describe("generated module", () => {
  it("kernel/src/tensor/wasm/gemm_bytes.ts is what gen_gemm_wasm.cjs writes", () => {
    expect(readFileSync(gen.OUT, "utf8")).toBe(gen.source());
  });
});
