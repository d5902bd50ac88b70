// Generates kernel/src/optim/wasm/optim_bytes.ts: the WebAssembly SIMD module of the optimizer
// update loops (SGD, Adam/AdamW, RMSprop, Adagrad), as base64. Run
// `node kernel/scripts/gen_optim_wasm.cjs` after changing this file
// (test/optim/wasm_update.test.ts checks that the embedded bytes are current).
//
// The module owns its memory (exported as "mem", fixed size): seven regions of CHUNK elements of
// up to 8 bytes, at byte offsets r·CHUNK·8: 0 θ, 1 ∇, 2 momentum buffer / exp_avg, 3 exp_avg_sq,
// 4 max_exp_avg_sq, 5 and 6 scratch (RMSprop, Adagrad: see their exports). The caller
// (kernel/src/optim/wasm/update.ts) copies a chunk of each array in, calls one export, and copies
// θ and the state back. Exports, for T in {f32, f64}:
//
//   sgd_T_<path>(n, neg, negLr, wd, mom, keep)       path = 4·kind + 2·keep1 + wd,
//       kind 0 plain, 1 momentum, 2 nesterov (see sgd.ts for the update of each); keep1: the
//       dampening factor keep = 1 − τ is exactly 1 (kind > 0); wd: weight decay ≠ 0
//   adam_T_<path>(n, neg, decay, wd, coef, beta2, oneMinusBeta2, negStepSize, bc2Sqrt, eps)
//       path = 4·mode + 2·lerpFromM + amsgrad, mode 0 no weight decay, 1 decoupled (AdamW,
//       θ·decay), 2 L2 (g + wd·θ); lerpFromM: ATen's `m + w·(g − m)` form of lerp (coef = w),
//       else `g + (w − 1)·(g − m)` (coef = w − 1)
//   rmsprop_T_<path>(n, neg, wd, alpha, oneMinusAlpha, coef, mom, negLr, eps)
//       path = 8·momentum + 4·centered + 2·lerpFromAvg + wd; regions 2 square_avg,
//       3 momentum_buffer, 4 grad_avg; lerpFromAvg and coef as adam's lerp (grad_avg.lerp_(g, 1 − α))
//   adagrad_T_<path>(n, neg, wd, negClr, eps)      path = wd; region 2 sum
//
// n: the number of elements (the loops run over whole vectors: lanes past n compute on whatever
// the regions hold and are not copied back). neg = 1 negates ∇ (maximize) by flipping its sign
// bit (as JS's unary minus does). The f64 scalars hold the float32-rounded values for T = f32,
// as the JS loops use them.
//
// Bit-identity with the JS loops (sgd.ts, adam.ts, rmsprop.ts, adagrad.ts): IEEE add, sub, mul, div and sqrt of float32
// operands are correctly rounded in f32x4, which equals JS computing them in double and rounding
// once with Math.fround (double has more than 2·24 + 2 significand bits). The steps the JS loops
// compute as `fr(a + c·b)` in double (ATen's fused add-with-alpha, lerp, addcmul) are done the same
// way here: both halves of the f32x4 promoted to f64x2, c·b (exact) and the addition in double,
// then demoted. No fused multiply-add anywhere (relaxed SIMD would change results).
//
// NaN bits: when both operands of an operation are NaNs, x64 returns the first one's payload and
// sign. V8's JS code (interpreter and optimizing tiers alike, measured on Node 20 x64) evaluates
// `a + b` and `a * b` with the operands commuted, `a − b` and `a / b` in order, so the kernels
// emit add and mul as `b + a`, `b · a` (numerically the same): the stored NaNs then match too.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { I32, F64, V128, Fn, memarg, moduleBytes, base64Lines } = require("./wasm_encoding.cjs");

/** Elements per region. 8192: the regions (≤ 448 KiB) stay in the L2 cache between the
 *  copy-in, the update and the copy-out (see /work/notes/optim_wasm.md for the measurements). */
const CHUNK = 8192;
const PAGES = Math.ceil((7 * CHUNK * 8) / 65536);
const OUT = path.join(__dirname, "..", "src", "optim", "wasm", "optim_bytes.ts");

