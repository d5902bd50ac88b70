// Generates kernel/src/tensor/wasm/gemm_bytes.ts: the WebAssembly SIMD matrix-product module used
// by kernel/src/tensor/wasm/gemm.ts, as base64. Run `node kernel/scripts/gen_gemm_wasm.cjs` after
// changing this file (test/tensor/perf_gemm.test.ts checks that the embedded bytes are current).
//
// The module is emitted byte by byte (no tool-chain needed). It imports one shared memory ("env" "mem", 1 GiB at most)
// and exports, for each element type T in {f32, f64}:
//
//   pack_a_T(src, ps, ks, kc, mc, dst)   op(A)[i, k] = src[i·ps + k·ks] (byte strides), rows 0..mc,
//       columns 0..kc, into panels of MR rows: dst[(p·kc + k)·MR + r] = op(A)[p·MR + r, k], rows
//       past mc padded with 0.
//   pack_b_T(src, ps, ks, kc, nc, dst)   op(B)[k, j] = src[j·ps + k·ks], into panels of NR columns:
//       dst[(p·kc + k)·NR + c] = op(B)[k, p·NR + c], columns past nc padded with 0.
//   macro_T(pa, pb, mc, nc, kc, c, ldc, acc, tmp)   C[0..mc, 0..nc] (+)= packedA · packedB, C row
//       stride ldc bytes; acc = 0 stores, acc = 1 adds to what C holds. tmp: scratch for one tile.
//   add_rows_T(c, bias, m, n)   C[i, j] += bias[j]
//   add_cols_T(c, bias, m, n)   C[i, j] += bias[i]
//   relu_T(src, dst, n), relu_bwd_T(y, g, dst, n)   ReLU and its gradient (see relu below)
//   im2col_T(x, cols, desc), col2im_T(x, cols, desc)   a convolution's column matrix and its
//       adjoint (see convCopy below)
//
// The micro-kernel keeps an MR×NR block of C in MR·(NR/L) SIMD accumulators (L lanes per v128)
// and, per step of k, loads NR/L vectors of the packed B panel and MR broadcast values of the
// packed A panel (v128.loadX_splat): MR·NR multiply-adds for MR + NR/L loads. f32: 4×8 (8 f32x4
// accumulators), f64: 4×4 (8 f64x2 accumulators). Measured on x64 (Node 20): 6×8, 5×8, 4×12 and
// 8×8 tiles, and unrolling k, were all slower, V8 then spilling accumulators to the stack.
// Products are summed in the element type (float32 sums in float32, as PyTorch's CPU kernels do),
// one k at a time per accumulator lane.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

// The memory's maximum: 1 GiB (instance.ts MAX_BYTES), in 64 KiB pages.
const MAX_PAGES = 16384;
const MR = 4; // a multiple of both lane counts: pack's in-register transposes work on L×L blocks
const CONFIG = {
  f32: {
    L: 4, NR: 8, esz: 4, load: 0x2a, store: 0x38, splat: 9 /* v128.load32_splat */, add: 0xe4, mul: 0xe6,
    madd: 0x105 /* f32x4.relaxed_madd */, vmax: 0xe9, vgt: 0x44, zero: [0x43, 0, 0, 0, 0], fadd: 0x92, fmax: 0x97, fgt: 0x5e,
  },
  f64: {
    L: 2, NR: 4, esz: 8, load: 0x2b, store: 0x39, splat: 10 /* v128.load64_splat */, add: 0xf0, mul: 0xf2,
    madd: 0x107 /* f64x2.relaxed_madd */, vmax: 0xf5, vgt: 0x4a, zero: [0x44, 0, 0, 0, 0, 0, 0, 0, 0], fadd: 0xa0, fmax: 0xa5, fgt: 0x64,
  },
};

// ---- encoding helpers ----
// Opcodes are written as numbers with the instruction's name where it is not obvious; the SIMD
// ones (prefix 0xfd) follow the WebAssembly SIMD and relaxed-SIMD specifications.
const { uleb, str, vec, section, memarg, base64Lines, I32, V128, Fn } = require("./wasm_encoding.cjs");

