/**
 * Tick labels of the static SVG's log axes, one notation per axis: plain decimals while every
 * tick lies in [1e-3, 1e5), else exponents for all ("1e−4 … 1e0"), written without a "+"
 * ("1e3", not "1e+3") and with the minus sign U+2212. Vega's labelExpr labels each tick alone, so
 * the SVG's log axes mixed notations ("1e+3, 10, 0.1, 1e−3", a tester's pass); svg.ts gives
 * its log axes their tick values, and these labels with them. The extension applies the same rule
 * (extension/src/figure.ts tickLabels; test/extension/tester_ticks.test.ts compares the two).
 */

const MINUS = "\u2212";

/** A number in exponent form: "5.5e−1", "1e0", "2e3". */
function expLabel(r: number): string {
  if (r === 0) return "0";
  const [m, e] = r.toExponential().split("e");
  return `${m}e${Number(e)}`.replace(/-/g, MINUS);
}

/** The labels of one axis's ticks, in one notation (file comment). */
export function tickLabels(ticks: readonly number[]): string[] {
  const rs = ticks.map((v) => Number(v.toPrecision(6)));
  const plain = rs.every((r) => r === 0 || (Math.abs(r) >= 1e-3 && Math.abs(r) < 1e5));
  return rs.map((r) => (plain ? String(r).replace(/-/g, MINUS) : expLabel(r)));
}

/**
 * A Vega label expression giving tick value `values[i]` the label `labels[i]` (tickLabels), for an
 * axis whose tick values are given; any other value (none is drawn) gets no label.
 */
export function labelsExpr(values: readonly number[], labels: readonly string[]): string {
  const str = (t: string) => `'${t.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return `[${labels.map(str).join(", ")}][indexof([${values.join(", ")}], datum.value)] || ''`;
}
