/**
 * The tracer's fast paths against direct computations: the WebAssembly pass against the JS pass
 * and a float64 reference, the factor views against preconditionedFactors, the selection-based
 * quantiles against a sort, the per-parameter sums combined against one pass over the group.
 */
import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, Adam, Adamax, RMSprop, Adagrad } from "../../kernel/src/optim/index";
import { Optimizer } from "../../kernel/src/optim/optimizer";
import { trace, SCALAR_METRICS, type StepMetrics } from "../../kernel/src/trace/index";
import { accumulate, StepSums } from "../../kernel/src/trace/sums";
import { sumsInstance } from "../../kernel/src/trace/wasm_sums";
import { select_ranks, select_values } from "../../kernel/src/trace/select";
import { quantiles, SAMPLE_SIZE, summarize } from "../../kernel/src/trace/quantiles";
import { factorRange, factorAt, factorView, preconditionedFactors, type PreconditionedKind } from "../../kernel/src/trace/preconditioned";
import { WASM_MIN_ELEMENTS } from "../../kernel/src/trace/snapshot";
import { strata } from "../../kernel/src/trace/sample";
import { rng } from "../tensor/gradcheck";

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** Sums, min/max of ρ, count, straight from the definitions (float64, one element at a time). */
function reference(theta: ArrayLike<number>, grad: ArrayLike<number>, after: ArrayLike<number>) {
  const r = { dg: 0, gg: 0, dd: 0, tt: 0, aa: 0, td: 0, lo: Infinity, hi: -Infinity, m: 0 };
  for (let i = 0; i < theta.length; i++) {
    const t = theta[i], a = after[i], g = grad[i], d = a - t;
    r.dg += d * g; r.gg += g * g; r.dd += d * d; r.tt += t * t; r.aa += a * a; r.td += t * d;
    if (g !== 0) { const x = -d / g; r.lo = Math.min(r.lo, x); r.hi = Math.max(r.hi, x); r.m++; }
  }
  return r;
}

function expectSumsMatch(s: StepSums, r: ReturnType<typeof reference>) {
  for (const k of ["dg", "gg", "dd", "tt", "aa", "td"] as const) expect(rel(s[k], r[k]), k).toBeLessThan(1e-10);
  expect(s.rho_min).toBe(r.lo);
  expect(s.rho_max).toBe(r.hi);
  expect(s.nonzero).toBe(r.m);
}

/** Run the same optimizer on two identical copies of a model, traced with and without WebAssembly. */
function twin(make: (ps: Tensor[]) => { step(): void }, sizes: number[], f32: boolean, steps = 3, per_param = false) {
  const rnd = rng(7);
  const init = sizes.map((n) => Array.from({ length: n }, () => rnd() - 0.5));
  const grads = Array.from({ length: steps }, () => sizes.map((n) => Array.from({ length: n }, () => (rnd() < 0.1 ? 0 : (rnd() - 0.5) * 0.02))));
  const Ctor = f32 ? Float32Array : Float64Array;
  const dtype = f32 ? "float32" : "float64";
  const run = (wasm: boolean) => {
    const ps = init.map((v) => new Tensor(Ctor.from(v), [v.length], dtype, true));
    const opt = make(ps) as unknown as Parameters<typeof trace>[0] & { step(): void };
    const t = trace(opt, { per_param });
    t._snapshots.use_wasm = wasm;
    for (let s = 0; s < steps; s++) {
      ps.forEach((p, i) => (p.grad = new Tensor(Ctor.from(grads[s][i]), [sizes[i]], dtype)));
      opt.step();
    }
    expect(t.errors).toEqual([]);
    return { t, ps };
  };
  return { wasm: run(true), js: run(false) };
}

function expectMetricsClose(a: StepMetrics, b: StepMetrics) {
  for (const k of ["lr_projected", "lr_realized", "update_ratio", "angular_update", "grad_norm", "param_norm"] as const) {
    if (b[k] === null) expect(a[k], k).toBeNull();
    else if (!Number.isFinite(b[k])) expect(a[k], k).toBe(b[k]); // ∞ or NaN norms of non-finite data
    else expect(rel(a[k] as number, b[k] as number), k).toBeLessThan(1e-9);
  }
  // ρ quantiles: the same values sampled the same way, so identical
  expect(a.lr_elementwise).toEqual(b.lr_elementwise);
  expect(a.lr_preconditioned).toEqual(b.lr_preconditioned);
}