/**
 * wasm_encoding.cjs's function-body builder with this generator's conventions: i32 params, i32
 * and v128 locals numbered i32 first (whatever the order of declaration), signed loop bounds, and
 * a few i32 shorthands.
 */
class GemmFn extends Fn {
  constructor(params) {
    super(params.map((p) => [p, I32]));
    this.i32Locals = [];
    this.vLocals = [];
  }
  i32(name) { this.declare(); this.i32Locals.push(name); return name; }
  v128(name) { this.declare(); this.vLocals.push(name); return name; }
  declare() { if (this.numbered) throw new Error("declare locals before emitting code"); }
  idx(name) {
    if (!this.numbered) {
      for (const n of this.i32Locals) this.local(n, I32);
      for (const n of this.vLocals) this.local(n, V128);
    }
    return super.idx(name);
  }
  c(v) { return this.i32c(v); }
  add() { return this.op(0x6a); }
  sub() { return this.op(0x6b); }
  mul() { return this.op(0x6c); }
  /** local n += v (v: a number or a local name). */
  inc(n, v) { this.get(n); typeof v === "number" ? this.c(v) : this.get(v); return this.add().set(n); }
  /** for (var = 0; var < limit; var += step) body  (limit: a local name; signed compare) */
  forUp(v, limit, step, body) {
    this.c(0).set(v);
    this.op(0x02, 0x40, 0x03, 0x40); // block loop
    this.get(v).get(limit).op(0x4e, 0x0d, 1); // i32.ge_s; br_if 1 (exit)
    body();
    this.inc(v, step);
    this.op(0x0c, 0, 0x0b, 0x0b); // br 0; end loop; end block
  }
  ifThen(cond, then, els) {
    cond();
    this.op(0x04, 0x40);
    then();
    if (els) { this.op(0x05); els(); }
    this.op(0x0b);
  }
}

/** Emits `value = (cond) ? load(addr) : 0` for one element and stores it at dst + off. */
function guardedCopy(f, T, t, cond, addr, off) {
  const ealign = t === "f32" ? 2 : 3;
  f.get("dst");
  cond();
  f.op(0x04, t === "f32" ? 0x7d : 0x7c); // if (result f32|f64)
  addr();
  f.op(T.load, ...memarg(ealign, 0));
  f.op(0x05, ...T.zero, 0x0b);
  f.op(T.store, ...memarg(ealign, off));
}

/** i8x16.shuffle byte indices selecting element lanes `lanes` (0..2L-1 over two vectors). */
function shuffleBytes(esz, lanes) {
  const out = [];
  for (const l of lanes) for (let b = 0; b < esz; b++) out.push(l * esz + b);
  return out;
}

/**
 * Emits an L×L transpose: vectors in locals v0..v{L-1} (row c holds elements k..k+L-1 of column
 * c of the panel) become o_q = (v0[q], ..., v{L-1}[q]), each stored through `store(q)`.
 */
function transposeBlock(f, T, store) {
  if (T.L === 4) {
    const pairs = [["t0", "v0", "v1", [0, 4, 1, 5]], ["t1", "v0", "v1", [2, 6, 3, 7]], ["t2", "v2", "v3", [0, 4, 1, 5]], ["t3", "v2", "v3", [2, 6, 3, 7]]];
    for (const [t, a, b, lanes] of pairs) f.get(a).get(b).simd(0x0d, ...shuffleBytes(4, lanes)).set(t);
    const outs = [["t0", "t2", [0, 1, 4, 5]], ["t0", "t2", [2, 3, 6, 7]], ["t1", "t3", [0, 1, 4, 5]], ["t1", "t3", [2, 3, 6, 7]]];
    outs.forEach(([a, b, lanes], q) => store(q, () => f.get(a).get(b).simd(0x0d, ...shuffleBytes(4, lanes))));
  } else {
    store(0, () => f.get("v0").get("v1").simd(0x0d, ...shuffleBytes(8, [0, 2])));
    store(1, () => f.get("v0").get("v1").simd(0x0d, ...shuffleBytes(8, [1, 3])));
  }
}

