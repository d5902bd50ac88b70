/**
 * Correctly rounded `log` and `sin`/`cos` in double-double arithmetic. PyTorch's CPU sampling
 * kernels get log, log1p and sincos from glibc (log1p.ts and sincos.ts reproduce those two exactly);
 * V8's Math.log/log1p/sin/cos are fdlibm ports whose last bit differs from glibc's in 0.1–7% of
 * cases, so we cannot use them.
 *
 * - `log`: glibc's (accurate to 0.52 ULP) returns the correctly rounded result except in rare
 *   near-halfway cases (≈0.1% of inputs); reproducing those needs glibc's private 128-entry table
 *   (chosen by a search we cannot redo), so the float64 normal sampler calls the C library's own
 *   log when the addon is built (native_libm.ts) and otherwise this correctly rounded value,
 *   computed in double-double (~106 bits):
 *     log x = k·ln2 + log c + 2·atanh(t),  x = 2^k·m, m ∈ [√½, √2),  t = (m − c)/(m + c),
 *     2·atanh(t) = 2t·Σ t^(2n)/(2n+1), c = 1 + i/128 a table point (log c tabulated at load);
 *     sin, cos: x = q·π/2 + r with π/2 in four parts, |r| ≤ π/4, r = j/64 + δ, angle addition
 *     with tabulated sin/cos(j/64) and Taylor series of sin δ and cos δ.
 *   The tables are computed when the module loads, from the same series with more terms.
 */

import { errOut, twoProd, twoSum } from "./fpmath";

// ---- double-double arithmetic: a value is hi + lo with |lo| ≤ ulp(hi)/2 ----------------------

let ddLo = 0; // second word of the last dd result

/** (ah + al) + (bh + bl) */
function ddAdd(ah: number, al: number, bh: number, bl: number): number {
  const s = twoSum(ah, bh);
  let e = errOut;
  e += al + bl;
  const hi = s + e;
  ddLo = e - (hi - s);
  return hi;
}

/** (ah + al) · (bh + bl) */
function ddMul(ah: number, al: number, bh: number, bl: number): number {
  const p = twoProd(ah, bh);
  let e = errOut;
  e += ah * bl + al * bh;
  const hi = p + e;
  ddLo = e - (hi - p);
  return hi;
}

/** (ah + al) / (bh + bl), to about 104 bits */
function ddDiv(ah: number, al: number, bh: number, bl: number): number {
  const q1 = ah / bh;
  // remainder r = a − q1·b, in dd
  const ph = ddMul(q1, 0, bh, bl);
  const pl = ddLo;
  const rh = ddAdd(ah, al, -ph, -pl);
  const rl = ddLo;
  const q2 = rh / bh;
  const ph2 = ddMul(q2, 0, bh, bl);
  const pl2 = ddLo;
  const r2 = ddAdd(rh, rl, -ph2, -pl2);
  const q3 = r2 / bh;
  // q1 + q2 + q3, renormalised
  const s = ddAdd(q1, 0, q2, 0);
  return ddAdd(s, ddLo, q3, 0);
}

// ---- log ----------------------------------------------------------------------------------------

const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;

const scratch = new Float64Array(1);
const scratchU = new Uint32Array(scratch.buffer);

/** Σ_{n<terms} t2^n/(2n+1) for t2 = t² in dd (Horner), times 2t: 2·atanh(t) in dd. */
function atanh2(tH: number, tL: number, terms: number): number {
  const t2H = ddMul(tH, tL, tH, tL);
  const t2L = ddLo;
  let sH = ATANH_C_HI[terms - 1];
  let sL = ATANH_C_LO[terms - 1];
  for (let n = terms - 2; n >= 0; n--) {
    sH = ddMul(sH, sL, t2H, t2L);
    sL = ddLo;
    sH = ddAdd(sH, sL, ATANH_C_HI[n], ATANH_C_LO[n]);
    sL = ddLo;
  }
  const yH = ddMul(tH, tL, sH, sL);
  ddLo *= 2;
  return yH * 2;
}

/** log(m) in dd for m ∈ [√½, √2), without tables: 22 terms of 2·atanh((m−1)/(m+1)). */
function logSlow(m: number): number {
  const denH = twoSum(m, 1);
  const denL = errOut;
  const tH = ddDiv(m - 1, 0, denH, denL); // m − 1 is exact (Sterbenz)
  return atanh2(tH, ddLo, 22);
}

/** 1/(2n+1) as double-doubles, n = 0..21 */
const ATANH_C_HI: number[] = [];
const ATANH_C_LO: number[] = [];
for (let n = 0; n < 22; n++) {
  ATANH_C_HI.push(ddDiv(1, 0, 2 * n + 1, 0));
  ATANH_C_LO.push(ddLo);
}