describe("the per-element pass", () => {
  it("the WebAssembly module is available on this engine (Node ≥ 16.4 has SIMD) unless LRLAB_WASM=0", () => {
    expect(sumsInstance() !== null).toBe(process.env.LRLAB_WASM !== "0");
  });

  it("JS pass = float64 reference, float32 and float64 data, zeros in g", () => {
    const rnd = rng(1);
    for (const Ctor of [Float32Array, Float64Array]) {
      const n = 1001;
      const theta = new Ctor(n).map(() => rnd() - 0.5);
      const grad = new Ctor(n).map(() => (rnd() < 0.2 ? 0 : rnd() - 0.5));
      const after = theta.map((t, i) => t - 0.01 * grad[i] * (1 + rnd()));
      const s = new StepSums();
      accumulate(theta, grad, after, s);
      expectSumsMatch(s, reference(theta, grad, after));
      expect(s.finite).toBe(true);
    }
  });

  it("JS pass with a non-finite step: gg, tt over every element; the sums of Δ, θ_{t+1} leave those elements out; `finite` cleared", () => {
    const theta = Float64Array.from([1, 2, 3, 4]);
    const grad = Float64Array.from([1, 1, 1, 1]);
    const after = Float64Array.from([0.9, Infinity, NaN, 3.9]);
    const s = new StepSums();
    accumulate(theta, grad, after, s);
    expect(s.finite).toBe(false);
    // gg = 1 + 1 + 1 + 1 = 4 and tt = 1 + 4 + 9 + 16 = 30 (grad_norm = ‖g_t‖, param_norm = ‖θ_t‖);
    // the rest over elements 0 and 3 only (d = −0.1, −0.1): dg = −0.2, dd = 0.02, aa = 0.81 +
    // 15.21 = 16.02, td = −0.1 − 0.4 = −0.5
    expectSumsMatch(s, { ...reference([1, 4], [1, 1], [0.9, 3.9]), gg: 4, tt: 30 });
    expect(s.dd).toBeCloseTo(0.02, 15);
    expect(s.td).toBeCloseTo(-0.5, 15);
  });

  for (const f32 of [true, false]) {
    for (const n of [WASM_MIN_ELEMENTS, WASM_MIN_ELEMENTS + 1, 50_001]) {
      it(`WebAssembly pass = JS pass (${f32 ? "float32" : "float64"}, ${n} elements, SGD momentum and Adam)`, () => {
        for (const make of [
          (ps: Tensor[]) => new SGD(ps, { lr: 0.1, momentum: 0.9, weight_decay: 1e-3 }),
          (ps: Tensor[]) => new Adam(ps, { lr: 1e-3 }),
        ]) {
          const { wasm, js } = twin(make, [n, 7], f32);
          expectMetricsClose(wasm.t.latest()!, js.t.latest()!);
          // the parameters themselves are untouched by tracing
          wasm.ps.forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(js.ps[i].data)));
        }
      });
    }
  }

  it("WebAssembly pass: exact min/max of ρ wherever the extremes sit next to elements with g = 0", () => {
    // The pass takes four elements at a time as two f64x2 halves; an element with g = 0 (ρ masked
    // as NaN) in one half must not hide the extreme in the same lane of the other half.
    class Skewed extends Optimizer {
      constructor(ps: Tensor[], private readonly at: number[]) { super(ps, { lr: 0.1 }); }
      step(): undefined {
        for (const p of this.param_groups[0].params as Tensor[]) {
          const t = p.data, g = (p.grad as Tensor).data;
          for (let i = 0; i < t.length; i++) t[i] -= (i === this.at[0] ? 10 : i === this.at[1] ? -3 : 0.1) * g[i];
        }
        return undefined;
      }
    }
    const n = 4099;
    for (const f32 of [true, false]) {
      for (const k of [0, 1, 2, 3, 4, 5, 6, 7, 4096, 4097, 4098]) {
        for (const zeroAt of [k ^ 2, k ^ 1, k ^ 3]) {
          const Ctor = f32 ? Float32Array : Float64Array;
          const dtype = f32 ? "float32" : "float64";
          const run = (wasm: boolean) => {
            const p = new Tensor(Ctor.from(Array.from({ length: n }, (_, i) => Math.cos(i))), [n], dtype, true);
            const opt = new Skewed([p], [k, (k + 4) % n]);
            const t = trace(opt);
            t._snapshots.use_wasm = wasm;
            const g = Ctor.from(Array.from({ length: n }, (_, i) => 0.5 + (i % 7) / 10));
            if (zeroAt < n) g[zeroAt] = 0;
            p.grad = new Tensor(g, [n], dtype);
            opt.step();
            expect(t.errors).toEqual([]);
            return t.latest()!.lr_elementwise!;
          };
          const [w, j] = [run(true), run(false)];
          expect(w, `${dtype}, extreme at ${k}, g = 0 at ${zeroAt}`).toEqual(j);
          expect(w.max).toBeGreaterThan(9);
          expect(w.min).toBeLessThan(-2);
        }
      }
    }
  });

  it("WebAssembly pass with a diverging step: same metrics and divergence as the JS pass", () => {
    const run = (wasm: boolean) => {
      const n = 4097;
      const p = new Tensor(Float64Array.from({ length: n }, (_, i) => Math.sin(i)), [n], "float64", true);
      const opt = new SGD([p], { lr: 1e300 });
      const t = trace(opt);
      t._snapshots.use_wasm = wasm;
      for (let s = 0; s < 3; s++) {
        // step 1 overflows some elements to ±Inf (and Inf − Inf = NaN at step 2)
        p.grad = new Tensor(Float64Array.from({ length: n }, (_, i) => (s === 1 && i % 3 === 0 ? 1e10 : 1e-310 * (i + 1))), [n], "float64");
        opt.step();
      }
      expect(t.errors).toEqual([]);
      return t;
    };
    const [w, j] = [run(true), run(false)];
    expect(w.diverged_at).toMatchObject({ step: 1, lr: 1e300 });
    expect(j.diverged_at).toEqual(w.diverged_at);
    expectMetricsClose(w.latest()!, j.latest()!);
  });

  it("two traces on one optimizer, and traces of two optimizers, each see their own snapshots", () => {
    const mk = (seed: number) => {
      const rnd = rng(seed);
      const p = new Tensor(Float32Array.from({ length: 5000 }, () => rnd() - 0.5), [5000], "float32", true);
      const g = Float32Array.from({ length: 5000 }, () => rnd() - 0.5);
      return { p, g };
    };
    const solo = (seed: number) => {
      const { p, g } = mk(seed);
      const opt = new Adam([p], { lr: 1e-2 });
      const t = trace(opt);
      for (let s = 0; s < 2; s++) { p.grad = new Tensor(g.map((x) => x * (s + 1)), [5000], "float32"); opt.step(); }
      return t.latest()!;
    };
    const a = mk(1), b = mk(2);
    const oa = new Adam([a.p], { lr: 1e-2 }), ob = new Adam([b.p], { lr: 1e-2 });
    // (two traces of one optimizer have different names: a second of the same name replaces the first)
    const [ta1, ta2, tb] = [trace(oa), trace(oa, { per_param: true, name: "per_param" }), trace(ob)];
    for (let s = 0; s < 2; s++) {
      a.p.grad = new Tensor(a.g.map((x) => x * (s + 1)), [5000], "float32");
      b.p.grad = new Tensor(b.g.map((x) => x * (s + 1)), [5000], "float32");
      oa.step();
      ob.step();
    }
    expectMetricsClose(ta1.latest()!, solo(1));
    expectMetricsClose(ta2.latest()!, solo(1));
    expectMetricsClose(tb.latest()!, solo(2));
  });

  it("per_param: each parameter's metrics equal those of a trace of that parameter alone; the group's combine them", () => {
    const sizes = [3000, 40, 5000];
    const { wasm } = twin((ps) => new Adam(ps, { lr: 1e-2 }), sizes, true, 2, true);
    const t = wasm.t;
    // a single-parameter trace of each parameter (same data, same steps)
    const rnd = rng(7);
    const init = sizes.map((n) => Array.from({ length: n }, () => rnd() - 0.5));
    const grads = Array.from({ length: 2 }, () => sizes.map((n) => Array.from({ length: n }, () => (rnd() < 0.1 ? 0 : (rnd() - 0.5) * 0.02))));
    sizes.forEach((n, k) => {
      const p = new Tensor(Float32Array.from(init[k]), [n], "float32", true);
      const opt = new Adam([p], { lr: 1e-2 });
      const alone = trace(opt);
      for (let s = 0; s < 2; s++) {
        p.grad = new Tensor(Float32Array.from(grads[s][k]), [n], "float32");
        opt.step();
      }
      const a = alone.latest()!;
      const b = t.latest_param(`0.${k}`)!;
      expectMetricsClose(b, a);
    });
    // group: grad_norm² is the sum of the parameters' grad_norm²
    const g2 = sizes.reduce((acc, _, k) => acc + t.latest_param(`0.${k}`)!.grad_norm! ** 2, 0);
    expect(rel(t.latest()!.grad_norm! ** 2, g2)).toBeLessThan(1e-12);
    const q = t.latest()!.lr_elementwise!;
    expect(q.min).toBe(Math.min(...sizes.map((_, k) => t.latest_param(`0.${k}`)!.lr_elementwise!.min)));
    expect(q.max).toBe(Math.max(...sizes.map((_, k) => t.latest_param(`0.${k}`)!.lr_elementwise!.max)));
  });
});