/**
 * pack: `count` panel lines (rows of op(A) or columns of op(B)) × kc steps of k into panels of P
 * lines, zero-padded: dst[(p·kc + k)·P + l] = src[(p·P + l)·ps + k·ks] (byte strides). Fast paths
 * for full panels: when k is contiguous (ks = element size) L steps of k of each line are loaded
 * as one vector and L×L blocks transposed in registers; when the lines are contiguous (ps =
 * element size) each step of k is P/L vector copies. Otherwise element by element.
 */
function pack(t, P) {
  const T = CONFIG[t];
  const L = T.L;
  const f = new GemmFn(["src", "ps", "ks", "kc", "count", "dst"]);
  f.i32("l0"); f.i32("k"); f.i32("base"); f.i32("lim");
  for (let i = 0; i < 4; i++) f.v128(`v${i}`);
  for (let i = 0; i < 4; i++) f.v128(`t${i}`);
  f.forUp("l0", "count", P, () => {
    f.get("count").get("l0").sub().set("lim"); // lines of this panel that exist
    f.forUp("k", "kc", 1, () => {
      f.get("src").get("l0").get("ps").mul().add().get("k").get("ks").mul().add().set("base");
      f.ifThen(
        // (ks == esz) & (lim >= P) & (k + L <= kc)
        () => f.get("ks").c(T.esz).op(0x46).get("lim").c(P).op(0x4e).op(0x71).get("k").c(L).add().get("kc").op(0x4c).op(0x71),
        () => {
          for (let g = 0; g < P / L; g++) {
            for (let c = 0; c < L; c++) {
              f.get("base");
              const line = g * L + c;
              if (line > 0) { f.get("ps"); if (line > 1) f.c(line).mul(); f.add(); }
              f.simd(0x00, ...memarg(0, 0)).set(`v${c}`);
            }
            transposeBlock(f, T, (q, value) => { f.get("dst"); value(); f.simd(0x0b, ...memarg(0, q * P * T.esz + g * 16)); });
          }
          f.inc("dst", (L - 1) * P * T.esz);
          f.inc("k", L - 1);
        },
        () => f.ifThen(
          // (ps == esz) & (lim >= P): the panel's line at this k is P contiguous elements
          () => f.get("ps").c(T.esz).op(0x46).get("lim").c(P).op(0x4e).op(0x71),
          () => {
            for (let v = 0; v < P / L; v++) {
              f.get("dst").get("base").simd(0x00, ...memarg(0, v * 16)).simd(0x0b, ...memarg(0, v * 16));
            }
          },
          () => {
            for (let c = 0; c < P; c++) {
              guardedCopy(f, T, t,
                () => f.c(c).get("lim").op(0x48),
                () => { f.get("base"); if (c > 0) { f.get("ps"); if (c > 1) f.c(c).mul(); f.add(); } },
                c * T.esz);
            }
          },
        ),
      );
      f.inc("dst", P * T.esz);
    });
  });
  return f;
}

/**
 * macro: every MR×NR tile of C from the packed panels. Loop order: B panel (jr) outer, so its
 * kc×NR block stays in L1 while the A panels stream past.
 */
