// Generates kernel/src/random/wasm_bytes.ts: the WebAssembly SIMD modules of the random samplers
// (MT19937 bulk draws, the float conversions, the float32 Box-Muller block, the float32 uniform
// a + u·range), as base64. Run `node kernel/scripts/gen_random_wasm.cjs` after changing this file
// (test/random/fast_wasm.test.ts checks that the embedded bytes are current).
//
// Two modules: RANDOM_WASM (plain SIMD: draws and conversions) and RANDOM_WASM_FUSED (the same
// plus the kernels with fused multiply-adds, f32x4.relaxed_madd). relaxed_madd may or may not
// fuse (the relaxed-SIMD spec allows either); the loader (kernel/src/random/wasm_rng.ts) uses
// the fused kernels only after a probe showed a true FMA in every lane, because the results must
// equal PyTorch's (compiled with FMA contraction) bit for bit.
//
// Memory (owned, exported as "mem", fixed size), byte offsets:
//   0      the MT19937 state, 624 × u32 (the caller copies the generator's state in and out)
//   3072   the probe's operands a, b, c (f32x4 each) and its result
//   DATA   CHUNK elements of up to 8 bytes (CHUNK words, or CHUNK/2 doubles from CHUNK words)
//
// Exports:
//   twist()                           the MT19937 state regeneration, in place
//   fill(left, next, count) → packed  `count` tempered words into DATA, as `count` draws of
//                                     MT19937.nextUint32 from counters (left, next); returns
//                                     left·1024 + next after them (see mt19937.ts for the rules)
//   to_f32(count)                     DATA words → float32 uniforms (w & (2^24 − 1))·2^-24, in place
//   to_f64(count)                     DATA word pairs (high, low) → float64 uniforms
//                                     ((high·2^32 + low) & (2^53 − 1))·2^-53, in place
//   (fused module only)
//   normal_f32(blocks, mean, std)     the float32 Box-Muller block (avx_mathfun.ts) on DATA
//   uniform_f32(count, range, a)      DATA[i] = fma(DATA[i], range, a)
//   probe()                           [3120] = relaxed_madd([3072], [3088], [3104])
//
// Bit-identity: every step is one IEEE float32 operation (correctly rounded, as the JS code's
// Math.fround of a double result is for +, −, ·, √ of floats), a bit operation, an exact
// integer↔float conversion, or a fused multiply-add where the JS calls fmaf; in the same order
// as avx_mathfun.ts. Conversions of draws are exact (24- and 53-bit integers times powers of 2).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { I32, F32, V128, Fn, memarg, moduleBytes, base64Lines } = require("./wasm_encoding.cjs");

const CHUNK = 16384;
const DATA = 4096;
const PROBE = 3072;
const PAGES = Math.ceil((DATA + CHUNK * 4) / 65536);
const OUT = path.join(__dirname, "..", "src", "random", "wasm_bytes.ts");

// SIMD opcodes (prefix 0xfd).
const LOAD = 0x00, STORE = 0x0b, CONST = 0x0c, F32X4_SPLAT = 0x13;
const V_NOT = 0x4d, V_AND = 0x4e, V_OR = 0x50, V_XOR = 0x51, V_BITSELECT = 0x52;
const I32X4_EQ = 0x37, F32X4_LT = 0x43, F32X4_LE = 0x45;
const I32X4_NEG = 0xa1, I32X4_SHL = 0xab, I32X4_SHR_U = 0xad, I32X4_ADD = 0xae, I32X4_SUB = 0xb1;
const F32X4_ABS = 0xe0, F32X4_NEG = 0xe1, F32X4_SQRT = 0xe3, F32X4_ADD = 0xe4, F32X4_SUB = 0xe5, F32X4_MUL = 0xe6, F32X4_PMAX = 0xeb;
const I32X4_TRUNC_SAT_F32X4_S = 0xf8, F32X4_CONVERT_I32X4_S = 0xfa;
const F32X4_RELAXED_MADD = 0x105;
// Scalar opcodes.
const I32_LOAD = 0x28, I64_LOAD = 0x29, I32_STORE = 0x36, F64_STORE = 0x39;
const I32_EQZ = 0x45, I32_EQ = 0x46, I32_LT_U = 0x49, I32_GE_U = 0x4f;
const I32_ADD = 0x6a, I32_SUB = 0x6b, I32_MUL = 0x6c, I32_AND = 0x71, I32_OR = 0x72, I32_XOR = 0x73, I32_SHL = 0x74, I32_SHR_U = 0x76;
const I64_AND = 0x83, I64_ROTL = 0x89, F64_MUL = 0xa2, F64_CONVERT_I64_S = 0xb9, SELECT = 0x1b, CALL = 0x10;

