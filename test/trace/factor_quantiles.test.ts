/**
 * factorQuantiles selects the optimizer's state x and takes the factor f(x) at the ranks a summary
 * reads (sample.ts): the numbers must be those of f taken at every element, bit for bit.
 */
import { describe, expect, it } from "vitest";
import { factorAt, factorView, type FactorView } from "../../kernel/src/trace/preconditioned";
import { SAMPLE_SIZE, summarize, xorshift32 } from "../../kernel/src/trace/quantiles";
import { factorQuantiles, strata } from "../../kernel/src/trace/sample";

/** The definition: f of every element (or of the drawn ones), NaN left out, then the summary. */
function reference(views: FactorView[]) {
  let N = 0;
  const all: number[] = [];
  for (const v of views) {
    N += v.n;
    for (let i = 0; i < v.n; i++) all.push(factorAt(v, i));
  }
  const finite = all.filter((x) => x === x);
  if (finite.length === 0) return { min: NaN, q05: NaN, q25: NaN, q50: NaN, q75: NaN, q95: NaN, max: NaN };
  let min = Infinity, max = -Infinity;
  for (const x of finite) { if (x < min) min = x; if (x > max) max = x; }
  const drawn = N <= SAMPLE_SIZE ? all : Array.from(strata(N, SAMPLE_SIZE), (i) => all[i]);
  const vals = Float64Array.from(drawn.filter((x) => x === x));
  return summarize(vals, vals.length, min, max);
}

let seed = 12345;
const rnd = () => (seed = xorshift32(seed)) / 2 ** 32;
function state(n: number, kind: "spread" | "zeros" | "nan" | "ties"): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    if (kind === "zeros" && i % 7 === 0) return 0;
    if (kind === "nan" && i % 11 === 0) return NaN;
    if (kind === "ties") return [1e-8, 2e-8, 3e-8][i % 3];
    return 10 ** (-12 + 8 * rnd());
  });
}

const groups = {
  Adam: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, amsgrad: false },
  AdamNoEps: { lr: 1e-3, betas: [0.9, 0.999], eps: 0, amsgrad: false },
  Adamax: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8 },
  RMSprop: { lr: 1e-2, eps: 1e-8, momentum: 0.9, centered: false },
  RMSpropCentered: { lr: 1e-2, eps: 1e-8, momentum: 0, centered: true },
  Adagrad: { lr: 1e-2, eps: 1e-10, lr_decay: 1e-3 },
};

function viewsOf(kind: keyof typeof groups, sizes: number[], data: "spread" | "zeros" | "nan" | "ties"): FactorView[] {
  const k = kind.startsWith("Adam") && kind !== "Adamax" ? "Adam" : kind.startsWith("RMSprop") ? "RMSprop" : kind;
  return sizes.map((n) => {
    const v = state(n, data);
    const st: Record<string, unknown> = { step: 7 };
    if (k === "Adam") st.exp_avg_sq = { data: v };
    if (k === "Adamax") st.exp_inf = { data: v.map(Math.sqrt) };
    if (k === "RMSprop") { st.square_avg = { data: v }; st.grad_avg = { data: v.map((x) => Math.sqrt(x) * 0.5) }; }
    if (k === "Adagrad") st.sum = { data: v };
    return factorView(k as any, groups[kind], st, n)!;
  });
}

describe("factorQuantiles: the quantiles of f taken at every element, bit for bit", () => {
  for (const kind of Object.keys(groups) as (keyof typeof groups)[]) {
    for (const data of ["spread", "zeros", "nan", "ties"] as const) {
      for (const sizes of [[4096], [64], [4096, 64, 4096], [300, 9000], [1], [3]]) {
        it(`${kind}, ${data}, sizes ${sizes.join("+")}`, () => {
          const views = viewsOf(kind, sizes, data);
          expect(factorQuantiles(views)).toEqual(reference(views));
        });
      }
    }
  }

  it("views of different factors (parameters at different steps) are summarised as before", () => {
    const a = viewsOf("Adam", [500], "spread")[0];
    const b = { ...viewsOf("Adam", [700], "spread")[0], c: a.c * 1.7 };
    expect(factorQuantiles([a, b])).toEqual(reference([a, b]));
  });
});