describe("series pushes (fixed order, plain property reads)", () => {
  it("every series' last value is the metric latest() reports, group and per_param", () => {
    const a = new Tensor(Float64Array.from([1, -2, 3]), [3], "float64", true);
    const b = new Tensor(Float64Array.from([0.5]), [1], "float64", true);
    const opt = new Adam([a, b], { lr: 0.01, betas: [0.8, 0.95], weight_decay: 0.1 });
    const t = trace(opt, { per_param: true, batch_size: 4 });
    for (let s = 0; s < 3; s++) {
      a.grad = new Tensor(Float64Array.from([0.1, 0.2 * s, -0.3]), [3], "float64");
      b.grad = new Tensor(Float64Array.from([1 + s]), [1], "float64");
      opt.step();
    }
    const check = (m: StepMetrics, param?: string) => {
      for (const key of SCALAR_METRICS) {
        const want = key === "beta2" ? m.betas![1] : (m as any)[key];
        expect(t.series(key, 0, param)!.last_value, `${param ?? "group"} ${key}`).toBe(want);
      }
      for (const key of ["lr_elementwise", "lr_preconditioned"] as const) {
        for (const level of ["q05", "q50", "q95"] as const) expect(t.series(`${key}.${level}`, 0, param)!.last_value).toBe(m[key]![level]);
      }
    };
    check(t.latest()!);
    check(t.latest_param("0.0")!, "0.0");
    check(t.latest_param("0.1")!, "0.1");
  });
});

