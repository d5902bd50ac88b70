/**
 * The `text/plain` part of the bundle: a short summary for consoles and for notebooks opened
 * without the extension. The figure's summary lines name the key numbers (steps, last lr,
 * lr_projected, lr_per_sample, divergence); they come from the sources (see sources.ts), which
 * know the exact last values, not the bucketed means.
 */
import type { Figure } from "./figure";

export function toText(figure: Figure): string {
  return figure.summary.join("\n");
}

/** A number as a short human string: `digits` (4) significant digits, exponent form when tiny or huge. */
export function fmt(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined) return "—";
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  // the form is chosen on the rounded value: 0.00099999 is 0.001 (as the lr next to it), not 1e-3
  const r = Number(v.toPrecision(digits));
  const a = Math.abs(r);
  if (a >= 1e-3 && a < 1e5) return String(r);
  return r.toExponential(digits - 1).replace(/\.?0+e/, "e");
}
