/**
 * The double-precision `log`, `log1p`, `sin` and `cos` that PyTorch's CPU sampling kernels get from
 * glibc, reproduced so that normal samples are bit-identical. V8's Math.log/sin/cos are fdlibm ports
 * whose last bit differs from glibc's in several percent of cases, so we cannot use them.
 *
 * - `log` and `sin`/`cos`: glibc's are accurate to about 0.52 ULP, i.e. they return the correctly
 *   rounded result except in rare near-halfway cases. We compute the correctly rounded value from a
 *   double-double evaluation (~106 bits):
 *     log x = k·ln2 + 2·atanh(t),  x = 2^k·m, m ∈ [√½, √2),  t = (m − 1)/(m + 1),
 *     2·atanh(t) = 2t·Σ t^(2n)/(2n+1)  (|t| ≤ 0.1716, 22 terms);
 *     sin, cos: x = q·π/2 + r with π/2 in four parts, |r| ≤ π/4, Taylor series of sin r and cos r.
 * - `log1p`: glibc keeps fdlibm's algorithm (max error < 1 ULP, not correctly rounded), so we follow
 *   that algorithm step by step: 1 + x = 2^k·(1 + f) with √½ < 1 + f < √2 and a correction c for
 *   the rounding of 1 + x; s = f/(2 + f); log(1+f) = f − (f²/2 − s·(f²/2 + R(s²))) with R the
 *   degree-14 Remez polynomial, evaluated in glibc's (Estrin-like) grouping; plus k·ln2 in two parts.
 */

import { errOut, fma, twoProd, twoSum } from "./fpmath";

// ---- double-double arithmetic: a value is hi + lo with |lo| ≤ ulp(hi)/2 ----------------------

let ddLo = 0; // second word of the last dd result

