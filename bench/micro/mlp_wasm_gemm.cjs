// What the MLP step would cost with the WebAssembly SIMD matmul of wasm_gemm.cjs: runs the bench's
// MLP workload (784-256-10, batch 128, SGD momentum) with nn/_gemm's gemmNT as built, then with
// gemmNT swapped at run time for a drop-in that transposes B and calls the wasm kernel (sizes
// the prototype does not cover fall back to the original). Prototype for bench/NOTES.md only.
//   node bench/micro/mlp_wasm_gemm.cjs          (LRLAB_BENCH_DIST selects the build)
"use strict";
const path = require("node:path");
const { workloads, dist } = require("../workloads.cjs");
const { makeGemm } = require("./wasm_gemm.cjs");

// Historical: builds before the tensor library's own WebAssembly gemm (tensor/gemm.ts) had the JS
// kernel in nn/_gemm.ts. Later builds have nothing to swap.
const fs = require("node:fs");
const gemmPath = path.join(dist, "nn", "_gemm.js");
const linearJs = path.join(dist, "nn", "functional", "linear.js");
if (!fs.existsSync(gemmPath) || !fs.readFileSync(linearJs, "utf8").includes("_gemm")) {
  console.log(`${gemmPath} is not used by this build (linear uses the WebAssembly gemm of tensor/gemm.ts now): nothing to compare`);
  process.exit(0);
}
const gemmModule = require(gemmPath);
const original = gemmModule.gemmNT;

function wasmGemmNT(double) {
  const gemm = makeGemm(1 << 23, double);
  return function gemmNT(A, B, M, N, K, C, bias = null) {
    if (M % 4 || N % (double ? 4 : 8) || !(A instanceof Float32Array) || !(C instanceof Float32Array)) {
      return original(A, B, M, N, K, C, bias);
    }
    const Bt = gemmModule.transpose(B instanceof Float32Array ? B : Float32Array.from(B), N, K); // [K, N]
    const out = gemm(A, Bt, M, N, K);
    if (bias) for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) out[m * N + n] += bias[n];
    C.set(out);
  };
}

function time(n) {
  workloads.mlp_sgd_momentum(false);
  let best = Infinity;
  for (let r = 0; r < n; r++) {
    const t = process.hrtime.bigint();
    const steps = workloads.mlp_sgd_momentum(false);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6 / steps);
  }
  return best;
}

const results = {};
results["nn/_gemm.ts gemmNT (JS, double accumulators)"] = time(3);
gemmModule.gemmNT = wasmGemmNT(true);
results["wasm SIMD, double accumulators (same results)"] = time(3);
gemmModule.gemmNT = wasmGemmNT(false);
results["wasm SIMD, float32 accumulators"] = time(3);
gemmModule.gemmNT = original;
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(48)} ${v.toFixed(2)} ms/step`);