describe("angular_update", () => {
  /** θ = (1, 0) moved to r·(cos φ, sin φ) by plain SGD with lr 1 and g = θ − θ_{t+1}. */
  const angle = (r: number, phi: number) => {
    const p = new Tensor(Float64Array.from([1, 0]), [2], "float64", true);
    const opt = new SGD([p], { lr: 1 });
    const t = trace(opt);
    p.grad = new Tensor(Float64Array.from([1 - r * Math.cos(phi), -r * Math.sin(phi)]), [2], "float64");
    opt.step();
    return t.latest()!.angular_update!;
  };

  it("a pure rotation: the angle to full relative precision, even 1e-9 rad (arccos of the cosine gives 0)", () => {
    for (const phi of [1e-9, 1e-5, 0.3, 2]) expect(rel(angle(1, phi), phi), `φ = ${phi}`).toBeLessThan(1e-12);
  });

  it("rotation with a radial step: absolute error within √ε·‖Δ‖/‖θ‖ (arccos: √ε)", () => {
    for (const phi of [1e-7, 1e-4, 0.5]) expect(Math.abs(angle(1.5, phi) - phi), `φ = ${phi}`).toBeLessThan(1.5e-8 * 0.5);
  });
});

describe("SGD shortcut: lr_preconditioned = γ without a per-element pass", () => {
  it("equals the general path (fill with γ, then quantiles), with momentum, weight decay and maximize", () => {
    for (const opts of [{}, { momentum: 0.9 }, { weight_decay: 0.1 }, { maximize: true, momentum: 0.5, nesterov: true }]) {
      const p = new Tensor(Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i)), [5000], "float32", true);
      const opt = new SGD([p], { lr: 0.03, ...opts });
      const t = trace(opt);
      p.grad = new Tensor(Float32Array.from({ length: 5000 }, (_, i) => Math.cos(i) * 1e-2), [5000], "float32");
      opt.step();
      const fill = new Float64Array(5000);
      expect(preconditionedFactors("SGD", opt.param_groups[0], undefined, 5000, fill, 0)).toBe(true);
      expect(t.latest()!.lr_preconditioned).toEqual(quantiles(fill));
      // the measured ρ is not shortcut: with weight decay it differs from γ
      if ("weight_decay" in opts) expect(Math.abs(t.latest()!.lr_elementwise!.q50 - 0.03)).toBeGreaterThan(1e-6);
    }
  });
});

