/**
 * glibc's double-precision `sincos` (the IBM Accurate Mathematical Library algorithm glibc 2.28+
 * ships, built for x86-64 with FMA), reproduced operation for operation so that PyTorch's Box-Muller
 * samples match bit for bit. Every `a·b ± c` that glibc's compiler fuses is an `fma` here (read
 * from the machine code of glibc 2.36).
 *
 * Method. Let x_i = i/128 with sin x_i and cos x_i tabulated as double-doubles (sn + ssn, cs + ccs).
 * For an argument a + da (|a| ≤ 0.855), x_i = the nearest grid point (found by adding 1.5·2^45,
 * whose last bit weighs 2^-7) and x = |a| − x_i (+ da for cos):
 *   sin x ≈ x + x³·(sn3 + x²·sn5),  1 − cos x ≈ x²·(cs2 + x²·(cs4 + x²·cs6))
 *   sin(x_i + x) = sn + [(ssn + s·ccs − sn·c) + cs·s],   cos(x_i + x) = cs + [(ccs − s·ssn − cs·c) − sn·s]
 * and for |a| < 0.126 sin uses the Taylor polynomial a + ((P(a²)·a − da/2)·a² + da) instead.
 * Arguments: |x| < 2^-27 → (x, 1); |x| < 0.855469 → directly; |x| < 2.426265 → π/2 − |x| in two
 * parts (sin and cos swap); |x| < 105414350 → x − n·π/2 with π/2 in four parts (136 bits), then the
 * quadrant n picks the function and sign. Beyond that (never reached by the samplers) we fall back
 * to the correctly rounded `sincosCR`.
 */

import { fma } from "./fpmath";
import { sincosCR, sincosOut } from "./libm";

export { sincosOut };

const SN3 = -0.16666666666666488;
const SN5 = 0.008333332142857223;
const CS2 = 0.5;
const CS4 = -0.04166666666666644;
const CS6 = 0.001388888740079376;
const S1 = -0.16666666666666666;
const S2 = 0.008333333333332329;
const S3 = -0.00019841269834414642;
const S4 = 2.755729806860771e-6;
const S5 = -2.5022014848318398e-8;
const BIG = 52776558133248; // 1.5·2^45
const HP0 = 1.5707963267948966; // π/2 = HP0 + HP1
const HP1 = 6.123233995736766e-17;
const HPINV = 0.6366197723675814; // 2/π
const TOINT = 6755399441055744; // 1.5·2^52
const MP1 = 1.5707963407039642; // π/2 ≈ MP1 + MP2 + PP3 + PP4 (MP1, MP2, PP3 short)
const MP2 = -1.3909067564377153e-8;
const PP3 = -4.97899623147991e-17;
const PP4 = -1.9034889620193266e-25;

/**
 * sin(i/128) and cos(i/128) each as hi = RN(v), lo = RN(v − hi), from Taylor series in 256-bit
 * fixed point (BigInt), so every word is correctly rounded.
 */
function tableRow(i: number): number[] {
  const F = 256n;
  const one = 1n << F;
  const x = (BigInt(i) << F) / 128n;
  const x2 = (x * x) >> F;
  let sin = 0n;
  let cos = 0n;
  let term = x; // x^(2n+1)/(2n+1)!
  for (let n = 0n; term !== 0n; n++) {
    sin += n % 2n ? -term : term;
    term = (term * x2) / ((2n * n + 2n) * (2n * n + 3n)) >> F;
  }
  term = one; // x^(2n)/(2n)!
  for (let n = 0n; term !== 0n; n++) {
    cos += n % 2n ? -term : term;
    term = (term * x2) / ((2n * n + 1n) * (2n * n + 2n)) >> F;
  }
  const scale = 2 ** -256;
  const split = (v: bigint): number[] => {
    const hi = Number(v) * scale; // Number(bigint) rounds to nearest: hi = RN(v·2^-256)
    const rest = v - BigInt(Number(v));
    return [hi, Number(rest) * scale];
  };
  return [...split(sin), ...split(cos)];
}

/** sn, ssn, cs, ccs for x_i = i/128, i = 0..109 (glibc's __sincostab, recomputed). */
const TAB = new Float64Array(440);
for (let i = 0; i < 110; i++) TAB.set(tableRow(i), 4 * i);

