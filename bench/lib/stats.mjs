// Small statistics and formatting helpers for the bench table.

/** The q-quantile (0..1) of xs by linear interpolation between order statistics (numpy's default). */
export function quantile(xs, q) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** A duration in seconds, with a unit that keeps 3 significant digits. */
export function fmtTime(s) {
  if (!Number.isFinite(s)) return "n/a";
  if (s >= 1) return `${s.toPrecision(3)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toPrecision(3)} ms`;
  return `${(s * 1e6).toPrecision(3)} µs`;
}

/** A rate (per second) with 3 significant digits. */
export function fmtRate(r) {
  if (!Number.isFinite(r)) return "n/a";
  return r >= 1000 ? Math.round(r).toLocaleString("en-US") : r.toPrecision(3);
}

export function fmtBytes(n) {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

/** A speed ratio "lrlab ÷ peer" (> 1: lrlab faster), e.g. "12.3×". */
export function fmtRatio(r) {
  if (!Number.isFinite(r)) return "n/a";
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toPrecision(2)}×`;
}