const f32Bytes = (v) => { const b = Buffer.alloc(4); b.writeFloatLE(v); return [...b]; };
const i32Bytes = (v) => { const b = Buffer.alloc(4); b.writeInt32LE(v | 0); return [...b]; };
/** v128.const with the same float32 (or int32) in all four lanes. */
const constF = (f, v) => f.simd(CONST, ...[0, 1, 2, 3].flatMap(() => f32Bytes(v)));
const constI = (f, v) => f.simd(CONST, ...[0, 1, 2, 3].flatMap(() => i32Bytes(v)));

/** Signed LEB128 of a 64-bit integer (a bigint). */
function sleb64(n) {
  const o = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && !(b & 0x40)) || (n === -1n && b & 0x40)) { o.push(b); return o; }
    o.push(b | 0x80);
  }
}

const MATRIX_A = 0x9908b0df, UPPER = 0x80000000, LOWER = 0x7fffffff;

/** MT19937's twist (mt19937.ts), split into its three index ranges, four words a step where the
 *  in-place order allows (see the range comments). */
function twistFn() {
  const f = new Fn([]);
  f.local("k", I32); f.local("end", I32); f.local("t", I32); f.local("y", V128); f.local("s", I32);
  // vector step at byte offset k: s[k..k+3] = far ⊕ (y >> 1) ⊕ (−(y & 1) & MATRIX_A)
  const vstep = (farDelta) => {
    f.get("k").simd(LOAD, ...memarg(0, 0)).i32c(UPPER).simd(0x11).simd(V_AND); // i32x4.splat
    f.get("k").simd(LOAD, ...memarg(0, 4)).i32c(LOWER).simd(0x11).simd(V_AND).simd(V_OR).set("y");
    f.get("k");
    f.get("k").i32c(farDelta).op(I32_ADD).simd(LOAD, ...memarg(0, 0));
    f.get("y").i32c(1).simd(I32X4_SHR_U).simd(V_XOR);
    f.get("y").i32c(1).simd(0x11).simd(V_AND).simd(I32X4_NEG).i32c(MATRIX_A).simd(0x11).simd(V_AND).simd(V_XOR);
    f.simd(STORE, ...memarg(0, 0));
  };
  // scalar step for word index k (a constant): s[k] = s[far] ⊕ mix(s[k], s[nxt])
  const sstep = (k, nxt, far) => {
    f.i32c(4 * k).op(I32_LOAD, ...memarg(2, 0)).i32c(UPPER).op(I32_AND);
    f.i32c(4 * nxt).op(I32_LOAD, ...memarg(2, 0)).i32c(LOWER).op(I32_AND).op(I32_OR).set("s");
    f.i32c(4 * k);
    f.i32c(4 * far).op(I32_LOAD, ...memarg(2, 0));
    f.get("s").i32c(1).op(I32_SHR_U).op(I32_XOR);
    f.i32c(0).get("s").i32c(1).op(I32_AND).op(I32_SUB).i32c(MATRIX_A).op(I32_AND).op(I32_XOR);
    f.op(I32_STORE, ...memarg(2, 0));
  };
  // k ∈ [0, 224) by 4: s[k+397..k+400] not yet rewritten; s[k+1..k+4] loaded before the store
  f.i32c(224 * 4).set("end");
  f.forUp("k", "end", 16, () => vstep(397 * 4));
  for (let k = 224; k < 227; k++) sstep(k, k + 1, k + 397);
  // k ∈ [227, 623) by 4 (99 steps): s[k−227..k−224] already rewritten
  f.i32c(99 * 16).set("end");
  f.forUp("t", "end", 16, () => {
    f.get("t").i32c(227 * 4).op(I32_ADD).set("k");
    vstep(-227 * 4);
  });
  sstep(623, 0, 396);
  return f;
}

