// Generates kernel/src/tensor/wasm/transcendental_bytes.ts: a WebAssembly SIMD (f64x2) module
// computing exp, tanh, sigmoid = 1 / (1 + exp(−x)) and expm1 with exactly the bits of V8's
// Math.exp / Math.tanh / Math.expm1 (fdlibm e_exp.c, s_expm1.c, s_tanh.c as in V8's
// src/base/ieee754.cc). Run
// `node kernel/scripts/gen_transcendental_wasm.cjs` after changing this file
// (test/tensor/fast_exp.test.ts checks that the embedded bytes are current).
//
// Exports exp_f64(start, end), tanh_f64(start, end), sigmoid_f64(start, end), expm1_f64(start,
// end): in place over the doubles at bytes [start, end) of the memory (end − start a multiple of
// 16: a vector past `end` would be overwritten; the caller copies up to CHUNK doubles in and out).
// Imports env.exp, env.tanh and env.expm1 (Math.exp, Math.tanh, Math.expm1): the rare lanes are
// recomputed by them (see below).
//
// Bit-identity: fdlibm branches per value; a vector computes every branch and selects, and each
// branch is the same IEEE operation sequence (no fused multiply-add). The reductions merge:
//  * exp/expm1's k = ±1 case (0.5 ln2 < |x| < 1.5 ln2) gives the same hi, lo as the general
//    k = trunc(x/ln2 ± 0.5) (k·ln2_hi, k·ln2_lo with k = ±1 are exact);
//  * k = 0 (|x| ≤ 0.5 ln2, by fdlibm's high-word test) is forced by masking k to +0, and then
//    hi = x − 0 = x, lo = 0, so exp's general formula 1 − ((lo − x·c/(2 − c)) − hi), times 2^0,
//    equals its k = 0 formula 1 − (x·c/(c − 2) − x) (a/(−b) = −(a/b) exactly; x ≠ 0 here).
// 2^k is built from k: k + (2^52 + 1023) holds k + 1023 in its low mantissa bits, which i64x2.shl
// by 52 moves into the exponent field (k in [−1021, 1023]).
// Lanes handed to the imported Math.* function (both lanes of that vector; a normal lane gets the
// same bits either way): exp: |x| ≥ 708 or NaN (overflow, underflow, 2^k outside the normal
// range); tanh: NaN; expm1: |x| ≥ 56·ln2 by high word (−1, overflow, k = 1024) or NaN. tanh's
// expm1 argument is ±2|x| with |x| ≥ 2^-28, so only the expm1 cases k = 0, −1, ≤ −2, 3..19,
// 20..56, > 56 occur (never k = 1, never |arg| < 2^-54); expm1_f64 adds k = 1 and |x| < 2^-54
// (that select is redundant, k = 0's formula already gives x there, and kept as fdlibm's branch).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { uleb, str, vec, section, memarg, I32, F64, V128, Fn, base64Lines } = require("./wasm_encoding.cjs");

/** Doubles per call: the module's one 64 KiB page. */
const CHUNK = 8192;
const OUT = path.join(__dirname, "..", "src", "tensor", "wasm", "transcendental_bytes.ts");

// SIMD opcodes (prefix 0xfd).
const LOAD = 0x00, STORE = 0x0b, CONST = 0x0c, EXTRACT = 0x21, REPLACE = 0x22;
const EQ = 0x47, NE = 0x48, LT = 0x49, GT = 0x4a, LE = 0x4b, GE = 0x4c;
const NOT = 0x4d, AND = 0x4e, OR = 0x50, BITSELECT = 0x52, ANY_TRUE = 0x53;
const TRUNC = 0x7a, I64_SHL = 0xcb, ABS = 0xec, NEG = 0xed, ADD = 0xf0, SUB = 0xf1, MUL = 0xf2, DIV = 0xf3;