// SIMD opcodes (prefix 0xfd).
const LOAD = 0x00, STORE = 0x0b, SHUFFLE = 0x0d, I32X4_SPLAT = 0x11, I64X2_SPLAT = 0x12, F32X4_SPLAT = 0x13, F64X2_SPLAT = 0x14;
const V_OR = 0x50, V_XOR = 0x51, V_BITSELECT = 0x52, STORE64_LANE = 0x5b, LOAD64_ZERO = 0x5d, DEMOTE = 0x5e, PROMOTE = 0x5f;
const OPS = {
  f32: { gt: 0x44, ne: 0x42, sqrt: 0xe3, add: 0xe4, sub: 0xe5, mul: 0xe6, div: 0xe7, esz: 4 },
  f64: { gt: 0x4a, ne: 0x48, sqrt: 0xef, add: 0xf0, sub: 0xf1, mul: 0xf2, div: 0xf3, esz: 8 },
};
const F64_ADD = OPS.f64.add, F64_MUL = OPS.f64.mul;
const range = (a, b) => Array.from({ length: b - a }, (_, k) => a + k);
const HIGH_TO_LOW = [...range(8, 16), ...range(8, 16)]; // i8x16.shuffle(x, x): lanes 2, 3 → 0, 1
const JOIN_LOW = [...range(0, 8), ...range(16, 24)]; // i8x16.shuffle(a, b): (a0, a1, b0, b1)

/*
 * Float32 "a + c·b" steps cost conversions: each f64x2.promote/f32x4.demote is a shuffle-port
 * micro-op on x64, and that port bounds these loops. So operands are taken in the cheapest form
 * available: a value in memory is read as two halves with v128.load64_zero (one conversion each),
 * a register value needs a shuffle for its upper half (three micro-ops for both halves); and a
 * result only stored is written as two halves (v128.store64_lane) instead of being joined. Vector
 * values needed in f64 are therefore stored to a scratch region first (stores are cheap, and the
 * halves are read back by store-to-load forwarding).
 *
 * Operand specs for `fma`: { r: local } an f32x4/f64x2 local, { m: region } the current vector
 * of a region, { s: local } an f64x2 splat of a scalar (only for c). Output spec: { r: local }
 * or { m: region }.
 */
const R = (r) => ({ r }), M = (m) => ({ m }), S = (s) => ({ s });

