/**
 * factorQuantiles selects the optimizer's state x and takes the factor f(x) at the ranks a summary
 * reads (sample.ts): the numbers must be those of f taken at every element, bit for bit.
 */
import { describe, expect, it } from "vitest";
import { counts, factorAt, factorView, type FactorView } from "../../kernel/src/trace/preconditioned";
import { SAMPLE_SIZE, summarize, xorshift32 } from "../../kernel/src/trace/quantiles";
import { factorQuantiles, strata } from "../../kernel/src/trace/sample";

/**
 * The definition: f of every element whose state has seen a gradient (`counts`), or of the drawn
 * ones (all when M ≤ S; S strata over N when every element counts, ⌊S·N/M⌋ when at least a
 * quarter do, else S strata over the M values in order), NaN left out, then the summary.
 */
function reference(views: FactorView[]) {
  let N = 0;
  const all: (number | null)[] = [];
  for (const v of views) {
    N += v.n;
    for (let i = 0; i < v.n; i++) all.push(counts(v, i) ? factorAt(v, i) : null);
  }
  const counted = all.filter((x): x is number => x !== null);
  const M = counted.length;
  if (M === 0) return null;
  const finite = counted.filter((x) => x === x);
  if (finite.length === 0) return { min: NaN, q05: NaN, q25: NaN, q50: NaN, q75: NaN, q95: NaN, max: NaN };
  let min = Infinity, max = -Infinity;
  for (const x of finite) { if (x < min) min = x; if (x > max) max = x; }
  const drawn = M <= SAMPLE_SIZE ? counted
    : 4 * M >= N ? Array.from(strata(N, M === N ? SAMPLE_SIZE : Math.floor((SAMPLE_SIZE * N) / M)), (i) => all[i]).filter((x): x is number => x !== null)
    : Array.from(strata(M, SAMPLE_SIZE), (i) => counted[i]);
  const vals = Float64Array.from(drawn.filter((x) => x === x));
  return summarize(vals, vals.length, min, max);
}

let seed = 12345;
const rnd = () => (seed = xorshift32(seed)) / 2 ** 32;
type Data = "spread" | "zeros" | "sparse" | "unseen" | "nan" | "ties";
function state(n: number, kind: Data): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    if (kind === "zeros" && i % 7 === 0) return 0;
    // sparse: an embedding whose few rows were used (fewer than a quarter of the elements)
    if (kind === "sparse" && i % 9 !== 0) return 0;
    if (kind === "unseen") return 0;
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

function viewsOf(kind: keyof typeof groups, sizes: number[], data: Data): FactorView[] {
  const k = kind.startsWith("Adam") && kind !== "Adamax" ? "Adam" : kind.startsWith("RMSprop") ? "RMSprop" : kind;
  return sizes.map((n) => {
    const v = state(n, data);
    const st: Record<string, unknown> = { step: 7 };
    if (k === "Adam") st.exp_avg_sq = { data: v };
    // Adamax: an element that has seen no gradient has first moment 0 (its u is ε, not 0)
    if (k === "Adamax") { st.exp_inf = { data: v.map((x) => (x === 0 ? 1e-8 : Math.sqrt(x))) }; st.exp_avg = { data: v.map((x) => (x === 0 ? 0 : 0.1)) }; }
    if (k === "RMSprop") { st.square_avg = { data: v }; st.grad_avg = { data: v.map((x) => Math.sqrt(x) * 0.5) }; }
    if (k === "Adagrad") st.sum = { data: v };
    return factorView(k as any, groups[kind], st, n)!;
  });
}

describe("factorQuantiles: the quantiles of f taken at every element, bit for bit", () => {
  for (const kind of Object.keys(groups) as (keyof typeof groups)[]) {
    for (const data of ["spread", "zeros", "sparse", "unseen", "nan", "ties"] as const) {
      for (const sizes of [[4096], [64], [4096, 64, 4096], [300, 9000], [1], [3]]) {
        it(`${kind}, ${data}, sizes ${sizes.join("+")}`, () => {
          const views = viewsOf(kind, sizes, data);
          expect(factorQuantiles(views)).toEqual(reference(views));
        });
      }
    }
  }

  it("elements whose state has seen no gradient are left out: an embedding with unused rows under Adam", () => {
    // 100 rows of 8 of which 20 were used: the 640 others have v = 0 and a factor of
    // γ/((1−β1^t)·ε) ≈ 1.09e5 at t = 7 (a user's pass: the median read 1.1e5 for lr 1e-3)
    const v = new Float64Array(800);
    for (let i = 0; i < 160; i++) v[i] = 1e-6 * (1 + (i % 13));
    const view = factorView("Adam", groups.Adam, { step: 7, exp_avg_sq: { data: v } }, 800)!;
    const q = factorQuantiles([view])!;
    const used = Array.from({ length: 160 }, (_, i) => factorAt(view, i));
    expect(q.max).toBe(Math.max(...used));
    expect(q.min).toBe(Math.min(...used));
    expect(q.q95).toBeLessThanOrEqual(q.max);
    // the largest used factor, at v = 1e-6: (1e-3/(1−0.9^7)) / (1e-3/√(1−0.999^7) + 1e-8) ≈ 0.160
    expect(q.max).toBeCloseTo(0.16013, 4);
    // a parameter none of whose elements has seen a gradient has no factor; beside another, it adds nothing
    const unseen = viewsOf("Adam", [64], "unseen")[0];
    expect(factorQuantiles([unseen])).toBeNull();
    const spread = viewsOf("Adam", [500], "spread")[0];
    expect(factorQuantiles([unseen, spread])).toEqual(factorQuantiles([spread]));
  });

  it("views of different factors (parameters at different steps) are summarised as before", () => {
    const a = viewsOf("Adam", [500], "spread")[0];
    const b = { ...viewsOf("Adam", [700], "spread")[0], c: a.c * 1.7 };
    expect(factorQuantiles([a, b])).toEqual(reference([a, b]));
  });
});
