/**
 * Special functions in double precision that JavaScript lacks (erf, erfc), accurate to a few
 * ulps, for GELU.
 *
 * erf(x) for |x| < 2 uses the everywhere-positive series
 *     erf(x) = 2/√π · e^{-x²} · Σ_{n≥0} 2ⁿ x^{2n+1} / (1·3·5···(2n+1)),
 * whose terms never cancel (unlike the alternating Maclaurin series). For |x| ≥ 2, erfc(x) comes
 * from its continued fraction
 *     erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))),
 * evaluated with the modified Lentz method; it converges fast for x ≥ 2 and keeps erfc's tiny
 * values accurate relative to themselves (needed for GELU at very negative inputs).
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x ≥ 2 by the continued fraction (modified Lentz). */
function erfcFraction(x: number): number {
  const tiny = 1e-300;
  // f = x + a1/(x + a2/(x + ...)), a_k = k/2.
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2) return x < 0 ? -erfSeries(ax) : erfSeries(ax);
  if (ax > 6) return Math.sign(x);
  const r = 1 - erfcFraction(ax);
  return x < 0 ? -r : r;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 2) return 1 - erf(x);
  if (x > 27.3) return 0;
  return erfcFraction(x);
}