/** Tempering of a v128 (4 words) or i32 value on the stack, into local `y` (type per `vector`). */
function temper(f, vector) {
  const sh = vector ? (n, op) => f.i32c(n).simd(op) : (n, op) => f.i32c(n).op(op);
  const xor = vector ? () => f.simd(V_XOR) : () => f.op(I32_XOR);
  const and = vector ? (c) => f.i32c(c).simd(0x11).simd(V_AND) : (c) => f.i32c(c).op(I32_AND);
  f.set("y");
  f.get("y"); f.get("y"); sh(11, vector ? I32X4_SHR_U : I32_SHR_U); xor(); f.set("y");
  f.get("y"); f.get("y"); sh(7, vector ? I32X4_SHL : I32_SHL); and(0x9d2c5680); xor(); f.set("y");
  f.get("y"); f.get("y"); sh(15, vector ? I32X4_SHL : I32_SHL); and(0xefc60000); xor(); f.set("y");
  f.get("y"); f.get("y"); sh(18, vector ? I32X4_SHR_U : I32_SHR_U); xor(); f.set("y");
}

/** fill(left, next, count) → left·1024 + next (see the file comment). */
function fillFn(twistIndex) {
  const f = new Fn([["left", I32], ["next", I32], ["count", I32]]);
  f.local("i", I32); f.local("run", I32); f.local("a", I32); f.local("b", I32); f.local("yi", I32);
  f.local("y", V128);
  f.i32c(0).set("i");
  f.op(0x02, 0x40, 0x03, 0x40); // block $done, loop $outer
  f.get("i").get("count").op(I32_GE_U, 0x0d, 1); // br_if $done
  // a draw with left = 1 twists first; then it is as if left = 625, next = 0
  f.get("left").i32c(1).op(I32_EQ, 0x04, 0x40); // if
  f.op(CALL, twistIndex).i32c(625).set("left").i32c(0).set("next");
  f.op(0x0b);
  // run = min(left − 1, count − i)
  f.get("left").i32c(1).op(I32_SUB).set("a");
  f.get("count").get("i").op(I32_SUB).set("b");
  f.get("a").get("b").get("a").get("b").op(I32_LT_U, SELECT).set("run");
  f.get("left").get("run").op(I32_SUB).set("left");
  // four words a step
  f.op(0x02, 0x40, 0x03, 0x40);
  f.get("run").i32c(4).op(I32_LT_U, 0x0d, 1);
  f.get("i").i32c(2).op(I32_SHL);
  f.get("next").i32c(2).op(I32_SHL).simd(LOAD, ...memarg(0, 0));
  temper(f, true);
  f.get("y").simd(STORE, ...memarg(0, DATA));
  f.get("next").i32c(4).op(I32_ADD).set("next");
  f.get("i").i32c(4).op(I32_ADD).set("i");
  f.get("run").i32c(4).op(I32_SUB).set("run");
  f.op(0x0c, 0, 0x0b, 0x0b);
  // the rest one at a time
  f.op(0x02, 0x40, 0x03, 0x40);
  f.get("run").op(I32_EQZ, 0x0d, 1);
  f.get("i").i32c(2).op(I32_SHL);
  f.get("next").i32c(2).op(I32_SHL).op(I32_LOAD, ...memarg(2, 0));
  { // scalar temper into yi
    const g = f;
    g.set("yi");
    g.get("yi").get("yi").i32c(11).op(I32_SHR_U).op(I32_XOR).set("yi");
    g.get("yi").get("yi").i32c(7).op(I32_SHL).i32c(0x9d2c5680).op(I32_AND).op(I32_XOR).set("yi");
    g.get("yi").get("yi").i32c(15).op(I32_SHL).i32c(0xefc60000).op(I32_AND).op(I32_XOR).set("yi");
    g.get("yi").get("yi").i32c(18).op(I32_SHR_U).op(I32_XOR).set("yi");
  }
  f.get("yi").op(I32_STORE, ...memarg(2, DATA));
  f.get("next").i32c(1).op(I32_ADD).set("next");
  f.get("i").i32c(1).op(I32_ADD).set("i");
  f.get("run").i32c(1).op(I32_SUB).set("run");
  f.op(0x0c, 0, 0x0b, 0x0b);
  f.op(0x0c, 0, 0x0b, 0x0b); // br $outer; end loop; end block
  f.get("left").i32c(1024).op(I32_MUL).get("next").op(I32_ADD);
  return f;
}