/** The double whose high and low 32-bit words are hi, lo. */
function bits(hi, lo) {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(lo >>> 0, 0);
  b.writeUInt32LE(hi >>> 0, 4);
  return b.readDoubleLE(0);
}
const K = {
  HALF_LN2: bits(0x3fd62e43, 0), // fdlibm's hx > 0x3FD62E42
  TWO_M28: bits(0x3e300000, 0),
  TWO_M54: bits(0x3c900000, 0), // expm1: hx < 0x3c900000 returns x
  EXPM1_BIG: bits(0x4043687a, 0), // expm1: hx ≥ 0x4043687A (|x| ≥ 56·ln2) goes to Math.expm1
  LN2_HI: bits(0x3fe62e42, 0xfee00000), LN2_LO: bits(0x3dea39ef, 0x35793c76), INVLN2: bits(0x3ff71547, 0x652b82fe),
  P1: bits(0x3fc55555, 0x5555553e), P2: bits(0xbf66c16c, 0x16bebd93), P3: bits(0x3f11566a, 0xaf25de2c),
  P4: bits(0xbebbbd41, 0xc5d26bf1), P5: bits(0x3e663769, 0x72bea4d0),
  Q1: bits(0xbfa11111, 0x111110f4), Q2: bits(0x3f5a01a0, 0x19fe5585), Q3: bits(0xbf14ce19, 0x9eaadbb7),
  Q4: bits(0x3ed0cfca, 0x86e65239), Q5: bits(0xbe8afdb7, 0x6e09c32d),
  E: bits(0x4005bf0a, 0x8b145769), // V8 returns e itself for exp(1)
  MAGIC: 2 ** 52 + 1023,
};
const SIGN = -0; // only the sign bit set

/** Every constant the kernels use (each gets a local, see `dsl`). */
const CONSTS = [...Object.values(K), 0.5, SIGN, 0, 1, 2, -2, 3, 6, 20, 56, -1, 708, 22, -0.25];
const constName = (v) => `k${CONSTS.findIndex((w) => Object.is(w, v))}`;

/** Declares the constants' locals of `f` (before any code) and returns a function that sets them. */
function declareConsts(f) {
  CONSTS.forEach((v, i) => { if (i !== CONSTS.findIndex((w) => Object.is(w, v))) throw new Error(`duplicate constant ${v}`); f.local(`k${i}`, V128); });
  return () => CONSTS.forEach((v, i) => {
    const b = Buffer.alloc(16);
    b.writeDoubleLE(v, 0);
    b.writeDoubleLE(v, 8);
    f.simd(CONST, ...b).set(`k${i}`);
  });
}

/** Expression emitters over a function body `f`: each returns a thunk that pushes one v128. */
function dsl(f, sfx = "") {
  // Constants live in locals set before the loop: a v128.const inside it costs V8 several
  // instructions each time (V8 11.3 rematerialises them per use).
  const c = (v) => () => f.get(constName(v));
  const v = (name) => () => f.get(name + sfx);
  const op = (code) => (...args) => () => { for (const a of args) a(); f.simd(code); };
  const set = (name, e) => { e(); f.set(name + sfx); };
  return {
    f, sfx, c, v, set,
    add: op(ADD), sub: op(SUB), mul: op(MUL), div: op(DIV), abs: op(ABS), neg: op(NEG), trunc: op(TRUNC),
    eq: op(EQ), ne: op(NE), lt: op(LT), gt: op(GT), le: op(LE), ge: op(GE), not: op(NOT), and: op(AND), or: op(OR),
    /** mask ? a : b, bit by bit */
    sel: (a, b, mask) => () => { a(); b(); mask(); f.simd(BITSELECT); },
    /** 2^k for integral k (a v128 of doubles) */
    pow2: (k) => () => { k(); c(K.MAGIC)(); f.simd(ADD); f.i32c(52); f.simd(I64_SHL); },
  };
}

/**
 * The loop over bytes [start, end) in vectors, two per iteration (suffixes _0 and _1: two
 * independent dependency chains, which the CPU overlaps; one chain alone is latency-bound), then
 * one more when the count is odd: x = load; body(sfx); store y.
 */
