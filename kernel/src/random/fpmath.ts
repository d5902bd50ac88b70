/**
 * Exact floating-point building blocks that JavaScript lacks: error-free sum and product
 * transformations, a correctly rounded fused multiply-add for doubles (`fma`) and for floats
 * (`fmaf`). PyTorch's CPU kernels are compiled with FMA contraction, so reproducing them bit for
 * bit needs these.
 *
 *   twoSum(a, b)  = (s, e) with s = RN(a + b) and s + e = a + b exactly        (Knuth)
 *   twoProd(a, b) = (p, e) with p = RN(a · b) and p + e = a · b exactly        (Dekker/Veltkamp)
 *
 * fma(a, b, c) = RN(a·b + c): with a·b = p + e exactly and (s, t) = twoSum(p, c), the exact value is
 * s + t + e. We add t + e rounding to odd (sticky last bit), then add that to s rounding to nearest;
 * Boldo & Melquiond (2008) show the odd-rounded intermediate makes the final rounding correct.
 * fmaf(a, b, c) for floats: a·b is exact in a double (24 + 24 bits), and a double rounded to odd
 * (53 ≥ 24 + 2 bits) then rounded to float gives the correctly rounded float.
 */

const SPLITTER = 134217729; // 2^27 + 1

/** Scratch outputs of the error-free transformations (avoids allocating pairs in hot loops). */
export let errOut = 0;

/** RN(a + b); the exact error goes to `errOut`. */
export function twoSum(a: number, b: number): number {
  const s = a + b;
  const bb = s - a;
  errOut = a - (s - bb) + (b - bb);
  return s;
}

/** RN(a · b); the exact error goes to `errOut` (inputs must not overflow when split). */
export function twoProd(a: number, b: number): number {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  errOut = al * bl - (p - ah * bh - al * bh - ah * bl);
  return p;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** RN(a + b) rounded to odd instead: if inexact, force the last mantissa bit to 1. */
function addRoundOdd(a: number, b: number): number {
  const s = twoSum(a, b);
  const e = errOut;
  if (e === 0 || !Number.isFinite(s)) return s;
  return oddStep(s, e);
}

/**
 * Correctly rounded a·b + c in double precision (C's `fma`). The same steps as
 * twoProd → twoSum → addRoundOdd → final sum (file comment), written out with locals only: the
 * module-level `errOut` costs a heap-number store per call when read across modules, which made
 * sincos (≈15 fma per call) allocation-bound. Results are identical, including NaN for finite
 * operands whose split overflows (|a| or |b| ≳ 2^996), as before.
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  if (!Number.isFinite(p) || !Number.isFinite(c)) return p + c;
  // twoProd: a·b = p + e exactly (Veltkamp split, Dekker product)
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const e = al * bl - (p - ah * bh - al * bh - ah * bl);
  if (e === 0) return p + c;
  // twoSum: p + c = s + r exactly
  const s = p + c;
  const sb = s - p;
  const r = p - (s - sb) + (c - sb);
  // r + e rounded to odd (addRoundOdd, inlined)
  const v = r + e;
  const vb = v - r;
  const w = r - (v - vb) + (e - vb);
  if (w === 0 || !Number.isFinite(v)) return s + v;
  return s + oddStep(v, w);
}

/**
 * v = RN(x + y) with nonzero error w: v rounded to odd instead. If v is even, the exact value lies
 * strictly between v and its neighbour towards w; step to that (odd) neighbour: away from zero
 * increments the magnitude bits, towards zero decrements them. (Kept out of `fma` so that fma
 * stays small enough for V8 to inline.)
 */
function oddStep(v: number, w: number): number {
  f64[0] = v;
  const lo = u32[0];
  if ((lo & 1) === 0) {
    if ((w > 0) === (v > 0)) {
      u32[0] = (lo + 1) >>> 0;
      if (u32[0] === 0) u32[1]++;
    } else {
      u32[0] = (lo - 1) >>> 0;
      if (lo === 0) u32[1]--;
    }
    return f64[0];
  }
  return v;
}

/** Correctly rounded a·b + c in single precision (C's `fmaf`); a, b, c must be floats. */
export function fmaf(a: number, b: number, c: number): number {
  return Math.fround(addRoundOdd(a * b, c));
}