/** Emitters shared by the kernels of one element type, over a function `f` with i32 local `i`. */
function kernelOps(f, t) {
  const O = OPS[t];
  const at = (region, half = 0) => region * CHUNK * 8 + half * 8;
  /** Pushes half h (0: low lanes, 1: high) of operand x of a float32 kernel as f64x2, exactly. */
  const half = (x, h) => {
    if (x.s !== undefined) { f.get(x.s); return; }
    if (x.m !== undefined) f.get("i").simd(LOAD64_ZERO, ...memarg(3, at(x.m, h)));
    else { f.get(x.r); if (h) f.get(x.r).simd(SHUFFLE, ...HIGH_TO_LOW); }
    f.simd(PROMOTE);
  };
  /**
   * Pushes half h of b·c in f64x2. A square of one region (b = c = { m }) is read and promoted
   * once and multiplied by itself through the local "SQ" (declared by kernels that square).
   */
  const squareOrProduct = (b, c, h) => {
    half(b, h);
    if (b.m !== undefined && b.m === c.m) f.tee("SQ").get("SQ");
    else half(c, h);
    f.simd(F64_MUL);
  };
  const e = {
    load(region, dst) { f.get("i").simd(LOAD, ...memarg(4, at(region))).set(dst); },
    store(region, src) { f.get("i").get(src).simd(STORE, ...memarg(4, at(region))); },
    /** dst = a OP b (element type T); add and mul with their operands swapped (see above). */
    bin(op, dst, a, b) {
      if (op === "add" || op === "mul") f.get(b).get(a);
      else f.get(a).get(b);
      f.simd(O[op]).set(dst);
    },
    /** dst = op(a) */
    un(op, dst, a) { f.get(a).simd(O[op]).set(dst); },
    /**
     * out = a + c·b as the JS loops compute it: in double, rounded once to T (operand specs
     * above). For f32 each half of the vectors is promoted to f64x2 (exactly), then demoted.
     * Emitted as (b·c) + a: operands swapped as in `bin`.
     */
    fma(out, a, c, b) {
      if (t === "f64") {
        if (out.m !== undefined) f.get("i");
        for (const [x, k] of [[b, 0], [c, 1], [a, 2]]) {
          if (x.m !== undefined) f.get("i").simd(LOAD, ...memarg(4, at(x.m)));
          else f.get(x.r ?? x.s);
          if (k === 1) f.simd(F64_MUL);
          if (k === 2) f.simd(F64_ADD);
        }
        if (out.m !== undefined) f.simd(STORE, ...memarg(4, at(out.m)));
        else f.set(out.r);
        return;
      }
      for (const h of [0, 1]) {
        if (out.m !== undefined) f.get("i");
        squareOrProduct(b, c, h);
        half(a, h);
        f.simd(F64_ADD).simd(DEMOTE);
        if (out.m !== undefined) f.simd(STORE64_LANE, ...memarg(3, at(out.m, h)), 0);
      }
      if (out.r !== undefined) f.simd(SHUFFLE, ...JOIN_LOW).set(out.r);
    },
    /**
     * out = a − c·b as the JS loops compute `a − b·c`: in double, rounded once to T (specs as for
     * `fma`). Emitted as a − (b·c): subtraction keeps JS's operand order, the product is swapped.
     */
    fms(out, a, c, b) {
      const F64_SUB = OPS.f64.sub;
      if (t === "f64") {
        if (out.m !== undefined) f.get("i");
        for (const [x, k] of [[a, 0], [b, 1], [c, 2]]) {
          if (x.m !== undefined) f.get("i").simd(LOAD, ...memarg(4, at(x.m)));
          else f.get(x.r ?? x.s);
          if (k === 2) f.simd(F64_MUL).simd(F64_SUB);
        }
        if (out.m !== undefined) f.simd(STORE, ...memarg(4, at(out.m)));
        else f.set(out.r);
        return;
      }
      for (const h of [0, 1]) {
        if (out.m !== undefined) f.get("i");
        half(a, h);
        squareOrProduct(b, c, h);
        f.simd(F64_SUB).simd(DEMOTE);
        if (out.m !== undefined) f.simd(STORE64_LANE, ...memarg(3, at(out.m, h)), 0);
      }
      if (out.r !== undefined) f.simd(SHUFFLE, ...JOIN_LOW).set(out.r);
    },
  };
  return e;
}

/** Declares the loop locals and the prologue: end = n·esz rounded up to whole vectors. */
function prologue(f, t) {
  f.get("n").i32c(OPS[t].esz).op(0x6c).i32c(15).op(0x6a).i32c(-16).op(0x71).set("end"); // (n·esz + 15) & −16
}

/** A splat of an f64 parameter: as f64x2 (for the double steps) and, for f32, as f32x4. */
function splat64(f, dst, param) { f.get(param).simd(F64X2_SPLAT).set(dst); }
function splatT(f, t, dst, param) {
  if (t === "f64") splat64(f, dst, param);
  else f.get(param).op(0xb6).simd(F32X4_SPLAT).set(dst); // f32.demote_f64 (exact: already a float32)
}
/** The sign-bit mask that negates ∇ when `neg` is 1 (v128.xor), all zeros otherwise. */
function negMask(f, t, dst) {
  if (t === "f32") f.get("neg").i32c(31).op(0x74).simd(I32X4_SPLAT).set(dst); // i32.shl; i32x4.splat
  else f.get("neg").op(0xad).op(0x42, 63).op(0x86).simd(I64X2_SPLAT).set(dst); // i64.extend_i32_u; i64.shl 63
}

/** g = ∇ with its sign flipped when neg (maximize), kept in G and written back to region 1. */
function loadGrad(f, e) {
  e.load(1, "G");
  f.get("G").get("NEG").simd(V_XOR).set("G");
  e.store(1, "G");
}

/**
 * SGD, one option path (see sgd.ts sgdUpdate32/64 for the JS it reproduces):
 *   g = ∇ (negated if neg);  g = g + λθ (wd);  v = fr(b·μ) + (1 − τ)·g, b ← v (momentum);
 *   d = g (plain) | v (momentum) | g + μ·v (nesterov);  θ ← θ + (−γ)·d
 * keep1: 1 − τ = 1, where fr(fr(b·μ) + 1·g) is one correctly rounded T addition (a float32 sum
 * rounded in double, then to float32, is the float32 sum: double has over 2·24 + 2 bits).
 */