function loop(f, setConsts, body) {
  setConsts();
  const one = (sfx, off) => {
    f.get("p").simd(LOAD, ...memarg(4, off)).set("x" + sfx);
    body(sfx);
  };
  const store = (sfx, off) => f.get("p").get("y" + sfx).simd(STORE, ...memarg(4, off));
  f.get("start").set("p");
  f.op(0x02, 0x40, 0x03, 0x40); // block, loop
  f.get("p").i32c(32).op(0x6a).get("end").op(0x4b, 0x0d, 1); // p + 32 > end (unsigned): leave
  one("_0", 0);
  one("_1", 16);
  store("_0", 0);
  store("_1", 16);
  f.get("p").i32c(32).op(0x6a).set("p");
  f.op(0x0c, 0, 0x0b, 0x0b); // br 0; end loop; end block
  f.get("p").get("end").op(0x49, 0x04, 0x40); // if p < end (unsigned): the last vector
  one("_0", 0);
  store("_0", 0);
  f.op(0x0b);
}

/** Declares each name with both suffixes as v128 locals of `f`. */
function locals2(f, names) {
  for (const sfx of ["_0", "_1"]) for (const n of names) f.local(n + sfx, V128);
}

/** If any lane of `mask` is set: local y = [imp(x0), imp(x1)] from local `x`. */
function fallback(f, mask, x, y, imp) {
  mask();
  f.simd(ANY_TRUE).op(0x04, 0x40); // if
  f.get(y).get(x).simd(EXTRACT, 0).op(0x10, imp).simd(REPLACE, 0);
  f.get(x).simd(EXTRACT, 1).op(0x10, imp).simd(REPLACE, 1).set(y);
  f.op(0x0b);
}

/** y = exp(local `x`) (vector), with the imported exp (function 0) for the rare lanes. */
function emitExp(f, d, x, y) {
  const { c, v, set, add, sub, mul, div, abs, trunc, eq, lt, ge, not, and, sel, pow2 } = d;
  set("ax", abs(v(x)));
  // k = trunc(x/ln2 ± 0.5), forced to +0 where fdlibm takes k = 0
  set("k", and(trunc(add(mul(c(K.INVLN2), v(x)), sel(v(x), c(0.5), c(SIGN)))), ge(v("ax"), c(K.HALF_LN2))));
  set("hi", sub(v(x), mul(v("k"), c(K.LN2_HI))));
  set("lo", mul(v("k"), c(K.LN2_LO)));
  set("r", sub(v("hi"), v("lo")));
  set("t", mul(v("r"), v("r")));
  set("cc", sub(v("r"), mul(v("t"), add(c(K.P1), mul(v("t"), add(c(K.P2), mul(v("t"), add(c(K.P3), mul(v("t"), add(c(K.P4), mul(v("t"), c(K.P5))))))))))));
  set(y, sub(c(1), sub(sub(v("lo"), div(mul(v("r"), v("cc")), sub(c(2), v("cc")))), v("hi"))));
  set(y, mul(v(y), pow2(v("k"))));
  set(y, sel(add(c(1), v(x)), v(y), lt(v("ax"), c(K.TWO_M28))));
  set(y, sel(c(K.E), v(y), eq(v(x), c(1))));
  fallback(f, not(lt(v("ax"), c(708))), x + d.sfx, y + d.sfx, 0);
}

function expFn() {
  const f = new Fn([["start", I32], ["end", I32]]);
  f.local("p", I32);
  locals2(f, ["x", "y", "ax", "k", "hi", "lo", "r", "t", "cc"]);
  const setConsts = declareConsts(f);
  loop(f, setConsts, (sfx) => emitExp(f, dsl(f, sfx), "x", "y"));
  return f;
}

function sigmoidFn() {
  const f = new Fn([["start", I32], ["end", I32]]);
  f.local("p", I32);
  locals2(f, ["x", "y", "nx", "e", "ax", "k", "hi", "lo", "r", "t", "cc"]);
  const setConsts = declareConsts(f);
  loop(f, setConsts, (sfx) => {
    const d = dsl(f, sfx);
    d.set("nx", d.neg(d.v("x")));
    emitExp(f, d, "nx", "e");
    d.set("y", d.div(d.c(1), d.add(d.c(1), d.v("e"))));
  });
  return f;
}