function macro(t, fused) {
  const T = CONFIG[t];
  const NR = T.NR;
  const NV = NR / T.L;
  const ealign = t === "f32" ? 2 : 3;
  const f = new GemmFn(["pa0", "pb0", "mc", "nc", "kc", "c0", "ldc", "acc", "tmp"]);
  for (const n of ["jr", "ir", "pa", "pb", "pb_end", "row", "mr", "nr", "r", "cc", "src", "dst"]) f.i32(n);
  const A = (r, v) => `a${r}_${v}`;
  for (let r = 0; r < MR; r++) for (let v = 0; v < NV; v++) f.v128(A(r, v));
  for (let v = 0; v < NV; v++) f.v128(`b${v}`);
  f.v128("x");
  f.forUp("jr", "nc", NR, () => {
    f.forUp("ir", "mc", MR, () => {
      // pa = pa0 + ir*kc*esz (the panel of rows ir.. holds kc*MR elements); pb likewise
      f.get("pa0").get("ir").get("kc").mul().c(T.esz).mul().add().set("pa");
      f.get("pb0").get("jr").get("kc").mul().c(T.esz).mul().add().set("pb");
      for (let r = 0; r < MR; r++) for (let v = 0; v < NV; v++) f.simd(0x0c, ...new Array(16).fill(0)).set(A(r, v));
      // One step of k at element offset u of the current panels: NV vector loads of B, MR
      // broadcast loads of A, MR·NV multiply-adds.
      const kstep = (u) => {
        for (let v = 0; v < NV; v++) f.get("pb").simd(0x00, ...memarg(4, (u * NR + v * T.L) * T.esz)).set(`b${v}`);
        for (let r = 0; r < MR; r++) {
          f.get("pa").simd(T.splat, ...memarg(ealign, (u * MR + r) * T.esz)).set("x");
          for (let v = 0; v < NV; v++) {
            // acc += x·b: one fused multiply-add (relaxed_madd, an FMA where the CPU has one), or
            // a multiply then an add.
            if (fused) f.get("x").get(`b${v}`).get(A(r, v)).simd(T.madd).set(A(r, v));
            else f.get(A(r, v)).get("x").get(`b${v}`).simd(T.mul).simd(T.add).set(A(r, v));
          }
        }
      };
      // k loop (unrolling it measured slower: V8 then spills accumulators)
      // (counted by the B pointer against its end: one induction variable fewer)
      f.get("pb").get("kc").c(NR * T.esz).mul().add().set("pb_end");
      f.op(0x02, 0x40, 0x03, 0x40);
      f.get("pb").get("pb_end").op(0x4f, 0x0d, 1); // pb >= pb_end (unsigned)
      kstep(0);
      f.inc("pa", MR * T.esz);
      f.inc("pb", NR * T.esz);
      f.op(0x0c, 0, 0x0b, 0x0b);
      f.get("mc").get("ir").sub().set("mr");
      f.get("nc").get("jr").sub().set("nr");
      const storeRows = (base, ld, add) => {
        // row = base; per row: (C +=|=) acc; row += ld
        base();
        f.set("row");
        for (let r = 0; r < MR; r++) {
          for (let v = 0; v < NV; v++) {
            f.get("row");
            if (add) f.get("row").simd(0x00, ...memarg(0, v * 16)).get(A(r, v)).simd(T.add);
            else f.get(A(r, v));
            f.simd(0x0b, ...memarg(0, v * 16));
          }
          if (r < MR - 1) { f.get("row"); ld(); f.add().set("row"); }
        }
      };
      f.ifThen(
        () => f.get("mr").c(MR).op(0x4e).get("nr").c(NR).op(0x4e).op(0x71), // full tile
        () => {
          const base = () => f.get("c0").get("ir").get("ldc").mul().add().get("jr").c(T.esz).mul().add();
          f.ifThen(() => f.get("acc"), () => storeRows(base, () => f.get("ldc"), true), () => storeRows(base, () => f.get("ldc"), false));
        },
        () => {
          // Edge tile: to tmp, then the mr×nr part that exists into C.
          storeRows(() => f.get("tmp"), () => f.c(NR * T.esz), false);
          f.forUp("r", "mr", 1, () => {
            f.ifThen(() => f.get("r").c(MR).op(0x4e), () => f.op(0x0c, 2)); // r >= MR: leave the r loop
            f.forUp("cc", "nr", 1, () => {
              f.ifThen(() => f.get("cc").c(NR).op(0x4e), () => f.op(0x0c, 2));
              f.get("tmp").get("r").c(NR).mul().get("cc").add().c(T.esz).mul().add().set("src");
              f.get("c0").get("ir").get("r").add().get("ldc").mul().add().get("jr").get("cc").add().c(T.esz).mul().add().set("dst");
              // C[dst] = tmp[src] (+ C[dst] when accumulating)
              f.get("dst");
              f.get("acc").op(0x04, t === "f32" ? 0x7d : 0x7c);
              f.get("dst").op(T.load, ...memarg(ealign, 0)).get("src").op(T.load, ...memarg(ealign, 0)).op(T.fadd);
              f.op(0x05).get("src").op(T.load, ...memarg(ealign, 0)).op(0x0b);
              f.op(T.store, ...memarg(ealign, 0));
            });
          });
        },
      );
    });
  });
  return f;
}