function sgdKernel(t, kind, keep1, wd) {
  const f = new Fn([["n", I32], ["neg", I32], ["negLr", F64], ["wd", F64], ["mom", F64], ["keep", F64]]);
  f.local("i", I32); f.local("end", I32);
  for (const v of ["NEG", "NEGLR", "WD", "MOM", "MOMT", "KEEP", "G", "B", "V"]) f.local(v, V128);
  prologue(f, t);
  negMask(f, t, "NEG");
  splat64(f, "NEGLR", "negLr"); splat64(f, "WD", "wd"); splat64(f, "MOM", "mom"); splat64(f, "KEEP", "keep");
  splatT(f, t, "MOMT", "mom");
  const e = kernelOps(f, t);
  f.forUp("i", "end", 16, () => {
    loadGrad(f, e);
    if (wd) { e.fma(R("G"), M(1), S("WD"), M(0)); e.store(1, "G"); }
    let d = M(1);
    if (kind > 0) {
      e.load(2, "B");
      e.bin("mul", "B", "B", "MOMT"); // fr(b·μ)
      if (keep1) e.bin("add", "V", "B", "G");
      else { e.store(2, "B"); e.fma(R("V"), M(2), S("KEEP"), M(1)); }
      e.store(2, "V");
      d = M(2);
      if (kind === 2) { e.fma(M(5), M(1), S("MOM"), M(2)); d = M(5); }
    }
    e.fma(M(0), M(0), S("NEGLR"), d);
  });
  return f;
}

/**
 * Adam/AdamW, one option path (see adam.ts adamUpdate32/64):
 *   g = ∇ (negated if neg);  θ = fr(θ·(1 − γλ)) (decoupled)  or  g = g + λθ (L2)
 *   d = fr(g − m);  m ← base + coef·d  (lerpFromM: base = m, coef = w; else base = g, coef = w − 1)
 *   v ← fr(v·β2) + fr((1 − β2)·g)·g;  v̂ ← max(v̂, v), NaN propagating (amsgrad; v̂ used below)
 *   θ ← θ + fr(fr(−step·m) / fr(fr(fr(√v)/√bc2) + ε))
 */
function adamKernel(t, mode, lerpFromM, amsgrad) {
  const f = new Fn([
    ["n", I32], ["neg", I32], ["decay", F64], ["wd", F64], ["coef", F64], ["beta2", F64],
    ["omb2", F64], ["negStep", F64], ["bc2Sqrt", F64], ["eps", F64],
  ]);
  f.local("i", I32); f.local("end", I32);
  const vs = ["NEG", "DECAY", "WD", "COEF", "BETA2", "OMB2", "NEGSTEP", "BC2", "EPS", "T", "G", "M", "D", "X", "Y", "V", "VM", "U"];
  for (const v of vs) f.local(v, V128);
  prologue(f, t);
  negMask(f, t, "NEG");
  splatT(f, t, "DECAY", "decay"); splat64(f, "WD", "wd"); splat64(f, "COEF", "coef");
  splatT(f, t, "BETA2", "beta2"); splatT(f, t, "OMB2", "omb2"); splatT(f, t, "NEGSTEP", "negStep");
  splatT(f, t, "BC2", "bc2Sqrt"); splatT(f, t, "EPS", "eps");
  const e = kernelOps(f, t);
  f.forUp("i", "end", 16, () => {
    loadGrad(f, e);
    e.load(0, "T");
    if (mode === 1) e.bin("mul", "T", "T", "DECAY");
    if (mode === 2) { e.fma(R("G"), M(1), S("WD"), M(0)); e.store(1, "G"); }
    e.load(2, "M");
    e.bin("sub", "D", "G", "M");
    e.store(5, "D");
    e.fma(R("M"), M(lerpFromM ? 2 : 1), S("COEF"), M(5));
    e.store(2, "M");
    e.load(3, "V");
    e.bin("mul", "X", "V", "BETA2");
    e.bin("mul", "Y", "OMB2", "G");
    e.store(5, "X");
    e.store(6, "Y");
    e.fma(R("V"), M(5), M(6), M(1));
    e.store(3, "V");
    if (amsgrad) {
      e.load(4, "VM");
      // v > v̂ or v is NaN: take v (JS: `if (vi > vMax[i] || vi !== vi)`), else v̂.
      f.get("V").get("VM").get("V").get("VM").simd(OPS[t].gt).get("V").get("V").simd(OPS[t].ne).simd(V_OR).simd(V_BITSELECT).set("V");
      e.store(4, "V");
    }
    e.bin("mul", "U", "NEGSTEP", "M");
    e.un("sqrt", "X", "V");
    e.bin("div", "X", "X", "BC2");
    e.bin("add", "X", "X", "EPS");
    e.bin("div", "U", "U", "X");
    e.bin("add", "T", "T", "U");
    e.store(0, "T");
  });
  return f;
}

