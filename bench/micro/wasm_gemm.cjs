// Prototype for the matmul proposal in bench/NOTES.md (not used by lrlab): a WebAssembly SIMD
// kernel C[M,N] = A[M,K] · B[K,N] (float32, row-major, M % 4 = 0, N % 8 = 0), emitted as bytes
// here so that no tool-chain is needed.
//
// Register blocking: a 4×8 block of C lives in 8 f32x4 accumulators; each step of k loads one
// 8-wide row slice of B (2 vectors) and broadcasts 4 values of A's column k, for 32 multiply-adds
// per 6 loads. Accumulation is in float32 (as PyTorch's CPU kernels do), not in double.
"use strict";

const u = (n) => { const o = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const s = (n) => { const o = []; for (;;) { const b = n & 0x7f; n >>= 7; if ((n === 0 && !(b & 0x40)) || (n === -1 && (b & 0x40))) { o.push(b); return o; } o.push(b | 0x80); } };
const vec = (items) => [...u(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...u(bytes.length), ...bytes];

// Opcodes used.
const OP = {
  block: 0x02, loop: 0x03, br: 0x0c, br_if: 0x0d, end: 0x0b,
  get: 0x20, set: 0x21, tee: 0x22, i32c: 0x41, add: 0x6a, mul: 0x6c, ge_s: 0x4e, f32load: 0x2a,
};
const simd = (op) => [0xfd, ...u(op)];
const V = { load: 0x00, store: 0x0b, const: 0x0c, splat: 0x13, add: 0xe4, mul: 0xe6 };
const memarg = (offset) => [...u(2), ...u(offset)]; // align 2^2

function kernelBody() {
  // params: 0 a, 1 b, 2 c, 3 M, 4 N, 5 K ; i32 locals: 6 i, 7 j, 8 k, 9 pa, 10 pb, 11 pc, 12 K4, 13 N4
  // v128 locals: 14 b0, 15 b1, 16..23 acc[r][h] (r row 0..3, h half 0..1)
  const c = [];
  const g = (l) => c.push(OP.get, ...u(l));
  const st = (l) => c.push(OP.set, ...u(l));
  const i32 = (v) => c.push(OP.i32c, ...s(v));
  const acc = (r, h) => 16 + r * 2 + h;
  g(5); i32(4); c.push(OP.mul); st(12);
  g(4); i32(4); c.push(OP.mul); st(13);
  i32(0); st(6);
  c.push(OP.block, 0x40, OP.loop, 0x40);
  g(6); g(3); c.push(OP.ge_s, OP.br_if, 1);
  i32(0); st(7);
  c.push(OP.block, 0x40, OP.loop, 0x40);
  g(7); g(4); c.push(OP.ge_s, OP.br_if, 1);
  for (let r = 0; r < 4; r++) for (let h = 0; h < 2; h++) { c.push(...simd(V.const), ...new Array(16).fill(0)); st(acc(r, h)); }
  // pa = a + i*K4 ; pb = b + j*4
  g(0); g(6); g(12); c.push(OP.mul, OP.add); st(9);
  g(1); g(7); i32(4); c.push(OP.mul, OP.add); st(10);
  i32(0); st(8);
  c.push(OP.block, 0x40, OP.loop, 0x40);
  g(8); g(5); c.push(OP.ge_s, OP.br_if, 1);
  g(10); c.push(...simd(V.load), ...memarg(0)); st(14);
  g(10); c.push(...simd(V.load), ...memarg(16)); st(15);
  for (let r = 0; r < 4; r++) {
    // x = splat(A[i + r, k]) at pa + r*K4
    g(9); if (r > 0) { g(12); if (r > 1) { i32(r); c.push(OP.mul); } c.push(OP.add); }
    c.push(OP.f32load, ...memarg(0), ...simd(V.splat));
    c.push(OP.tee, ...u(24)); // local 24: x (v128)
    for (let h = 0; h < 2; h++) {
      if (h === 1) g(24);
      g(14 + h); c.push(...simd(V.mul)); g(acc(r, h)); c.push(...simd(V.add)); st(acc(r, h));
    }
  }
  g(9); i32(4); c.push(OP.add); st(9);
  g(10); g(13); c.push(OP.add); st(10);
  g(8); i32(1); c.push(OP.add); st(8);
  c.push(OP.br, 0, OP.end, OP.end);
  // store: pc = c + (i*N + j)*4 ; row r at pc + r*N4
  g(2); g(6); g(13); c.push(OP.mul, OP.add); g(7); i32(4); c.push(OP.mul, OP.add); st(11);
  for (let r = 0; r < 4; r++) for (let h = 0; h < 2; h++) {
    g(11); if (r > 0) { g(13); if (r > 1) { i32(r); c.push(OP.mul); } c.push(OP.add); }
    g(acc(r, h)); c.push(...simd(V.store), ...memarg(16 * h));
  }
  g(7); i32(8); c.push(OP.add); st(7);
  c.push(OP.br, 0, OP.end, OP.end);
  g(6); i32(4); c.push(OP.add); st(6);
  c.push(OP.br, 0, OP.end, OP.end);
  c.push(OP.end);
  const locals = vec([[...u(8), 0x7f], [...u(11), 0x7b]]);
  return [...locals, ...c];
}

// The same kernel with double accumulators (lrlab's current rule: sum in double, round once on
// store): a 4×4 block of C in 8 f64x2 accumulators; B's 4-wide slice is widened to two f64x2, A's
// value to f64 before the broadcast; the store narrows and joins the halves.
const V64 = { splat: 0x14, add: 0xf0, mul: 0xf2, promote: 0x5f, demote: 0x5e, shuffle: 0x0d };
const HIGH_TO_LOW = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
const JOIN_LOW = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

function kernelBody64() {
  // params: 0 a, 1 b, 2 c, 3 M, 4 N, 5 K ; i32 locals: 6 i, 7 j, 8 k, 9 pa, 10 pb, 11 pc, 12 K4, 13 N4
  // v128 locals: 14 b0, 15 b1, 16..23 acc[r][h], 24 x
  const c = [];
  const g = (l) => c.push(OP.get, ...u(l));
  const st = (l) => c.push(OP.set, ...u(l));
  const i32 = (v) => c.push(OP.i32c, ...s(v));
  const acc = (r, h) => 16 + r * 2 + h;
  g(5); i32(4); c.push(OP.mul); st(12);
  g(4); i32(4); c.push(OP.mul); st(13);
  i32(0); st(6);
  c.push(OP.block, 0x40, OP.loop, 0x40);
  g(6); g(3); c.push(OP.ge_s, OP.br_if, 1);
  i32(0); st(7);
  c.push(OP.block, 0x40, OP.loop, 0x40);
  g(7); g(4); c.push(OP.ge_s, OP.br_if, 1);
  for (let r = 0; r < 4; r++) for (let h = 0; h < 2; h++) { c.push(...simd(V.const), ...new Array(16).fill(0)); st(acc(r, h)); }
  g(0); g(6); g(12); c.push(OP.mul, OP.add); st(9);
  g(1); g(7); i32(4); c.push(OP.mul, OP.add); st(10);
  i32(0); st(8);
  c.push(OP.block, 0x40, OP.loop, 0x40);
  g(8); g(5); c.push(OP.ge_s, OP.br_if, 1);
  g(10); c.push(...simd(V.load), ...memarg(0)); c.push(OP.tee, ...u(15));
  c.push(...simd(V64.promote)); st(14);
  g(15); g(15); c.push(...simd(V64.shuffle), ...HIGH_TO_LOW, ...simd(V64.promote)); st(15);
  for (let r = 0; r < 4; r++) {
    g(9); if (r > 0) { g(12); if (r > 1) { i32(r); c.push(OP.mul); } c.push(OP.add); }
    c.push(OP.f32load, ...memarg(0), 0xbb /* f64.promote_f32 */, ...simd(V64.splat));
    c.push(OP.tee, ...u(24));
    for (let h = 0; h < 2; h++) {
      if (h === 1) g(24);
      g(14 + h); c.push(...simd(V64.mul)); g(acc(r, h)); c.push(...simd(V64.add)); st(acc(r, h));
    }
  }
  g(9); i32(4); c.push(OP.add); st(9);
  g(10); g(13); c.push(OP.add); st(10);
  g(8); i32(1); c.push(OP.add); st(8);
  c.push(OP.br, 0, OP.end, OP.end);
  g(2); g(6); g(13); c.push(OP.mul, OP.add); g(7); i32(4); c.push(OP.mul, OP.add); st(11);
  for (let r = 0; r < 4; r++) {
    g(11); if (r > 0) { g(13); if (r > 1) { i32(r); c.push(OP.mul); } c.push(OP.add); }
    g(acc(r, 0)); c.push(...simd(V64.demote)); g(acc(r, 1)); c.push(...simd(V64.demote));
    c.push(...simd(V64.shuffle), ...JOIN_LOW, ...simd(V.store), ...memarg(0));
  }
  g(7); i32(4); c.push(OP.add); st(7);
  c.push(OP.br, 0, OP.end, OP.end);
  g(6); i32(4); c.push(OP.add); st(6);
  c.push(OP.br, 0, OP.end, OP.end);
  c.push(OP.end);
  const locals = vec([[...u(8), 0x7f], [...u(11), 0x7b]]);
  return [...locals, ...c];
}

function moduleBytes() {
  const I32 = 0x7f;
  const type = section(1, vec([[0x60, ...vec([I32, I32, I32, I32, I32, I32].map((t) => [t])), 0x00]]));
  const imp = section(2, vec([[...vec([..."env"].map((ch) => [ch.charCodeAt(0)])), ...vec([..."mem"].map((ch) => [ch.charCodeAt(0)])), 0x02, 0x00, 0x01]]));
  const name = (str) => vec([...str].map((ch) => [ch.charCodeAt(0)]));
  const func = section(3, vec([[0x00], [0x00]]));
  const exp = section(7, vec([[...name("gemm"), 0x00, 0x00], [...name("gemm64"), 0x00, 0x01]]));
  const body = kernelBody(), body64 = kernelBody64();
  const code = section(10, vec([[...u(body.length), ...body], [...u(body64.length), ...body64]]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imp, ...func, ...exp, ...code]);
}

/** A gemm(A, B, M, N, K) → Float32Array, copying operands into the module's memory.
 *  `double`: accumulate in f64 (then N % 4 = 0 suffices). */
function makeGemm(maxFloats = 1 << 22, double = false) {
  const mem = new WebAssembly.Memory({ initial: Math.ceil((maxFloats * 4) / 65536) });
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), { env: { mem } });
  const f32 = new Float32Array(mem.buffer);
  return function gemm(A, B, M, N, K) {
    if (M % 4 || N % (double ? 4 : 8)) throw new RangeError(`prototype needs M % 4 = 0 and N % ${double ? 4 : 8} = 0, got M=${M}, N=${N}`);
    const a = 0, b = M * K, c = b + K * N;
    if (c + M * N > f32.length) throw new RangeError("prototype memory too small");
    f32.set(A, a); f32.set(B, b);
    (double ? exports.gemm64 : exports.gemm)(a * 4, b * 4, c * 4, M, N, K);
    return f32.slice(c, c + M * N);
  };
}

module.exports = { makeGemm, moduleBytes };

if (require.main === module) {
  const M = 128, K = 784, N = 256;
  const A = new Float32Array(M * K).map(() => Math.random() - 0.5), B = new Float32Array(K * N).map(() => Math.random() - 0.5);
  for (const double of [false, true]) {
    const gemm = makeGemm(1 << 22, double);
    const C = gemm(A, B, M, N, K);
    let err = 0;
    for (let i = 0; i < M; i += 7) for (let j = 0; j < N; j += 5) {
      let ref = 0; for (let k = 0; k < K; k++) ref += A[i * K + k] * B[k * N + j];
      err = Math.max(err, Math.abs(C[i * N + j] - Math.fround(ref)));
    }
    let best = Infinity;
    for (let r = 0; r < 20; r++) { const t = performance.now(); gemm(A, B, M, N, K); best = Math.min(best, performance.now() - t); }
    console.log(`wasm simd ${double ? "4x4 f64 acc" : "4x8 f32 acc"}: ${best.toFixed(2)} ms for ${M}x${K}x${N} (${(M * N * K / best / 1e6).toFixed(2)} GMAC/s incl. copies), max |C - fround(double sum)| ${err.toExponential(2)}`);
  }
}