/** add_rows: C[i, j] += bias[j] for an m×n row-major C. */
function addRows(t) {
  const T = CONFIG[t];
  const ealign = t === "f32" ? 2 : 3;
  const f = new GemmFn(["c", "bias", "m", "n"]);
  f.i32("i"); f.i32("j"); f.i32("p");
  f.forUp("i", "m", 1, () => {
    f.forUp("j", "n", 1, () => {
      f.get("c").get("j").c(T.esz).mul().add().set("p");
      f.get("p").get("p").op(T.load, ...memarg(ealign, 0));
      f.get("bias").get("j").c(T.esz).mul().add().op(T.load, ...memarg(ealign, 0));
      f.op(T.fadd).op(T.store, ...memarg(ealign, 0));
    });
    f.get("c").get("n").c(T.esz).mul().add().set("c");
  });
  return f;
}

/**
 * add_cols_T(c, bias, m, n): C[i, j] += bias[i] (one value per row, splatted; whole vectors, then
 * the remainder one by one). A convolution's bias, added to the product [O, (n, p)] where it lies
 * before it is copied out (kernel/src/nn/functional/conv_wasm.ts): in JS the same addition ran at
 * ~2.5 ns per entry, 2.6 ms for the first layer of a small CIFAR CNN.
 */
function addCols(t) {
  const T = CONFIG[t];
  const ealign = t === "f32" ? 2 : 3;
  const f = new GemmFn(["c", "bias", "m", "n"]);
  f.i32("i"); f.i32("j"); f.i32("nv"); f.i32("p"); f.v128("bv");
  f.get("n").c(-T.L).op(0x71).set("nv"); // n rounded down to whole vectors
  f.forUp("i", "m", 1, () => {
    f.get("bias").get("i").c(T.esz).mul().add().simd(T.splat, ...memarg(ealign, 0)).set("bv");
    f.forUp("j", "nv", T.L, () => {
      f.get("c").get("j").c(T.esz).mul().add().set("p");
      f.get("p").get("p").simd(0x00, ...memarg(0, 0)).get("bv").simd(T.add).simd(0x0b, ...memarg(0, 0));
    });
    f.get("nv").set("j");
    f.op(0x02, 0x40, 0x03, 0x40);
    f.get("j").get("n").op(0x4e, 0x0d, 1);
    f.get("c").get("j").c(T.esz).mul().add().set("p");
    f.get("p").get("p").op(T.load, ...memarg(ealign, 0));
    f.get("bias").get("i").c(T.esz).mul().add().op(T.load, ...memarg(ealign, 0));
    f.op(T.fadd).op(T.store, ...memarg(ealign, 0));
    f.inc("j", 1);
    f.op(0x0c, 0, 0x0b, 0x0b);
    f.get("c").get("n").c(T.esz).mul().add().set("c");
  });
  return f;
}

/**
 * relu_T(src, dst, n): dst = max(src, 0) (NaN stays NaN, -0 becomes +0: the vector and scalar
 * max of WebAssembly); relu_bwd_T(y, g, dst, n): dst = y > 0 ? g : 0. Elements as vectors, the
 * remainder one by one. Branch-free, which matters: a data-dependent branch mispredicts on about
 * half of a ReLU's inputs.
 */