/**
 * RMSprop, one option path (see rmsprop.ts rmspropUpdate32/64). Regions: 2 square_avg,
 * 3 momentum_buffer, 4 grad_avg.
 *   g = ∇ (negated if neg);  g = g + λθ (wd)
 *   v ← fr(v·α) + fr((1 − α)·g)·g
 *   d = fr(g − ḡ);  ḡ ← base + coef·d;  a = fr(√(v − ḡ·ḡ))   (centered; lerpFromAvg: base = ḡ,
 *       coef = w, else base = g, coef = w − 1);  a = fr(√v) otherwise;  a = fr(a + ε)
 *   b ← fr(b·μ) + fr(g / a);  θ ← θ + (−γ)·b   (momentum)   |   θ ← θ + fr(fr(−γ·g) / a)
 */
function rmspropKernel(t, momentum, centered, lerpFromAvg, wd) {
  const f = new Fn([
    ["n", I32], ["neg", I32], ["wd", F64], ["alpha", F64], ["oma", F64], ["coef", F64],
    ["mom", F64], ["negLr", F64], ["eps", F64],
  ]);
  f.local("i", I32); f.local("end", I32);
  const vs = ["NEG", "WD", "ALPHA", "OMA", "COEF", "MOMT", "NEGLR", "NEGLRT", "EPS", "T", "G", "X", "Y", "V", "D", "A", "B", "Q", "SQ"];
  for (const v of vs) f.local(v, V128);
  prologue(f, t);
  negMask(f, t, "NEG");
  splat64(f, "WD", "wd"); splatT(f, t, "ALPHA", "alpha"); splatT(f, t, "OMA", "oma"); splat64(f, "COEF", "coef");
  splatT(f, t, "MOMT", "mom"); splat64(f, "NEGLR", "negLr"); splatT(f, t, "NEGLRT", "negLr"); splatT(f, t, "EPS", "eps");
  const e = kernelOps(f, t);
  // Results needed later as vectors are joined in registers: storing halves and reading the
  // vector back defeats store-to-load forwarding (measured 2x slower).
  f.forUp("i", "end", 16, () => {
    loadGrad(f, e);
    if (wd) { e.fma(R("G"), M(1), S("WD"), M(0)); e.store(1, "G"); }
    e.load(2, "V");
    e.bin("mul", "X", "V", "ALPHA");
    e.bin("mul", "Y", "OMA", "G");
    e.store(5, "X");
    e.store(6, "Y");
    if (centered) e.fma(M(2), M(5), M(6), M(1)); // only read back as halves (by fms)
    else { e.fma(R("V"), M(5), M(6), M(1)); e.store(2, "V"); }
    if (centered) {
      e.load(4, "D");
      e.bin("sub", "D", "G", "D");
      e.store(5, "D");
      e.fma(M(4), M(lerpFromAvg ? 4 : 1), S("COEF"), M(5));
      e.fms(R("A"), M(2), M(4), M(4));
      e.un("sqrt", "A", "A");
    } else {
      e.un("sqrt", "A", "V");
    }
    e.bin("add", "A", "A", "EPS");
    if (momentum) {
      e.load(3, "B");
      e.bin("mul", "B", "B", "MOMT");
      e.bin("div", "Q", "G", "A");
      e.bin("add", "B", "B", "Q");
      e.store(3, "B");
      e.fma(M(0), M(0), S("NEGLR"), M(3));
    } else {
      stepOver(e, "NEGLRT");
    }
  });
  return f;
}