/** to_f32(count): words → (w & 0xffffff)·2^-24 in place, whole vectors. */
function toF32Fn() {
  const f = new Fn([["count", I32]]);
  f.local("i", I32); f.local("end", I32);
  f.get("count").i32c(4).op(I32_MUL).set("end");
  f.forUp("i", "end", 16, () => {
    f.get("i");
    f.get("i").simd(LOAD, ...memarg(0, DATA));
    constI(f, 0xffffff).simd(V_AND).simd(F32X4_CONVERT_I32X4_S);
    constF(f, 2 ** -24).simd(F32X4_MUL);
    f.simd(STORE, ...memarg(0, DATA));
  });
  return f;
}

/** to_f64(count): word pairs → doubles in place (i64.load gives low | high << 32: rotate). */
function toF64Fn() {
  const f = new Fn([["count", I32]]);
  f.local("i", I32); f.local("end", I32);
  f.get("count").i32c(8).op(I32_MUL).set("end");
  f.forUp("i", "end", 8, () => {
    f.get("i");
    f.get("i").op(I64_LOAD, ...memarg(3, DATA)).op(0x42, 32).op(I64_ROTL);
    f.op(0x42, ...sleb64(2n ** 53n - 1n)).op(I64_AND).op(F64_CONVERT_I64_S);
    f.op(0x44, ...[...Buffer.from(new Float64Array([2 ** -53]).buffer)]).op(F64_MUL);
    f.op(F64_STORE, ...memarg(3, DATA));
  });
  return f;
}