function relu(t, backward) {
  const T = CONFIG[t];
  const ealign = t === "f32" ? 2 : 3;
  const f = backward ? new GemmFn(["y", "g", "dst", "n"]) : new GemmFn(["src", "dst", "n"]);
  f.i32("i"); f.i32("nv"); f.i32("o");
  f.get("n").c(-T.L).op(0x71).set("nv"); // n rounded down to whole vectors
  const body = (vector) => {
    f.get("i").c(T.esz).mul().set("o");
    f.get("dst").get("o").add();
    const ld = (p) => { f.get(p).get("o").add(); vector ? f.simd(0x00, ...memarg(0, 0)) : f.op(T.load, ...memarg(ealign, 0)); };
    const zero = () => (vector ? f.simd(0x0c, ...new Array(16).fill(0)) : f.op(...T.zero));
    if (!backward) {
      ld("src"); zero();
      vector ? f.simd(T.vmax) : f.op(T.fmax);
    } else if (vector) {
      ld("g"); zero(); ld("y"); zero(); f.simd(T.vgt); f.simd(0x52); // v128.bitselect(g, 0, y > 0)
    } else {
      ld("g"); zero(); ld("y"); zero(); f.op(T.fgt); f.op(0x1b); // select(g, 0, y > 0)
    }
    vector ? f.simd(0x0b, ...memarg(0, 0)) : f.op(T.store, ...memarg(ealign, 0));
  };
  f.forUp("i", "nv", T.L, () => body(true));
  f.get("nv").set("i");
  f.op(0x02, 0x40, 0x03, 0x40);
  f.get("i").get("n").op(0x4e, 0x0d, 1);
  body(false);
  f.inc("i", 1);
  f.op(0x0c, 0, 0x0b, 0x0b);
  return f;
}

/** The fields of conv_copy's descriptor (i32 each, in this order), shared with conv_wasm.ts. */
const CONV_FIELDS = ["Cg", "kH", "kW", "Ho", "Wo", "nb", "plane", "sample", "rowW", "sWb", "hTab", "wTab"];

/**
 * im2col_T(x, cols, desc) and col2im_T(x, cols, desc): the column matrix of a convolution with
 * padding "zeros" (kernel/src/nn/functional/conv.ts, which documents the layout), and its adjoint.
 * cols[(c, i, j), (n, oh, ow)] = x[n, c, hTab[i·Ho + oh], wStart[j] + ow·sW] for ow in lo..hi of
 * column j and a row hTab ≥ 0, else 0 (im2col writes every entry of cols); col2im adds each such
 * entry of cols back into x, in the same order as the JS loop (so the same float sums). desc
 * (byte address) holds CONV_FIELDS: sizes in elements except `plane` (one channel, bytes),
 * `sample` (one batch entry, bytes), `rowW` (one input row, bytes), `sWb` (the stride along W,
 * bytes), `hTab` (i32 [kH·Ho]: input row or −1) and `wTab` (i32 [kW][3]: lo, hi, wStart).
 * Contiguous runs (stride 1) move as vectors, the rest element by element.
 */