/** log(c_i) in dd for the table points c_i = 1 + i/128, i = −38..53 (covering [√½, √2)). */
const LOG_T_OFF = 38;
const LOG_T_HI: number[] = [];
const LOG_T_LO: number[] = [];
for (let i = -LOG_T_OFF; i <= 53; i++) {
  const c = 1 + i / 128;
  // c < √½ for i = −38: log c = log(2c) − ln 2
  let h = logSlow(c < Math.SQRT1_2 ? 2 * c : c);
  let l = ddLo;
  if (c < Math.SQRT1_2) {
    h = ddAdd(h, l, -LN2_HI, -LN2_LO);
    l = ddLo;
  }
  LOG_T_HI.push(h);
  LOG_T_LO.push(l);
}

/**
 * Correctly rounded natural logarithm (matches glibc's `log` but for rare halfway cases).
 * x = 2^k·m, m ∈ [√½, √2); c = 1 + i/128 the nearest table point; then
 * log x = k·ln2 + log c + 2·atanh((m − c)/(m + c)), |(m − c)/(m + c)| < 2^-8, 8 terms; all in dd.
 */
export function log(x: number): number {
  if (!(x > 0) || x === Infinity) {
    if (x === 0) return -Infinity;
    return x === Infinity ? Infinity : NaN;
  }
  if (x === 1) return 0;
  const yH = logDd(x);
  return yH + ddLo;
}

/** log x as a double-double [hi, lo] (x positive, finite, ≠ 1): for tables of other routines. */
export function logDoubleDouble(x: number): [number, number] {
  const yH = logDd(x);
  return [yH, ddLo];
}

/** The double-double log of a positive finite x ≠ 1 (see `log`): returns hi, the low word in ddLo. */
function logDd(x: number): number {
  let k = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984; // 2^54: make subnormals normal
    k = -54;
  }
  scratch[0] = x;
  const hiWord = scratchU[1];
  k += (hiWord >>> 20) - 1023;
  scratchU[1] = (hiWord & 0x000fffff) | 0x3ff00000; // m ∈ [1, 2)
  let m = scratch[0];
  if (m > Math.SQRT2) {
    m *= 0.5; // exact
    k += 1;
  }
  const i = Math.round((m - 1) * 128);
  const c = 1 + i / 128;
  // t = (m − c)/(m + c): m − c is exact (Sterbenz), m + c needs two words
  const denH = twoSum(m, c);
  const denL = errOut;
  const tH = ddDiv(m - c, 0, denH, denL);
  let yH = atanh2(tH, ddLo, 8);
  let yL = ddLo;
  if (i !== 0) {
    yH = ddAdd(LOG_T_HI[i + LOG_T_OFF], LOG_T_LO[i + LOG_T_OFF], yH, yL);
    yL = ddLo;
  }
  if (k !== 0) {
    const kH = twoProd(k, LN2_HI);
    const kL = errOut + k * LN2_LO;
    yH = ddAdd(kH, kL, yH, yL);
    yL = ddLo;
  }
  ddLo = yL;
  return yH;
}

// ---- sin, cos ---------------------------------------------------------------------------------

const PIO2 = [1.5707963267948966, 6.123233995736766e-17, -1.4973849048591698e-33, 5.562271104316826e-50];
/** (−1)^n/(2n)! and (−1)^n/(2n+1)! as double-doubles, n = 0..16 */
const COS_C_HI: number[] = [];
const COS_C_LO: number[] = [];
const SIN_C_HI: number[] = [];
const SIN_C_LO: number[] = [];
{
  let fH = 1;
  let fL = 0; // 1/j! as dd
  for (let j = 0; j <= 33; j++) {
    if (j > 0) {
      fH = ddDiv(fH, fL, j, 0);
      fL = ddLo;
    }
    if (j % 2 === 0) {
      COS_C_HI.push(j % 4 === 0 ? fH : -fH);
      COS_C_LO.push(j % 4 === 0 ? fL : -fL);
    } else {
      SIN_C_HI.push(j % 4 === 1 ? fH : -fH);
      SIN_C_LO.push(j % 4 === 1 ? fL : -fL);
    }
  }
}

let sinH = 0;
let sinL = 0;
let cosH = 0;
let cosL = 0;