// avx_mathfun.ts constants (float32).
const fr = Math.fround;
const LOG_P = [
  7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(fr);
const C = {
  MIN_NORM_POS: 1.1754943508222875e-38, SQRTHF: fr(0.707106781186547524), LOG_Q1: fr(-2.12194440e-4), LOG_Q2: fr(0.693359375),
  FOPI: fr(1.27323954473516), DP1: fr(-0.78515625), DP2: fr(-2.4187564849853515625e-4), DP3: fr(-3.77489497744594108e-8),
  SIN: [fr(-1.9515295891e-4), fr(8.3321608736e-3), fr(-1.6666654611e-1)],
  COS: [fr(2.443315711809948e-5), fr(-1.388731625493765e-3), fr(4.166664568298827e-2)],
  TWO_PI: fr(2 * Math.PI),
};

/**
 * normal_f32(blocks, mean, std): for each block of 16 at DATA + 64·b, two halves h (lanes j = 4h..4h+3):
 * u1 = 1 − d[j], u2 = d[j+8]; d[j] = fma(√(−2·log u1)·cos θ, std, mean), d[j+8] = … sin θ, θ = 2π·u2;
 * log, sin, cos as avx_mathfun.ts computes them (step for step; comments name its variables).
 */
function normalFn() {
  const f = new Fn([["blocks", I32], ["mean", F32], ["std", F32]]);
  f.local("p", I32); f.local("end", I32);
  const vs = ["MEAN", "STD", "U1", "U2", "X", "E", "M", "MASK", "Z", "Y", "EQ1", "R", "T", "AX", "SGN", "J", "YJ", "FS", "PM", "FC", "H", "YC", "YS", "S", "CS"];
  for (const v of vs) f.local(v, V128);
  const madd = () => f.simd(F32X4_RELAXED_MADD);
  const g = (v) => f.get(v);
  const k = (v) => constF(f, v);
  f.get("mean").simd(F32X4_SPLAT).set("MEAN");
  f.get("std").simd(F32X4_SPLAT).set("STD");
  f.get("blocks").i32c(64).op(I32_MUL).set("end");
  f.forUp("p", "end", 64, () => {
    for (const h of [0, 1]) {
      const lo = DATA + 16 * h, hi = DATA + 32 + 16 * h;
      k(1); f.get("p").simd(LOAD, ...memarg(0, lo)).simd(F32X4_SUB).set("U1");
      f.get("p").simd(LOAD, ...memarg(0, hi)).set("U2");
      // ---- log(u1) (logf_avx) ----
      k(C.MIN_NORM_POS); g("U1").simd(F32X4_PMAX).set("X"); // x0 > MIN_NORM_POS ? x0 : MIN_NORM_POS
      g("X").i32c(23).simd(I32X4_SHR_U); constI(f, 127).simd(I32X4_SUB).simd(F32X4_CONVERT_I32X4_S); k(1).simd(F32X4_ADD).set("E");
      g("X"); constI(f, ~0x7f800000).simd(V_AND); constI(f, 0x3f000000).simd(V_OR).set("M");
      g("M"); k(C.SQRTHF).simd(F32X4_LT).set("MASK");
      g("M"); k(1).simd(F32X4_SUB); g("MASK").get("M").simd(V_AND).simd(F32X4_ADD).set("X"); // x = (m − 1) + (mask & m)
      g("E"); g("MASK"); k(1).simd(V_AND).simd(F32X4_SUB).set("E"); // e −= mask & 1
      g("X").get("X").simd(F32X4_MUL).set("Z");
      k(LOG_P[0]); g("X"); k(LOG_P[1]); madd(); f.set("Y");
      for (let i = 2; i < 9; i++) { g("Y").get("X"); k(LOG_P[i]); madd(); f.set("Y"); }
      g("E"); k(C.LOG_Q1).simd(F32X4_MUL).set("EQ1");
      g("X").get("Y").simd(F32X4_MUL).set("Y");
      g("Y").get("Z").get("EQ1"); madd(); f.set("Y");
      g("Z").simd(F32X4_NEG); k(0.5); g("Y"); madd(); f.set("Y");
      g("X").get("Y").simd(F32X4_ADD).set("X");
      g("E"); k(C.LOG_Q2); g("X"); madd();
      // x0 ≤ 0 would give NaN (the kernel ORs all ones in); never true here (u1 ∈ (0, 1]) but kept
      g("U1"); k(0).simd(F32X4_LE).simd(V_OR);
      // radius = √(−2·log u1), θ = 2π·u2
      k(-2).simd(F32X4_MUL).simd(F32X4_SQRT).set("R");
      k(C.TWO_PI); g("U2").simd(F32X4_MUL).set("T");
      // ---- sin and cos of θ (sincosf_avx) ----
      g("T").simd(F32X4_ABS).set("AX");
      g("T"); constI(f, 0x80000000).simd(V_AND).set("SGN");
      g("AX"); k(C.FOPI).simd(F32X4_MUL).simd(I32X4_TRUNC_SAT_F32X4_S);
      constI(f, 1).simd(I32X4_ADD); constI(f, ~1).simd(V_AND).set("J");
      g("J").simd(F32X4_CONVERT_I32X4_S).set("YJ");
      g("J"); constI(f, 4).simd(V_AND).i32c(29).simd(I32X4_SHL); g("SGN").simd(V_XOR).set("FS"); // sign flip of sin
      g("J"); constI(f, 2).simd(V_AND); constI(f, 0).simd(I32X4_EQ).set("PM"); // polynomial mask
      g("J"); constI(f, 2).simd(I32X4_SUB).simd(V_NOT); constI(f, 4).simd(V_AND).i32c(29).simd(I32X4_SHL).set("FC"); // sign flip of cos
      g("YJ"); k(C.DP1); g("AX"); madd(); f.set("X");
      k(C.DP2); g("YJ").get("X"); madd(); f.set("X");
      g("YJ"); k(C.DP3); g("X"); madd(); f.set("X");
      g("X").get("X").simd(F32X4_MUL).set("Z");
      g("Z"); k(0.5).simd(F32X4_MUL).set("H");
      k(C.COS[0]); g("Z"); k(C.COS[1]); madd(); f.set("YC");
      g("YC").get("Z"); k(C.COS[2]); madd(); f.set("YC");
      g("Z").get("YC").simd(F32X4_MUL).set("YC");
      g("Z").get("YC").get("H").simd(F32X4_NEG); madd(); f.set("YC");
      g("YC"); k(1).simd(F32X4_ADD).set("YC");
      k(C.SIN[0]); g("Z"); k(C.SIN[1]); madd(); f.set("YS");
      g("YS").get("Z"); k(C.SIN[2]); madd(); f.set("YS");
      g("Z").get("YS").simd(F32X4_MUL).set("YS");
      g("X").get("YS").get("X"); madd(); f.set("YS");
      g("YS").get("YC").get("PM").simd(V_BITSELECT).get("FS").simd(V_XOR).set("S"); // sin
      g("YC").get("YS").get("PM").simd(V_BITSELECT).get("FC").simd(V_XOR).set("CS"); // cos
      // ---- outputs: fma(radius·cos θ, std, mean), fma(radius·sin θ, std, mean) ----
      f.get("p"); g("R").get("CS").simd(F32X4_MUL).get("STD").get("MEAN"); madd(); f.simd(STORE, ...memarg(0, lo));
      f.get("p"); g("R").get("S").simd(F32X4_MUL).get("STD").get("MEAN"); madd(); f.simd(STORE, ...memarg(0, hi));
    }
  });
  return f;
}

/** uniform_f32(count, range, a): DATA[i] = fma(DATA[i], range, a), whole vectors. */
function uniformFn() {
  const f = new Fn([["count", I32], ["range", F32], ["a", F32]]);
  f.local("i", I32); f.local("end", I32); f.local("R", V128); f.local("A", V128);
  f.get("range").simd(F32X4_SPLAT).set("R");
  f.get("a").simd(F32X4_SPLAT).set("A");
  f.get("count").i32c(4).op(I32_MUL).set("end");
  f.forUp("i", "end", 16, () => {
    f.get("i");
    f.get("i").simd(LOAD, ...memarg(0, DATA)).get("R").get("A").simd(F32X4_RELAXED_MADD);
    f.simd(STORE, ...memarg(0, DATA));
  });
  return f;
}

/** probe(): [PROBE + 48] = relaxed_madd([PROBE], [PROBE + 16], [PROBE + 32]). */
function probeFn() {
  const f = new Fn([]);
  f.i32c(0);
  f.i32c(0).simd(LOAD, ...memarg(0, PROBE));
  f.i32c(0).simd(LOAD, ...memarg(0, PROBE + 16));
  f.i32c(0).simd(LOAD, ...memarg(0, PROBE + 32));
  f.simd(F32X4_RELAXED_MADD).simd(STORE, ...memarg(0, PROBE + 48));
  return f;
}

function bytes(fused) {
  const fns = [
    { name: "twist", type: 0, body: twistFn().bytes() },
    { name: "fill", type: 1, body: fillFn(0).bytes() },
    { name: "to_f32", type: 2, body: toF32Fn().bytes() },
    { name: "to_f64", type: 2, body: toF64Fn().bytes() },
  ];
  if (fused) {
    fns.push({ name: "normal_f32", type: 3, body: normalFn().bytes() });
    fns.push({ name: "uniform_f32", type: 3, body: uniformFn().bytes() });
    fns.push({ name: "probe", type: 0, body: probeFn().bytes() });
  }
  return moduleBytes({
    types: [[[], []], [[I32, I32, I32], [I32]], [[I32], []], [[I32, F32, F32], []]],
    memoryPages: PAGES,
    functions: fns,
  });
}

function source() {
  return [
    "// Generated by kernel/scripts/gen_random_wasm.cjs: do not edit. The WebAssembly SIMD modules of",
    "// the random samplers (see that script for their exports and memory layout), base64-encoded.",
    "/** Elements per call (words, or float32 values; float64 values: half as many). */",
    `export const RANDOM_CHUNK = ${CHUNK};`,
    "/** Byte offsets in the module's memory: the MT19937 state, the probe's operands, the data. */",
    `export const RANDOM_STATE = 0;`,
    `export const RANDOM_PROBE = ${PROBE};`,
    `export const RANDOM_DATA = ${DATA};`,
    "/** Draws and conversions (plain SIMD). */",
    "export const RANDOM_WASM_BASE64 =",
    `${base64Lines(bytes(false))};`,
    "/** The same plus the kernels with fused multiply-adds (relaxed SIMD). */",
    "export const RANDOM_WASM_FUSED_BASE64 =",
    `${base64Lines(bytes(true))};`,
    "",
  ].join("\n");
}

if (require.main === module) {
  fs.writeFileSync(OUT, source());
  console.log(`wrote ${OUT} (${bytes(false).length} + ${bytes(true).length} bytes of wasm)`);
}

module.exports = { CHUNK, DATA, PROBE, bytes, source, OUT };