function convCopy(t, backward) {
  const T = CONFIG[t];
  const ealign = t === "f32" ? 2 : 3;
  const f = new GemmFn(["x", "cols", "desc"]);
  for (const n of CONV_FIELDS) f.i32(n);
  for (const n of ["c", "i", "j", "n", "oh", "lo", "hi", "w0", "len", "xc", "xb", "d", "ih", "src", "dst", "k", "rowBytes"]) f.i32(n);
  const i32load = (off) => f.op(0x28, ...memarg(2, off));
  CONV_FIELDS.forEach((name, q) => { f.get("desc"); i32load(4 * q); f.set(name); });
  const fill0 = (dest, bytes) => { dest(); f.c(0); bytes(); f.op(0xfc, 0x0b, 0x00); }; // memory.fill
  f.get("cols").set("d");
  f.get("Wo").c(T.esz).mul().set("rowBytes");
  f.forUp("c", "Cg", 1, () => {
    f.get("x").get("c").get("plane").mul().add().set("xc");
    f.forUp("i", "kH", 1, () => {
      f.forUp("j", "kW", 1, () => {
        f.get("wTab").get("j").c(12).mul().add().set("k");
        f.get("k"); i32load(0); f.set("lo");
        f.get("k"); i32load(4); f.set("hi");
        f.get("k"); i32load(8); f.set("w0");
        f.get("hi").get("lo").sub().set("len");
        f.forUp("n", "nb", 1, () => {
          f.get("xc").get("n").get("sample").mul().add().set("xb");
          f.forUp("oh", "Ho", 1, () => {
            f.get("hTab").get("i").get("Ho").mul().get("oh").add().c(4).mul().add();
            i32load(0); f.set("ih");
            f.ifThen(
              () => f.get("ih").c(0).op(0x48), // ih < 0: a row of padding
              () => { if (!backward) fill0(() => f.get("d"), () => f.get("rowBytes")); },
              () => {
                if (!backward) {
                  // the columns before lo and from hi on read padding (memory.fill is a call: only when there are any)
                  f.ifThen(() => f.get("lo"), () => fill0(() => f.get("d"), () => f.get("lo").c(T.esz).mul()));
                  f.ifThen(() => f.get("Wo").get("hi").op(0x47), // Wo != hi
                    () => fill0(() => f.get("d").get("hi").c(T.esz).mul().add(), () => f.get("Wo").get("hi").sub().c(T.esz).mul()));
                }
                // src: x at (ih, w0 + lo·sW); dst: cols at (oh, lo)
                f.get("xb").get("ih").get("rowW").mul().add().get("w0").c(T.esz).mul().add().get("lo").get("sWb").mul().add().set("src");
                f.get("d").get("lo").c(T.esz).mul().add().set("dst");
                f.c(0).set("k");
                const elem = (srcStride) => {
                  // one element k: cols[dst + k] = x[src + k·stride], or x[...] += cols[...]
                  const xAddr = () => { f.get("src").get("k"); if (srcStride === "esz") f.c(T.esz); else f.get("sWb"); f.mul().add(); };
                  const cAddr = () => f.get("dst").get("k").c(T.esz).mul().add();
                  if (!backward) { cAddr(); xAddr(); f.op(T.load, ...memarg(ealign, 0)).op(T.store, ...memarg(ealign, 0)); }
                  else { xAddr(); xAddr(); f.op(T.load, ...memarg(ealign, 0)); cAddr(); f.op(T.load, ...memarg(ealign, 0)).op(T.fadd).op(T.store, ...memarg(ealign, 0)); }
                };
                f.ifThen(
                  () => f.get("sWb").c(T.esz).op(0x46), // contiguous
                  () => {
                    // whole vectors while k + L <= len
                    f.op(0x02, 0x40, 0x03, 0x40);
                    f.get("k").c(T.L).add().get("len").op(0x4a, 0x0d, 1); // k + L > len: leave
                    const vx = () => f.get("src").get("k").c(T.esz).mul().add();
                    const vc = () => f.get("dst").get("k").c(T.esz).mul().add();
                    if (!backward) { vc(); vx(); f.simd(0x00, ...memarg(0, 0)).simd(0x0b, ...memarg(0, 0)); }
                    else { vx(); vx(); f.simd(0x00, ...memarg(0, 0)); vc(); f.simd(0x00, ...memarg(0, 0)).simd(T.add).simd(0x0b, ...memarg(0, 0)); }
                    f.inc("k", T.L);
                    f.op(0x0c, 0, 0x0b, 0x0b);
                    // the rest one by one
                    f.op(0x02, 0x40, 0x03, 0x40);
                    f.get("k").get("len").op(0x4e, 0x0d, 1);
                    elem("esz");
                    f.inc("k", 1);
                    f.op(0x0c, 0, 0x0b, 0x0b);
                  },
                  () => {
                    f.op(0x02, 0x40, 0x03, 0x40);
                    f.get("k").get("len").op(0x4e, 0x0d, 1);
                    elem("sWb");
                    f.inc("k", 1);
                    f.op(0x0c, 0, 0x0b, 0x0b);
                  },
                );
              },
            );
            f.inc("d", "rowBytes");
          });
        });
      });
    });
  });
  return f;
}