describe("factor views = preconditionedFactors element by element, exact min/max", () => {
  const cases: [PreconditionedKind, (ps: Tensor[]) => { step(): void; param_groups: any[]; state: Map<Tensor, any> }][] = [
    ["Adam", (ps) => new Adam(ps, { lr: 1e-3 }) as any],
    ["Adam", (ps) => new Adam(ps, { lr: 1e-3, amsgrad: true, betas: [0.8, 0.9] }) as any],
    ["Adamax", (ps) => new Adamax(ps, { lr: 2e-3 }) as any],
    ["RMSprop", (ps) => new RMSprop(ps, { lr: 1e-2, momentum: 0.5 }) as any],
    ["RMSprop", (ps) => new RMSprop(ps, { lr: 1e-2, centered: true }) as any],
    ["Adagrad", (ps) => new Adagrad(ps, { lr: 1e-1, lr_decay: 0.01 }) as any],
  ];
  for (const [kind, make] of cases) {
    it(`${kind} ${make.toString().match(/\{[^}]*\}/)?.[0]}`, () => {
      const rnd = rng(3);
      const n = 6000;
      const p = new Tensor(Float64Array.from({ length: n }, () => rnd()), [n], "float64", true);
      const opt = make([p]);
      const t = trace(opt as any);
      for (let s = 0; s < 3; s++) {
        p.grad = new Tensor(Float64Array.from({ length: n }, () => (rnd() - 0.5) * 10 ** (-4 * rnd())), [n], "float64");
        opt.step();
      }
      const fill = new Float64Array(n);
      const state = opt.state.get(p);
      expect(preconditionedFactors(kind, opt.param_groups[0], state, n, fill, 0)).toBe(true);
      const v = factorView(kind, opt.param_groups[0], state, n)!;
      for (let i = 0; i < n; i++) expect(factorAt(v, i)).toBe(fill[i]);
      let lo = Infinity, hi = -Infinity;
      for (const f of fill) { lo = Math.min(lo, f); hi = Math.max(hi, f); }
      expect(factorRange(v)).toEqual([lo, hi]);
      const q = t.latest()!.lr_preconditioned!;
      expect(q.min).toBe(lo);
      expect(q.max).toBe(hi);
    });
  }
});