function tanhFn() {
  const f = new Fn([["start", I32], ["end", I32]]);
  f.local("p", I32);
  locals2(f, ["x", "y", "ax", "ge1", "a", "k", "hi", "lo", "r", "cc", "hfx", "hxs", "r1", "tt", "e", "e2", "pk", "pmk", "m", "z"]);
  const setConsts = declareConsts(f);
  loop(f, setConsts, (sfx) => {
    const d = dsl(f, sfx);
    const { c, v, set, add, sub, mul, div, abs, neg, ne, lt, ge, not, sel } = d;
    set("ax", abs(v("x")));
    set("ge1", ge(v("ax"), c(1)));
    set("a", sel(mul(c(2), v("ax")), mul(c(-2), v("ax")), v("ge1"))); // expm1(2|x|) or expm1(−2|x|)
    emitExpm1(d, "a", false);
    // tanh from t = expm1(a): |x| ≥ 1: 1 − 2/(t + 2); else −t/(t + 2); |x| ≥ 22: 1; sign of x
    // (one division: the numerator 2 or −t is selected first, the same operations per lane)
    set("z", div(sel(c(2), neg(v("m")), v("ge1")), add(v("m"), c(2))));
    set("z", sel(sub(c(1), v("z")), v("z"), v("ge1")));
    set("z", sel(c(1), v("z"), not(lt(v("ax"), c(22)))));
    set("z", sel(v("x"), v("z"), c(SIGN)));
    set("y", sel(v("x"), v("z"), lt(v("ax"), c(K.TWO_M28)))); // V8: tanh(x) = x for |x| < 2^-28
    fallback(f, ne(v("x"), v("x")), "x" + sfx, "y" + sfx, 1);
  });
  return f;
}

/**
 * Local "m" = expm1(local `a`) (vector) by s_expm1.c's reduction and cases for |a| < 56·ln2, so
 * k in [−56, 56] (the callers handle the rest). `general`: also its k = 1 case (tanh never has it).
 */
function emitExpm1(d, a, general) {
  const { c, v, set, add, sub, mul, div, abs, neg, trunc, eq, lt, gt, le, ge, and, or, sel, pow2 } = d;
  set("k", and(trunc(add(mul(c(K.INVLN2), v(a)), sel(v(a), c(0.5), c(SIGN)))), ge(abs(v(a)), c(K.HALF_LN2))));
  set("hi", sub(v(a), mul(v("k"), c(K.LN2_HI))));
  set("lo", mul(v("k"), c(K.LN2_LO)));
  set("r", sub(v("hi"), v("lo")));
  set("cc", sub(sub(v("hi"), v("r")), v("lo")));
  set("hfx", mul(c(0.5), v("r")));
  set("hxs", mul(v("r"), v("hfx")));
  set("r1", add(c(1), mul(v("hxs"), add(c(K.Q1), mul(v("hxs"), add(c(K.Q2), mul(v("hxs"), add(c(K.Q3), mul(v("hxs"), add(c(K.Q4), mul(v("hxs"), c(K.Q5))))))))))));
  set("tt", sub(c(3), mul(v("r1"), v("hfx"))));
  set("e", mul(v("hxs"), div(sub(v("r1"), v("tt")), sub(c(6), mul(v("r"), v("tt"))))));
  set("e2", sub(sub(mul(v("r"), sub(v("e"), v("cc"))), v("cc")), v("hxs")));
  set("pk", pow2(v("k")));
  set("pmk", pow2(neg(v("k"))));
  // k ≥ 20: 2^k·((r − (e2 + 2^-k)) + 1)
  set("m", mul(add(sub(v("r"), add(v("e2"), v("pmk"))), c(1)), v("pk")));
  // k < 20: 2^k·((1 − 2^-k) − (e2 − r))
  set("m", sel(mul(sub(sub(c(1), v("pmk")), sub(v("e2"), v("r"))), v("pk")), v("m"), lt(v("k"), c(20))));
  // k ≤ −2 or k > 56: 2^k·(1 − (e2 − r)) − 1
  set("m", sel(sub(mul(sub(c(1), sub(v("e2"), v("r"))), v("pk")), c(1)), v("m"), or(le(v("k"), c(-2)), gt(v("k"), c(56)))));
  // k = −1: 0.5·(r − e2) − 0.5
  set("m", sel(sub(mul(c(0.5), sub(v("r"), v("e2"))), c(0.5)), v("m"), eq(v("k"), c(-1))));
  // k = 1: r < −0.25 ? −2·(e2 − (r + 0.5)) : 1 + 2·(r − e2)
  if (general) {
    const k1 = sel(mul(c(-2), sub(v("e2"), add(v("r"), c(0.5)))), add(c(1), mul(c(2), sub(v("r"), v("e2")))), lt(v("r"), c(-0.25)));
    set("m", sel(k1, v("m"), eq(v("k"), c(1))));
  }
  // k = 0: r − (r·e − hxs)
  set("m", sel(sub(v("r"), sub(mul(v("r"), v("e")), v("hxs"))), v("m"), eq(v("k"), c(0))));
}