/** The module; `fused` uses relaxed-SIMD fused multiply-adds in the micro-kernel. */
function moduleBytes(fused = false) {
  const fns = [];
  const exportsList = [];
  for (const t of ["f32", "f64"]) {
    fns.push({ name: `pack_a_${t}`, f: pack(t, MR), nparams: 6 });
    fns.push({ name: `pack_b_${t}`, f: pack(t, CONFIG[t].NR), nparams: 6 });
    fns.push({ name: `macro_${t}`, f: macro(t, fused), nparams: 9 });
    fns.push({ name: `add_rows_${t}`, f: addRows(t), nparams: 4 });
    fns.push({ name: `relu_${t}`, f: relu(t, false), nparams: 3 });
    fns.push({ name: `relu_bwd_${t}`, f: relu(t, true), nparams: 4 });
    fns.push({ name: `im2col_${t}`, f: convCopy(t, false), nparams: 3 });
    fns.push({ name: `col2im_${t}`, f: convCopy(t, true), nparams: 3 });
    fns.push({ name: `add_cols_${t}`, f: addCols(t), nparams: 4 });
  }
  // One type per parameter count (all i32, no results).
  const counts = [...new Set(fns.map((x) => x.nparams))];
  const types = counts.map((n) => [0x60, ...vec(new Array(n).fill([I32])), 0x00]);
  const typeSec = section(1, vec(types));
  // The memory is shared (limits flag 3: shared, with a maximum), so that a worker thread can run
  // part of a product on the same buffers (kernel/src/tensor/wasm/threads.ts).
  const importSec = section(2, vec([[...str("env"), ...str("mem"), 0x02, 0x03, ...uleb(1), ...uleb(MAX_PAGES)]]));
  const funcSec = section(3, vec(fns.map((x) => uleb(counts.indexOf(x.nparams)))));
  fns.forEach((x, i) => exportsList.push([...str(x.name), 0x00, ...uleb(i)]));
  const exportSec = section(7, vec(exportsList));
  const codeSec = section(10, vec(fns.map((x) => x.f.bytes())));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...typeSec, ...importSec, ...funcSec, ...exportSec, ...codeSec]);
}

const OUT = path.join(__dirname, "..", "src", "tensor", "wasm", "gemm_bytes.ts");

function source() {
  return [
    "// Generated by kernel/scripts/gen_gemm_wasm.cjs: do not edit. The WebAssembly SIMD matrix-product",
    "// module (see that script for what each export computes), base64-encoded: GEMM_WASM with",
    "// multiply-then-add, GEMM_WASM_FUSED with relaxed-SIMD fused multiply-adds.",
    `export const MR = ${MR};`,
    `export const NR_F32 = ${CONFIG.f32.NR};`,
    `export const NR_F64 = ${CONFIG.f64.NR};`,
    "export const GEMM_WASM_BASE64 =",
    base64Lines(moduleBytes(false)) + ";",
    "export const GEMM_WASM_FUSED_BASE64 =",
    base64Lines(moduleBytes(true)) + ";",
    "",
  ].join("\n");
}

module.exports = { MR, MAX_PAGES, CONFIG, CONV_FIELDS, moduleBytes, source, OUT };

if (require.main === module) {
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, source());
  console.log(`wrote ${path.relative(process.cwd(), OUT)} (${moduleBytes(false).length} + ${moduleBytes(true).length} bytes of wasm)`);
}
