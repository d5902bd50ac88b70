/**
 * log(1 + x), bit-identical to glibc's `log1p` (PyTorch's scalar normal path and exponential_ use
 * it). glibc keeps fdlibm's algorithm (max error < 1 ULP, not correctly rounded), so we follow it
 * step by step: 1 + x = 2^k·(1 + f) with √½ < 1 + f < √2 and a correction c for the rounding of
 * 1 + x; s = f/(2 + f); log(1+f) = f − (f²/2 − s·(f²/2 + R(s²))) with R the degree-14 Remez
 * polynomial, evaluated in glibc's (Estrin-like) grouping; plus k·ln2 in two parts. The fma() calls
 * are the operations glibc 2.36's x86-64 FMA build fuses (read from its machine code).
 */

import { fma } from "./fpmath";

const scratch = new Float64Array(1);
const scratchU = new Uint32Array(scratch.buffer);

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