/**
 * expm1: emitExpm1's general form; |x| < 2^-54: x (fdlibm's x − ((huge + x) − (huge + x)) is
 * x); |x| ≥ 56·ln2 (by high word: −1, overflow, k = 1024, ±∞) or NaN: the imported Math.expm1.
 */
function expm1Fn() {
  const f = new Fn([["start", I32], ["end", I32]]);
  f.local("p", I32);
  locals2(f, ["x", "y", "ax", "k", "hi", "lo", "r", "cc", "hfx", "hxs", "r1", "tt", "e", "e2", "pk", "pmk", "m"]);
  const setConsts = declareConsts(f);
  loop(f, setConsts, (sfx) => {
    const d = dsl(f, sfx);
    const { c, v, set, abs, lt, not, sel } = d;
    set("ax", abs(v("x")));
    emitExpm1(d, "x", true);
    set("y", sel(v("x"), v("m"), lt(v("ax"), c(K.TWO_M54))));
    fallback(f, not(lt(v("ax"), c(K.EXPM1_BIG))), "x" + sfx, "y" + sfx, 2);
  });
  return f;
}

function build() {
  const fnType = [0x60, ...vec([[F64]]), ...vec([[F64]])]; // type 0: (f64) -> f64
  const kType = [0x60, ...vec([[I32], [I32]]), ...vec([])]; // type 1: (i32, i32) -> ()
  const typeSec = section(1, vec([fnType, kType]));
  const imports = [["exp", 0], ["tanh", 0], ["expm1", 0]].map(([name, t]) => [...str("env"), ...str(name), 0x00, ...uleb(t)]);
  const importSec = section(2, vec(imports));
  const fns = [["exp_f64", expFn()], ["tanh_f64", tanhFn()], ["sigmoid_f64", sigmoidFn()], ["expm1_f64", expm1Fn()]];
  const funcSec = section(3, vec(fns.map(() => uleb(1))));
  const memSec = section(5, vec([[0x01, ...uleb(1), ...uleb(1)]]));
  const exportSec = section(7, vec([[...str("mem"), 0x02, 0x00], ...fns.map(([name], i) => [...str(name), 0x00, ...uleb(imports.length + i)])]));
  const codeSec = section(10, vec(fns.map(([, f]) => f.bytes())));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...typeSec, ...importSec, ...funcSec, ...memSec, ...exportSec, ...codeSec]);
}

function source() {
  const bytes = build();
  return [
    "// Generated by kernel/scripts/gen_transcendental_wasm.cjs: do not edit.",
    "",
    `/** Doubles per call (the module's memory). */`,
    `export const TRANSC_CHUNK = ${CHUNK};`,
    "",
    `export const TRANSC_WASM_BASE64 =\n${base64Lines(bytes)};`,
    "",
  ].join("\n");
}

if (require.main === module) fs.writeFileSync(OUT, source());
module.exports = { source, OUT };