/** sin and cos of the dd r (|r| small) by `terms` terms of their Taylor series, into sinH/L, cosH/L. */
function taylorSinCos(rH: number, rL: number, terms: number): void {
  const r2H = ddMul(rH, rL, rH, rL);
  const r2L = ddLo;
  let cH = COS_C_HI[terms - 1];
  let cL = COS_C_LO[terms - 1];
  let sH = SIN_C_HI[terms - 1];
  let sL = SIN_C_LO[terms - 1];
  for (let n = terms - 2; n >= 0; n--) {
    cH = ddMul(cH, cL, r2H, r2L);
    cL = ddLo;
    cH = ddAdd(cH, cL, COS_C_HI[n], COS_C_LO[n]);
    cL = ddLo;
    sH = ddMul(sH, sL, r2H, r2L);
    sL = ddLo;
    sH = ddAdd(sH, sL, SIN_C_HI[n], SIN_C_LO[n]);
    sL = ddLo;
  }
  sinH = ddMul(sH, sL, rH, rL);
  sinL = ddLo;
  cosH = cH;
  cosL = cL;
}

/** sin(j/64) and cos(j/64) in dd, j = 0..51 (covering π/4 + 1/128), from 17-term series. */
const TAB_SIN_H: number[] = [];
const TAB_SIN_L: number[] = [];
const TAB_COS_H: number[] = [];
const TAB_COS_L: number[] = [];
for (let j = 0; j <= 51; j++) {
  taylorSinCos(j / 64, 0, 17);
  TAB_SIN_H.push(sinH);
  TAB_SIN_L.push(sinL);
  TAB_COS_H.push(cosH);
  TAB_COS_L.push(cosL);
}

/** Outputs of `sincosCR` (and of `sincos` in sincos.ts). */
export const sincosOut = { sin: 0, cos: 0 };

/**
 * Correctly rounded sin x and cos x, into `sincosOut` (glibc's own algorithm is in sincos.ts; this
 * one serves beyond its range and as a reference). x = q·π/2 + r (π/2 in four parts, |r| ≤ π/4); r = a + δ with a = j/64 a table
 * point and |δ| ≤ 1/128; sin r = sin a·cos δ + cos a·sin δ, cos r = cos a·cos δ − sin a·sin δ,
 * with 6-term series for δ; all in dd. Accurate for |x| up to about 2^30, far beyond the [0, 2π)
 * the samplers use.
 */
export function sincosCR(x: number): void {
  if (!Number.isFinite(x)) {
    sincosOut.sin = NaN;
    sincosOut.cos = NaN;
    return;
  }
  if (x === 0) {
    sincosOut.sin = x;
    sincosOut.cos = 1;
    return;
  }
  const q = Math.round(x / PIO2[0]);
  // r = x − q·π/2 in dd, each q·PIO2[i] exactly as a product pair
  let rH = x;
  let rL = 0;
  if (q !== 0) {
    for (let i = 0; i < 4; i++) {
      const p = twoProd(q, PIO2[i]);
      const pe = errOut;
      rH = ddAdd(rH, rL, -p, -pe);
      rL = ddLo;
    }
  }
  const j = Math.round(rH * 64);
  const aj = Math.abs(j);
  // δ = r − j/64: exact in the high word (Sterbenz) when j ≠ 0
  const dH = ddAdd(rH - j / 64, 0, rL, 0);
  taylorSinCos(dH, ddLo, 6);
  let sH = sinH;
  let sL = sinL;
  let cH = cosH;
  let cL = cosL;
  if (j !== 0) {
    const saH = j < 0 ? -TAB_SIN_H[aj] : TAB_SIN_H[aj];
    const saL = j < 0 ? -TAB_SIN_L[aj] : TAB_SIN_L[aj];
    const caH = TAB_COS_H[aj];
    const caL = TAB_COS_L[aj];
    const p1 = ddMul(saH, saL, cH, cL);
    const p1l = ddLo;
    const p2 = ddMul(caH, caL, sH, sL);
    const p2l = ddLo;
    const p3 = ddMul(caH, caL, cH, cL);
    const p3l = ddLo;
    const p4 = ddMul(saH, saL, sH, sL);
    const p4l = ddLo;
    sH = ddAdd(p1, p1l, p2, p2l);
    sL = ddLo;
    cH = ddAdd(p3, p3l, -p4, -p4l);
    cL = ddLo;
  }
  const sinR = sH + sL;
  const cosR = cH + cL;
  switch (((q % 4) + 4) % 4) {
    case 0:
      sincosOut.sin = sinR;
      sincosOut.cos = cosR;
      break;
    case 1:
      sincosOut.sin = cosR;
      sincosOut.cos = -sinR;
      break;
    case 2:
      sincosOut.sin = -sinR;
      sincosOut.cos = -cosR;
      break;
    default:
      sincosOut.sin = -cosR;
      sincosOut.cos = sinR;
  }
}