/** (ah + al) + (bh + bl) */
function ddAdd(ah: number, al: number, bh: number, bl: number): number {
  let s = twoSum(ah, bh);
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

// ---- log --------------------------------------------------------------------------------------

const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;
/** 1/(2n+1) as double-doubles, n = 0..21 */
const ATANH_C_HI: number[] = [];
const ATANH_C_LO: number[] = [];
for (let n = 0; n < 22; n++) {
  const hi = ddDiv(1, 0, 2 * n + 1, 0);
  ATANH_C_HI.push(hi);
  ATANH_C_LO.push(ddLo);
}

const scratch = new Float64Array(1);
const scratchU = new Uint32Array(scratch.buffer);

/** Correctly rounded natural logarithm (matches glibc's `log` but for rare halfway cases). */
export function log(x: number): number {
  if (!(x > 0) || x === Infinity) {
    if (x === 0) return -Infinity;
    return x === Infinity ? Infinity : NaN;
  }
  if (x === 1) return 0;
  // x = 2^k · m with m ∈ [√½, √2)
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
  // t = (m − 1)/(m + 1) in dd; m − 1 is exact (Sterbenz), m + 1 needs two words
  const num = m - 1;
  const denH = twoSum(m, 1);
  const denL = errOut;
  const tH = ddDiv(num, 0, denH, denL);
  const tL = ddLo;
  const t2H = ddMul(tH, tL, tH, tL);
  const t2L = ddLo;
  // Horner: S = Σ c_n · t2^n
  let sH = ATANH_C_HI[21];
  let sL = ATANH_C_LO[21];
  for (let n = 20; n >= 0; n--) {
    sH = ddMul(sH, sL, t2H, t2L);
    sL = ddLo;
    sH = ddAdd(sH, sL, ATANH_C_HI[n], ATANH_C_LO[n]);
    sL = ddLo;
  }
  // 2·t·S
  let yH = ddMul(tH, tL, sH, sL);
  let yL = ddLo;
  yH *= 2;
  yL *= 2;
  if (k !== 0) {
    const kH = twoProd(k, LN2_HI);
    const kL = errOut + k * LN2_LO;
    yH = ddAdd(kH, kL, yH, yL);
    yL = ddLo;
  }
  return yH + yL;
}

// ---- sin, cos ---------------------------------------------------------------------------------

const PIO2 = [1.5707963267948966, 6.123233995736766e-17, -1.4973849048591698e-33, 5.562271104316826e-50];
/** 1/(2n)! and 1/(2n+1)! as double-doubles, n = 0..16 */
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

/** Outputs of `sincos`. */
export const sincosOut = { sin: 0, cos: 0 };

/**
 * Correctly rounded sin x and cos x (matching glibc's `sincos` but for rare halfway cases), into
 * `sincosOut`. Accurate for |x| up to about 2^30, far beyond the [0, 2π) the samplers use.
 */
export function sincos(x: number): void {
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
  for (let i = 0; i < 4; i++) {
    const p = twoProd(q, PIO2[i]);
    const pe = errOut;
    rH = ddAdd(rH, rL, -p, -pe);
    rL = ddLo;
  }
  const r2H = ddMul(rH, rL, rH, rL);
  const r2L = ddLo;
  // cos r = Σ (−1)^n r^(2n)/(2n)!, sin r = r·Σ (−1)^n r^(2n)/(2n+1)!
  let cH = COS_C_HI[16];
  let cL = COS_C_LO[16];
  let sH = SIN_C_HI[16];
  let sL = SIN_C_LO[16];
  for (let n = 15; n >= 0; n--) {
    cH = ddMul(cH, cL, r2H, r2L);
    cL = ddLo;
    cH = ddAdd(cH, cL, COS_C_HI[n], COS_C_LO[n]);
    cL = ddLo;
    sH = ddMul(sH, sL, r2H, r2L);
    sL = ddLo;
    sH = ddAdd(sH, sL, SIN_C_HI[n], SIN_C_LO[n]);
    sL = ddLo;
  }
  sH = ddMul(sH, sL, rH, rL);
  sL = ddLo;
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

// ---- log1p (fdlibm's algorithm, in glibc's evaluation order) ------------------------------------

const L_HI = 6.93147180369123816490e-1; // ln2 high part: k·L_HI is exact for |k| < 2000
const L_LO = 1.90821492927058770002e-10;
const LP1 = 6.666666666666735130e-1;
const LP2 = 3.999999999940941908e-1;
const LP3 = 2.857142874366239149e-1;
const LP4 = 2.222219843214978396e-1;
const LP5 = 1.818357216161805012e-1;
const LP6 = 1.531383769920937332e-1;
const LP7 = 1.479819860511658591e-1;

function highWord(x: number): number {
  scratch[0] = x;
  return scratchU[1] | 0;
}

/** log(1 + x), bit-identical to glibc's `log1p`. */
export function log1p(x: number): number {
  const hx = highWord(x);
  const ax = hx & 0x7fffffff;
  let k = 1;
  let f = 0;
  let c = 0;
  let hu = 0;
  if (hx < 0x3fda827a) {
    // x < 0.41422
    if (ax >= 0x3ff00000) {
      // x ≤ −1
      if (x === -1) return -Infinity;
      return NaN;
    }
    if (ax < 0x3e200000) {
      // |x| < 2^-29: two terms of the series suffice
      if (ax < 0x3c900000) return x;
      return fma(-(x * x), 0.5, x);
    }
    if (hx > 0 || hx <= (0xbfd2bec3 | 0)) {
      // −0.2929 < x < 0.41422: 1 + x needs no reduction
      k = 0;
      f = x;
      hu = 1;
    }
  } else if (hx >= 0x7ff00000) {
    return x + x;
  }
  if (k !== 0) {
    let u: number;
    if (hx < 0x43400000) {
      u = 1 + x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      // c = the part of 1 + x lost when rounding u, relative to u
      c = k > 0 ? 1 - (u - x) : x - (u - 1);
      c /= u;
    } else {
      u = x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    scratch[0] = u;
    if (hu < 0x6a09e) {
      scratchU[1] = hu | 0x3ff00000; // u normalised to [1, √2)
    } else {
      k += 1;
      scratchU[1] = hu | 0x3fe00000; // u/2 normalised to [√½, 1)
      hu = (0x00100000 - hu) >> 2;
    }
    u = scratch[0];
    f = u - 1;
  }
  // glibc builds log1p for FMA machines with contraction on; the fma() calls below are exactly the
  // fused operations in glibc 2.36's x86-64 FMA build (read from its machine code).
  const hfsq = 0.5 * f * f;
  if (hu === 0) {
    // |f| < 2^-20
    if (f === 0) {
      if (k === 0) return 0;
      c = fma(k, L_LO, c);
      return fma(k, L_HI, c);
    }
    const R = hfsq * fma(-0.66666666666666666, f, 1);
    if (k === 0) return f - R;
    return fma(k, L_HI, -((R - fma(k, L_LO, c)) - f));
  }
  const s = f / (2 + f);
  const z = s * s;
  const z2 = z * z;
  const R2 = fma(z, LP3, LP2);
  const z4 = z2 * z2;
  const R3 = fma(z, LP5, LP4);
  const z6 = z4 * z2;
  const R4 = fma(z, LP7, LP6);
  const R = fma(z6, R4, fma(z4, R3, fma(z, LP1, z2 * R2)));
  // (glibc's compiler does not fuse s·(hfsq + R) with what follows)
  const sR = s * (hfsq + R);
  if (k === 0) return f - (hfsq - sR);
  return fma(k, L_HI, -((hfsq - (sR + fma(k, L_LO, c))) - f));
}