/** θ ← θ + fr(fr(neg·g) / a), neg the splatted −γ in register `neg`: how RMSprop (without momentum) and Adagrad end. */
function stepOver(e, neg) {
  e.load(0, "T");
  e.bin("mul", "Q", neg, "G");
  e.bin("div", "Q", "Q", "A");
  e.bin("add", "T", "T", "Q");
  e.store(0, "T");
}

/**
 * Adagrad, one option path (see adagrad.ts adagradUpdate32/64). Region 2: sum.
 *   g = ∇ (negated if neg);  g = g + λθ (wd);  s ← s + g·g;  θ ← θ + fr(fr(−γ̃·g) / fr(fr(√s) + ε))
 */
function adagradKernel(t, wd) {
  const f = new Fn([["n", I32], ["neg", I32], ["wd", F64], ["negClr", F64], ["eps", F64]]);
  f.local("i", I32); f.local("end", I32);
  for (const v of ["NEG", "WD", "NEGCLR", "EPS", "T", "G", "S", "A", "Q", "SQ"]) f.local(v, V128);
  prologue(f, t);
  negMask(f, t, "NEG");
  splat64(f, "WD", "wd"); splatT(f, t, "NEGCLR", "negClr"); splatT(f, t, "EPS", "eps");
  const e = kernelOps(f, t);
  f.forUp("i", "end", 16, () => {
    loadGrad(f, e);
    if (wd) { e.fma(R("G"), M(1), S("WD"), M(0)); e.store(1, "G"); }
    e.fma(R("S"), M(2), M(1), M(1));
    e.store(2, "S");
    e.un("sqrt", "A", "S");
    e.bin("add", "A", "A", "EPS");
    stepOver(e, "NEGCLR");
  });
  return f;
}

function functions() {
  const fns = [];
  for (const t of ["f32", "f64"]) {
    for (let path = 0; path < 12; path++) {
      const [hi, mid, lo] = [path >> 2, (path >> 1) & 1, path & 1];
      fns.push({ name: `sgd_${t}_${path}`, type: 0, body: sgdKernel(t, hi, mid === 1, lo === 1).bytes() });
    }
    for (let path = 0; path < 12; path++) {
      const [hi, mid, lo] = [path >> 2, (path >> 1) & 1, path & 1];
      fns.push({ name: `adam_${t}_${path}`, type: 1, body: adamKernel(t, hi, mid === 1, lo === 1).bytes() });
    }
    for (let path = 0; path < 16; path++) {
      const [mom, cen, lerp, wd] = [path >> 3, (path >> 2) & 1, (path >> 1) & 1, path & 1];
      fns.push({ name: `rmsprop_${t}_${path}`, type: 2, body: rmspropKernel(t, mom === 1, cen === 1, lerp === 1, wd === 1).bytes() });
    }
    for (let path = 0; path < 2; path++) {
      fns.push({ name: `adagrad_${t}_${path}`, type: 3, body: adagradKernel(t, path === 1).bytes() });
    }
  }
  return fns;
}

function bytes() {
  return moduleBytes({
    types: [
      [[I32, I32, F64, F64, F64, F64], []],
      [[I32, I32, F64, F64, F64, F64, F64, F64, F64, F64], []],
      [[I32, I32, F64, F64, F64, F64, F64, F64, F64], []],
      [[I32, I32, F64, F64, F64], []],
    ],
    memoryPages: PAGES,
    functions: functions(),
  });
}

function source() {
  return [
    "// Generated by kernel/scripts/gen_optim_wasm.cjs: do not edit. The WebAssembly SIMD module of the",
    "// optimizer update loops (see that script for its exports and memory layout), base64-encoded.",
    `/** Elements per memory region (one chunk of each array per call). */`,
    `export const OPTIM_CHUNK = ${CHUNK};`,
    "export const OPTIM_WASM_BASE64 =",
    `${base64Lines(bytes())};`,
    "",
  ].join("\n");
}

if (require.main === module) {
  fs.writeFileSync(OUT, source());
  console.log(`wrote ${OUT} (${bytes().length} bytes of wasm)`);
}

module.exports = { CHUNK, bytes, source, OUT };