/** The recomputed table (for tests). */
export function sincosTable(): Float64Array {
  return TAB.slice();
}

const buf = new Float64Array(1);
const words = new Uint32Array(buf.buffer);

/** The table row of |x| (its nearest multiple of 1/128), and |x| minus that grid point. */
let rowIndex = 0;
function gridOffset(absx: number): number {
  const u = BIG + absx;
  buf[0] = u;
  rowIndex = words[0] << 2;
  return absx - (u - BIG);
}

function doCos(x: number, dx: number): number {
  if (x < 0) dx = -dx;
  const r = gridOffset(Math.abs(x)) + dx;
  const xx = r * r;
  const s = fma(r * xx, fma(xx, SN5, SN3), r);
  const c = xx * fma(fma(xx, CS6, CS4), xx, CS2);
  const k = rowIndex;
  const sn = TAB[k];
  const ssn = TAB[k + 1];
  const cs = TAB[k + 2];
  const ccs = TAB[k + 3];
  const cor = fma(-sn, s, fma(-cs, c, fma(-s, ssn, ccs)));
  return cs + cor;
}

function doSin(x: number, dx: number): number {
  if (Math.abs(x) < 0.126) {
    const xx = x * x;
    const p = fma(fma(fma(fma(S5, xx, S4), xx, S3), xx, S2), xx, S1);
    const t = fma(fma(p, x, -(0.5 * dx)), xx, dx);
    return x + t;
  }
  const negative = x < 0 || Object.is(x, -0);
  if (x <= 0) dx = -dx;
  const r = gridOffset(Math.abs(x));
  const xx = r * r;
  const s = r + fma(r * xx, fma(xx, SN5, SN3), dx);
  const c = fma(r, dx, xx * fma(fma(xx, CS6, CS4), xx, CS2));
  const k = rowIndex;
  const sn = TAB[k];
  const ssn = TAB[k + 1];
  const cs = TAB[k + 2];
  const ccs = TAB[k + 3];
  const cor = fma(cs, s, fma(-sn, c, fma(s, ccs, ssn)));
  const v = Math.abs(sn + cor);
  return negative ? -v : v;
}

function highWordAbs(x: number): number {
  buf[0] = x;
  return words[1] & 0x7fffffff;
}

/** glibc's sincos(x), into `sincosOut` (bit-identical for |x| < 105414350). */
export function sincos(x: number): void {
  const k = highWordAbs(x);
  if (k < 0x400368fd) {
    if (k < 0x3e400000) {
      // |x| < 2^-27
      sincosOut.sin = x;
      sincosOut.cos = 1;
    } else if (k < 0x3feb6000) {
      // |x| < 0.855469
      sincosOut.sin = doSin(x, 0);
      sincosOut.cos = doCos(x, 0);
    } else {
      // |x| < 2.426265: work with π/2 − |x| = a + da
      const y = HP0 - Math.abs(x);
      const a = y + HP1;
      const da = y - a + HP1;
      const c = Math.abs(doCos(a, da));
      sincosOut.sin = x < 0 ? -c : c;
      sincosOut.cos = doSin(a, da);
    }
    return;
  }
  if (k >= 0x419921fb) {
    sincosCR(x);
    return;
  }
  // x = n·π/2 + (a + da)
  const t = fma(x, HPINV, TOINT);
  const xn = t - TOINT;
  buf[0] = t;
  const n = words[0] & 3;
  const y = fma(-xn, MP2, fma(-xn, MP1, x));
  const t2 = fma(-xn, PP3, y);
  let db = fma(-xn, PP3, y - t2);
  let a = fma(-xn, PP4, t2);
  db += fma(-xn, PP4, t2 - a);
  if (n === 1 || n === 2) {
    a = -a;
    db = -db;
  }
  const s = doSin(a, db);
  const cRaw = doCos(a, db);
  const c = n & 2 ? -cRaw : cRaw;
  // odd quadrants swap the outputs
  if (n & 1) {
    sincosOut.sin = c;
    sincosOut.cos = s;
  } else {
    sincosOut.sin = s;
    sincosOut.cos = c;
  }
}