describe("stratified sampling", () => {
  it("one index per stratum of L = ⌊N/count⌋ (⌊N/L⌋ strata), increasing; the short last stratum drawn with probability r/L", () => {
    // 203530 / 4096: L = 49, 4153 full strata and r = 33 (the MLP's group); 1_000_003 / 4096: L = 244
    for (const [N, count] of [[10, 3], [100, 7], [4096 * 50 + 17, 4096], [203_530, 4096], [1_000_003, 4096], [5, 5], [3, 10], [8191, 4096]] as const) {
      const idx = Array.from(strata(N, count));
      const c = Math.min(N, count);
      const L = Math.floor(N / c), F = Math.floor(N / L), r = N - F * L;
      expect(r).toBeLessThan(L);
      expect(F).toBeGreaterThanOrEqual(c);
      expect(idx.length === F || idx.length === F + 1).toBe(true);
      for (let j = 0; j < F; j++) expect(Math.floor(idx[j] / L), `N ${N} stratum ${j}`).toBe(j);
      if (idx.length === F + 1) expect(idx[F]).toBeGreaterThanOrEqual(F * L), expect(idx[F]).toBeLessThan(N);
      for (let j = 1; j < idx.length; j++) expect(idx[j]).toBeGreaterThan(idx[j - 1]);
      if (r === 0) expect(idx.length).toBe(F);
    }
  });

  it("covers the tensor evenly: the sample of a ramp has its quantiles where the ramp's are", () => {
    const N = 1_000_003;
    const idx = strata(N, 4096);
    const v = Float64Array.from(idx, (u) => u / (N - 1));
    const q = summarize(v, v.length, 0, 1);
    for (const [k, level] of [["q05", 0.05], ["q25", 0.25], ["q50", 0.5], ["q75", 0.75], ["q95", 0.95]] as const) {
      // stratified: within about one stratum of the exact rank, far tighter than iid draws
      expect(Math.abs(q[k] - level), k).toBeLessThan(1 / 4096);
    }
  });
});

