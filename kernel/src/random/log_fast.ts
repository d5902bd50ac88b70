/**
 * `logFast(x)`: the same bits as libm.ts's correctly rounded `log(x)`, ~15× faster, by Ziv's
 * strategy: evaluate log x as hi + lo with a proven relative error below 2^-66, return RN(hi + lo)
 * when every value within the error bound rounds to it, and otherwise (≈ 1 input in 5000) call the
 * double-double `log`. Both return the correctly rounded log, so they agree bit for bit.
 *
 * Method. x = 2^k·m, m ∈ [√½, √2] (as in `log`). invc = n/256 with n = round(256/m) ∈ [181, 362]
 * (a 9-bit number), L = −log(invc) tabulated as a double-double (Lh + Ll, from libm's ~106-bit
 * log), and
 *     log x = k·ln2 + L + log1p(r),   r = m·invc − 1,   |r| ≤ m·(2^-9 + 2^-60) < 2^-8.49.
 * r is computed EXACTLY: m is a multiple of 2^-53 and invc of 2^-8, so r is a multiple of 2^-61
 * below 2^-8.49 in magnitude, i.e. < 2^52.51 units: representable. With m = mh + ml, mh = m with
 * its 10 low significand bits cleared (≤ 43 bits), mh·invc (≤ 52 bits) and ml·invc (≤ 19 bits)
 * are exact products, mh·invc − 1 is exact (Sterbenz: mh·invc ∈ [½, 2]), and the final sum is
 * exact because its result, r, is representable.
 *     log1p(r) = r − r²/2 + r³·q(r),  q(r) = 1/3 − r/4 + … + r⁶/9 (terms to r⁹),
 * with r² = P + Pe exactly (Dekker's product), halves exact.
 *     hi + lo = twoSum chain of k·ln2_hi (exact: ln2_hi has 41 bits, |k| < 2^11), Lh, r, −P/2;
 *     lo = the chain's exact errors + Ll + k·ln2_lo − Pe/2 + r³·q.
 * Error budget (relative to |log x|):
 *  - k = 0, invc = 1 (log x ≈ r): truncation |r|^10/10 ≤ 2^-88·|r|; evaluating r³·q in double
 *    (|r³q| ≤ 2^-26.5|r|, ≤ 10 roundings of 2^-53 each) ≤ 2^-75·|r|; |log1p(r)| ≥ |r|(1 − 2^-9).
 *  - k = 0, invc ≠ 1: then |m − 1| > 2^-9.6, |log x| > 2^-9.7; absolute errors: r³q ≤ 2^-77.5,
 *    Ll (dd table, 2^-100·|L| ≤ 2^-106) → relative ≤ 2^-67.
 *  - k ≠ 0: |log x| ≥ ln2 − ln√2 > 0.34; k·ln2_lo's rounding ≤ 2^11·2^-42·2^-53, ln2's own dd error
 *    ≤ 2^11·2^-106, plus the above: relative ≤ 2^-75.
 *  - summing lo (≤ 8 terms, each ≤ 2^-51·|log x|): ≤ 2^-100·|log x|.
 * So |log x − (hi + lo)| < 2^-66·|log x| ≤ 2^-65·|yh| with yh = RN(hi + lo); the test below
 * widens that to EPS = 2^-62·|yh|, which also covers the rounding of yl ± δ (≤ 2^-106·|yh|).
 * Rounding test: yh = RN(hi + lo), yl = the exact remainder; if RN(yh + RN(yl ± δ)) = yh for both
 * signs, the exact log (within [yh + yl − δ, yh + yl + δ]) rounds to yh by monotonicity of RN.
 * Tested against `log` on tens of millions of inputs (test/random/log_fast.test.ts).
 */

import { log, logDoubleDouble } from "./libm";

const LN2_HI53 = 0.6931471805599453;
const LN2_LO53 = 2.3190468138462996e-17;
/** ln 2 to 41 significant bits (so k·LN2_HI is exact for |k| < 2^11), and the rest. */
const LN2_HI = Math.round(LN2_HI53 * 2 ** 41) / 2 ** 41;
const LN2_LO = LN2_HI53 - LN2_HI + LN2_LO53; // the difference is exact; then one rounding

/** −log(n/256) as double-doubles, n = 181..362 (index n − 181). */
const N0 = 181;
const L_HI = new Float64Array(362 - N0 + 1);
const L_LO = new Float64Array(362 - N0 + 1);
for (let n = N0; n <= 362; n++) {
  if (n === 256) continue; // log 1 = 0
  const [h, l] = logDoubleDouble(n / 256);
  L_HI[n - N0] = -h;
  L_LO[n - N0] = -l;
}

const C3 = 1 / 3, C4 = -1 / 4, C5 = 1 / 5, C6 = -1 / 6, C7 = 1 / 7, C8 = -1 / 8, C9 = 1 / 9;
const SPLITTER = 134217729; // 2^27 + 1
const EPS = 2 ** -62;
const MIN_NORMAL = 2.2250738585072014e-308;

const scratch = new Float64Array(1);
const scratchU = new Uint32Array(scratch.buffer);

/** Correctly rounded natural logarithm; the same bits as libm.ts `log` for every input. */
export function logFast(x: number): number {
  if (!(x >= MIN_NORMAL) || x === Infinity || x === 1) return log(x);
  scratch[0] = x;
  const hiWord = scratchU[1];
  let k = (hiWord >>> 20) - 1023;
  scratchU[1] = (hiWord & 0x000fffff) | 0x3ff00000; // m ∈ [1, 2)
  let m = scratch[0];
  scratchU[0] &= 0xfffffc00; // mh: 10 low bits cleared
  let mh = scratch[0];
  if (m > Math.SQRT2) {
    m *= 0.5; // exact
    mh *= 0.5;
    k += 1;
  }
  const ml = m - mh; // exact
  const n = Math.round(256 / m);
  const invc = n * 0.00390625; // n/256
  const r = mh * invc - 1 + ml * invc; // exact (file comment)
  // r² = P + Pe exactly (Veltkamp split of r)
  const P = r * r;
  const ts = SPLITTER * r;
  const rh = ts - (ts - r);
  const rl = r - rh;
  const Pe = rl * rl - (P - rh * rh - 2 * rh * rl);
  const r3q = P * r * (C3 + r * (C4 + r * (C5 + r * (C6 + r * (C7 + r * (C8 + r * C9))))));
  // hi chain: k·ln2_hi + Lh + r − P/2, with exact errors e1..e3
  const a = k * LN2_HI;
  const b = L_HI[n - N0];
  const s1 = a + b;
  const bb1 = s1 - a;
  const e1 = a - (s1 - bb1) + (b - bb1);
  const s2 = s1 + r;
  const bb2 = s2 - s1;
  const e2 = s1 - (s2 - bb2) + (r - bb2);
  const h = -0.5 * P;
  const s3 = s2 + h;
  const bb3 = s3 - s2;
  const e3 = s2 - (s3 - bb3) + (h - bb3);
  const lo = e1 + e2 + e3 + (L_LO[n - N0] + k * LN2_LO) + (r3q - 0.5 * Pe);
  const yh = s3 + lo;
  const bb4 = yh - s3;
  const yl = s3 - (yh - bb4) + (lo - bb4);
  const d = Math.abs(yh) * EPS;
  if (yh + (yl + d) === yh && yh + (yl - d) === yh) return yh;
  return log(x);
}
