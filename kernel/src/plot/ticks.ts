/**
 * Tick labels of the static SVG's axes, one notation per axis: plain decimals while every
 * tick lies in [1e-3, 1e5), else exponents for all ("1e−4 … 1e0"), written without a "+"
 * ("1e3", not "1e+3") and with the minus sign U+2212. Vega's labelExpr labels each tick alone, so
 * the SVG's log axes mixed notations ("1e+3, 10, 0.1, 1e−3", a tester's pass); svg.ts gives
 * its axes their tick values, and these labels with them. The extension applies the same rule
 * (extension/src/figure.ts tickLabels; test/extension/tester_ticks.test.ts compares the two).
 *
 * One figure's log axes share one notation (svg.ts, `exponent`): its rates are one kind of number,
 * and an lr panel "1e−5 … 1e−2" over an element-wise lr panel "0.001 … 10" wrote 0.01 two ways in
 * one picture (a teacher's pass); as matplotlib writes every decade of a log axis 10ⁿ.
 */

const MINUS = "\u2212";

/** A number in exponent form: "5.5e−1", "1e0", "2e3". */
function expLabel(r: number): string {
  if (r === 0) return "0";
  const [m, e] = r.toExponential().split("e");
  return `${m}e${Number(e)}`.replace(/-/g, MINUS);
}

/**
 * A text drawn in the picture (its caption: the summary's lines; a marker's label) with the minus
 * sign of its ticks: the summary's numbers are ASCII ("8.501e-5", "-0.038"), and the picture read
 * "lr_per_sample 8.501e-5" over a tick "1e−4" (a teacher's pass). Only a minus in a number: one
 * after a digit and an "e", or before a digit at the start of a word ("--batch-size" stays).
 */
export function numberMinus(text: string): string {
  return text.replace(/(\de)-(?=\d)/g, `$1${MINUS}`).replace(/(^|[\s(\[=,:])-(?=\d|\.\d)/g, `$1${MINUS}`);
}

/** Whether an axis of these ticks is written in exponents (file comment): one tick outside [1e-3, 1e5). */
export function needsExponent(ticks: readonly number[]): boolean {
  return ticks.map((v) => Number(v.toPrecision(6))).some((r) => r !== 0 && !(Math.abs(r) >= 1e-3 && Math.abs(r) < 1e5));
}

/**
 * The labels of one axis's ticks, in one notation (file comment); `exponent`: the notation of the
 * figure's other axes of its kind, when they share one (else the axis's own, needsExponent).
 */
export function tickLabels(ticks: readonly number[], exponent: boolean = needsExponent(ticks)): string[] {
  const rs = ticks.map((v) => Number(v.toPrecision(6)));
  return rs.map((r) => (exponent ? expLabel(r) : String(r).replace(/-/g, MINUS)));
}

/** d3's step between ticks (d3-array tickIncrement): 1, 2 or 5 × a power of ten, about (hi − lo) / count. */
function tickStep(lo: number, hi: number, count: number): number {
  const raw = (hi - lo) / count;
  const power = Math.floor(Math.log10(raw));
  const error = raw / 10 ** power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  return Number((factor * 10 ** power).toPrecision(12));
}

/** Multiples of `step` in [lo, hi], without float dust ("0.30000000000000004"). */
function multiples(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k <= Math.floor(hi / step + 1e-9); k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/**
 * A linear axis's domain and ticks for values in [lo, hi], as Vega draws them by itself (a `nice`
 * domain, d3's linear nice with 10 ticks, then d3's ticks for `count`), given to Vega so that
 * their labels can be written in one notation: Vega's labelExpr labels each tick alone, and a
 * small loss read "5e−4, 0.001, 0.0015" (a teacher's pass). `nice` false: the domain stays [lo, hi]
 * (a panel's own range).
 */
export function linearTicks(lo: number, hi: number, count = 5, nice = true): { domain: [number, number]; values: number[] } | undefined {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) return undefined;
  // one value: Vega draws it across the middle of the panel, its one tick
  if (lo === hi) return { domain: [lo, hi], values: [lo] };
  if (nice) {
    let prev = NaN;
    for (let round = 0; round < 10; round++) {
      const step = tickStep(lo, hi, 10);
      if (step === prev) break;
      lo = Number((Math.floor(lo / step + 1e-9) * step).toPrecision(12));
      hi = Number((Math.ceil(hi / step - 1e-9) * step).toPrecision(12));
      prev = step;
    }
  }
  return { domain: [lo, hi], values: multiples(lo, hi, tickStep(lo, hi, count)) };
}

/**
 * A Vega label expression giving tick value `values[i]` the label `labels[i]` (tickLabels), for an
 * axis whose tick values are given; any other value (none is drawn) gets no label.
 */
export function labelsExpr(values: readonly number[], labels: readonly string[]): string {
  const str = (t: string) => `'${t.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return `[${labels.map(str).join(", ")}][indexof([${values.join(", ")}], datum.value)] || ''`;
}