describe("selection instead of sorting", () => {
  it("select_ranks puts the same values at the wanted ranks as a sort (random, sorted, constant, ties, ±Inf)", () => {
    const rnd = rng(11);
    const inputs: number[][] = [
      Array.from({ length: 4096 }, () => rnd()),
      Array.from({ length: 4096 }, (_, i) => i),
      Array.from({ length: 4096 }, (_, i) => 4096 - i),
      Array.from({ length: 1000 }, () => 0.5),
      Array.from({ length: 3001 }, () => Math.floor(rnd() * 5)),
      [Infinity, -Infinity, 1, -0, 0, 3, Infinity],
      [2],
      Array.from({ length: 25 }, () => rnd()),
      // ties the Lomuto partition must not stall on: mostly the minimum, mostly one middle value,
      // mostly the maximum, organ pipe, two values
      Array.from({ length: 4000 }, () => (rnd() < 0.9 ? 0 : rnd())),
      Array.from({ length: 4000 }, () => (rnd() < 0.9 ? 0.5 : rnd())),
      Array.from({ length: 4000 }, () => (rnd() < 0.9 ? 1 : rnd())),
      Array.from({ length: 4001 }, (_, i) => Math.min(i, 4000 - i)),
      Array.from({ length: 4096 }, (_, i) => i % 2),
    ];
    for (const v of inputs) {
      const sorted = [...v].sort((a, b) => a - b);
      const n = v.length;
      const ranks = [...new Set([0, Math.floor(0.05 * (n - 1)), Math.floor(0.05 * (n - 1)) + 1, Math.floor(n / 2), Math.floor(0.95 * (n - 1)), n - 1])]
        .filter((r) => r < n).sort((a, b) => a - b);
      const a = Float64Array.from(v);
      select_ranks(a, n, ranks);
      for (const r of ranks) expect(a[r]).toBe(sorted[r]);
      expect([...a].sort((x, y) => x - y)).toEqual(sorted); // a permutation
    }
  });

  it("select_values gives a sort's values at the wanted ranks, through buckets or not, whatever bounds it is given", () => {
    const rnd = rng(23);
    const normal = () => Math.sqrt(-2 * Math.log(rnd() + 1e-300)) * Math.cos(2 * Math.PI * rnd());
    const sign = () => (rnd() < 0.5 ? -1 : 1);
    const kinds: Record<string, () => number> = {
      normal,
      // Adam's first-step ρ = γ/|g|: heavy tails of both signs; the bulk far from the extremes
      heavy: () => (sign() * 1e-3) / (rnd() + 1e-12),
      // an optimizer state: positive, over many binades, some far below the bulk
      state: () => (rnd() < 0.02 ? 1e-30 * rnd() : Math.exp(-30 * rnd())),
      negative: () => -1e-3 * (1 + rnd()),
      zeros: () => (rnd() < 0.3 ? sign() * 0 : normal()),
      wide: () => sign() * Math.exp((rnd() - 0.5) * 1400),
      subnormal: () => sign() * 5e-324 * Math.floor(rnd() * 1000),
      infinite: () => (rnd() < 0.05 ? sign() * Infinity : normal()),
      // bunched within a few ulps (SGD momentum with fixed gradients): the quickselect's case
      bunched: () => 0.1 * (1 + (rnd() - 0.5) * 1e-12),
      few: () => Math.floor(rnd() * 5),
    };
    const out = new Float64Array(10);
    for (const [kind, draw] of Object.entries(kinds)) {
      for (const n of [255, 256, 300, 1000, 4096, 4153, 8192, 16385]) {
        const v = Float64Array.from({ length: n }, draw);
        const sorted = Float64Array.from(v).sort();
        const ranks = [...new Set([0.05, 0.25, 0.5, 0.75, 0.95].flatMap((q) => [Math.floor(q * (n - 1)), Math.min(n - 1, Math.floor(q * (n - 1)) + 1)]))].sort((a, b) => a - b);
        // the exact bounds, bounds too wide, too narrow, inverted, NaN, infinite: only speed may differ
        const bounds: [number, number][] = [[sorted[0], sorted[n - 1]], [-1e300, 1e300], [0, 1], [5, 5], [1, -1], [NaN, 1], [-Infinity, Infinity], [sorted[n >> 1], sorted[n >> 1]]];
        for (const [lo, hi] of bounds) {
          const room = new Float64Array(n + 3);
          room.set(v, 3);
          const a = room.subarray(3); // a view at an offset: the buckets read its words in place
          select_values(a, n, ranks, out, lo, hi);
          ranks.forEach((r, k) => {
            // two zeros compare equal: either may stand at a rank
            if (out[k] === 0 && sorted[r] === 0) return;
            expect(out[k], `${kind} n ${n} bounds [${lo}, ${hi}] rank ${r}`).toBe(sorted[r]);
          });
        }
      }
    }
  });

  it("select_values ends on NaN values", () => {
    const a = Float64Array.from({ length: 5000 }, (_, i) => (i % 3 ? NaN : 5000 - i));
    select_values(a, a.length, [10, 250, 400, 4000], new Float64Array(4), 0, 5000);
    expect(a.length).toBe(5000);
  });

  it("summarize equals linear interpolation on the sorted values", () => {
    const rnd = rng(5);
    for (const n of [1, 2, 3, 10, 999, SAMPLE_SIZE]) {
      const v = Float64Array.from({ length: n }, () => rnd() * 100 - 50);
      const s = [...v].sort((a, b) => a - b);
      const atq = (q: number) => { const pos = q * (n - 1), lo = Math.floor(pos), hi = Math.min(n - 1, lo + 1); return s[lo] + (s[hi] - s[lo]) * (pos - lo); };
      const q = summarize(Float64Array.from(v), n, s[0], s[n - 1]);
      expect(q).toEqual({ min: s[0], q05: atq(0.05), q25: atq(0.25), q50: atq(0.5), q75: atq(0.75), q95: atq(0.95), max: s[n - 1] });
    }
  });

  it("sampled ρ quantiles of a large tensor stay within 2% of the ranks of the exact ones", () => {
    const n = 100_000;
    const p = new Tensor(new Float64Array(n), [n], "float64", true);
    const opt = new Adam([p], { lr: 1e-3, eps: 1e-30 });
    const t = trace(opt);
    // Adam's first step: ρ_k = γ/|g_k|; |g| a permutation of 1..n, some zeros too
    const g = Float64Array.from({ length: n }, (_, i) => (i % 10 === 3 ? 0 : 1 + ((i * 7919) % n)));
    p.grad = new Tensor(g, [n], "float64");
    opt.step();
    const rho = Array.from(g).filter((x) => x !== 0).map((x) => 1e-3 / x).sort((a, b) => a - b);
    const m = t.latest()!.lr_elementwise!;
    expect(rel(m.min, rho[0])).toBeLessThan(1e-9);
    expect(rel(m.max, rho[rho.length - 1])).toBeLessThan(1e-9);
    for (const [k, q] of [["q05", 0.05], ["q25", 0.25], ["q50", 0.5], ["q75", 0.75], ["q95", 0.95]] as const) {
      // the rank of the reported value among the exact ρ
      let r = 0;
      while (r < rho.length && rho[r] < m[k] * (1 - 1e-12)) r++;
      expect(Math.abs(r / (rho.length - 1) - q), k).toBeLessThan(0.02);
    }
  });
});
