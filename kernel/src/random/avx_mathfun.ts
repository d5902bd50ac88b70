/**
 * The float32 Box-Muller block PyTorch's CPU kernel runs for `normal_` on float32 tensors of 16 or
 * more elements (NormalFill16<float> in ATen's cpu/DistributionTemplates.h, AVX2 build — PyTorch
 * dispatches normal_ to its AVX2 kernel even on AVX-512 machines). It uses Cephes-style
 * polynomial approximations of log, sin and cos in single precision (avx_mathfun.h), and the
 * compiler fuses several multiply-adds; we reproduce the exact sequence of float operations of
 * the shipped binary (PyTorch 2.13, x86-64), each rounded to float32, fused ones with `fmaf`.
 *
 * For one block of 16 uniforms d[0..15] in [0, 1), for j = 0..7:
 *   u1 = 1 − d[j],  u2 = d[j+8]
 *   radius = √(−2 · log(u1)),  θ = 2π · u2
 *   d[j] = radius·cos θ · std + mean,  d[j+8] = radius·sin θ · std + mean   (last step fused)
 *
 * log(x), x = 2^e·m with m ∈ [½, 1):  if m < √½ then (e, m) ← (e − 1, 2m); f = m − 1;
 *   log x ≈ f + f³·P(f) − f²/2 + e·q1 + e·q2   (q1 + q2 = ln 2 split, P of degree 8)
 * sin/cos(θ): j = 2·⌈⌊θ·4/π⌋/2⌉ (even octant), r = θ − j·π/4 (π/4 in three parts, fused);
 *   cos r ≈ 1 − r²/2 + r⁴·C(r²),  sin r ≈ r + r³·S(r²); octant j picks which one and the signs.
 */

import { fmaf } from "./fpmath";

const f = Math.fround;

// Constants as the binary holds them (float32).
const MIN_NORM_POS = 1.1754943508222875e-38;
const SQRTHF = f(0.707106781186547524);
const LOG_P = [
  7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(f);
const LOG_Q1 = f(-2.12194440e-4);
const LOG_Q2 = f(0.693359375);
const FOPI = f(1.27323954473516); // 4/π
const DP1 = f(-0.78515625);
const DP2 = f(-2.4187564849853515625e-4);
const DP3 = f(-3.77489497744594108e-8);
const SINCOF = [f(-1.9515295891e-4), f(8.3321608736e-3), f(-1.6666654611e-1)];
const COSCOF = [f(2.443315711809948e-5), f(-1.388731625493765e-3), f(4.166664568298827e-2)];
/** 2π as the kernel rounds it: (float)(2.0f · π) */
export const TWO_PI_F = f(2 * Math.PI);

const fbuf = new Float32Array(1);
const ubuf = new Uint32Array(fbuf.buffer);

/** The kernel's single-precision log (avx_mathfun's log256_ps, with the binary's fusions). */
export function logf_avx(x0: number): number {
  if (x0 <= 0) return NaN; // the kernel ORs an all-ones mask in: NaN
  const x1 = x0 > MIN_NORM_POS ? x0 : MIN_NORM_POS;
  fbuf[0] = x1;
  const bits = ubuf[0];
  let e = f((bits >>> 23) - 127) + 1;
  ubuf[0] = (bits & ~0x7f800000) | 0x3f000000; // mantissa with exponent of ½: m ∈ [½, 1)
  const m = fbuf[0];
  let x: number;
  if (m < SQRTHF) {
    e -= 1;
    x = f(f(m - 1) + m);
  } else {
    x = f(m - 1);
  }
  const z = f(x * x);
  let y = fmaf(LOG_P[0], x, LOG_P[1]);
  for (let i = 2; i < 9; i++) y = fmaf(y, x, LOG_P[i]);
  const eq1 = f(e * LOG_Q1);
  y = f(x * y);
  y = fmaf(y, z, eq1);
  y = fmaf(-z, 0.5, y);
  x = f(x + y);
  return fmaf(e, LOG_Q2, x);
}

/** Outputs of `sincosf_avx`. */
export const sincosfOut = { sin: 0, cos: 0 };

/** The kernel's single-precision sin and cos (avx_mathfun's sincos256_ps, with its fusions). */
export function sincosf_avx(theta: number): void {
  const ax = Math.abs(theta);
  const negative = theta < 0 || Object.is(theta, -0);
  const y0 = f(ax * FOPI);
  let j = Math.trunc(y0) | 0; // cvttps2dq
  j = (j + 1) & ~1;
  const yj = j; // exact as a float for the ranges used
  const flipSin = ((j & 4) !== 0) !== negative;
  const usePolyForSinR = (j & 2) === 0;
  const flipCos = (~(j - 2) & 4) !== 0;
  let x = fmaf(yj, DP1, ax);
  x = fmaf(DP2, yj, x);
  x = fmaf(yj, DP3, x);
  const z = f(x * x);
  const half = f(z * 0.5);
  let yc = fmaf(COSCOF[0], z, COSCOF[1]);
  yc = fmaf(yc, z, COSCOF[2]);
  yc = f(z * yc);
  yc = fmaf(z, yc, -half);
  yc = f(yc + 1);
  let ys = fmaf(SINCOF[0], z, SINCOF[1]);
  ys = fmaf(ys, z, SINCOF[2]);
  ys = f(z * ys);
  ys = fmaf(x, ys, x);
  const s = usePolyForSinR ? ys : yc;
  const c = usePolyForSinR ? yc : ys;
  sincosfOut.sin = flipSin ? -s : s;
  sincosfOut.cos = flipCos ? -c : c;
}

/**
 * Turns 16 uniforms data[off..off+15] into 16 normals in place, as the kernel does (see above).
 * `mean` and `std` must already be float32 values.
 */
export function normalFill16Float(data: Float32Array, off: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = f(1 - data[off + j]);
    const u2 = data[off + j + 8];
    const radius = f(Math.sqrt(f(-2 * logf_avx(u1))));
    const theta = f(TWO_PI_F * u2);
    sincosf_avx(theta);
    const n1 = f(radius * sincosfOut.cos);
    const n2 = f(radius * sincosfOut.sin);
    data[off + j] = fmaf(n1, std, mean);
    data[off + j + 8] = fmaf(n2, std, mean);
  }
}
