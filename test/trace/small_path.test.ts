/**
 * The small-step path (trace/small.ts) and the metrics kept as rows (trace/row.ts), PERF.md session
 * 26: a trace of a small model gives what the general path gives on the same steps, bit for bit
 * (to_json, summary, every step's latest(), what listeners get, errors), for every optimizer with
 * a factor and in the cases where the path hands over to the general functions (non-finite
 * steps, zero gradients, parameters without a gradient, a parameter changing size, a step whose
 * closure is never called); and its parts against the functions they stand for.
 */
import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import * as optim from "../../kernel/src/optim/index";
import { trace, type StepMetrics } from "../../kernel/src/trace/index";
import { KeptOrder, smallFactor, small_stats, summarizeSmall } from "../../kernel/src/trace/small";
import { MetricsRow, metricsOf, R_ELEMENTWISE, R_PRECONDITIONED } from "../../kernel/src/trace/row";
import { summarize, type Quantiles } from "../../kernel/src/trace/quantiles";
import { factorQuantiles } from "../../kernel/src/trace/sample";
import type { FactorView } from "../../kernel/src/trace/preconditioned";
import { BoundedSeries, SeriesSet } from "../../kernel/src/trace/series";
import { rng } from "../tensor/gradcheck";

type Opt = Parameters<typeof trace>[0] & { step(closure?: () => unknown): unknown };

/** JSON with −0, NaN and ±Infinity told apart (JSON.stringify writes null for the last three, 0 for −0). */
const J = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? `#${Object.is(v, -0) ? "-0" : v}` : v));

const OPTIMIZERS: [string, (ps: unknown) => Opt][] = [
  ["Adam", (ps) => new optim.Adam(ps as Tensor[], { lr: 0.01 }) as unknown as Opt],
  ["Adam amsgrad, weight decay", (ps) => new optim.Adam(ps as Tensor[], { lr: 0.02, amsgrad: true, weight_decay: 0.01 }) as unknown as Opt],
  ["AdamW", (ps) => new optim.AdamW(ps as Tensor[], { lr: 0.01 }) as unknown as Opt],
  ["SGD", (ps) => new optim.SGD(ps as Tensor[], { lr: 0.05 }) as unknown as Opt],
  ["SGD nesterov", (ps) => new optim.SGD(ps as Tensor[], { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 1e-3 }) as unknown as Opt],
  ["RMSprop centered, momentum", (ps) => new optim.RMSprop(ps as Tensor[], { lr: 0.01, centered: true, momentum: 0.5 }) as unknown as Opt],
  ["Adagrad", (ps) => new optim.Adagrad(ps as Tensor[], { lr: 0.05, lr_decay: 0.01 }) as unknown as Opt],
  ["Adamax", (ps) => new optim.Adamax(ps as Tensor[], { lr: 0.02 }) as unknown as Opt],
  ["NAdam", (ps) => new optim.NAdam(ps as Tensor[], { lr: 0.02 }) as unknown as Opt],
  ["RAdam", (ps) => new optim.RAdam(ps as Tensor[], { lr: 0.01 }) as unknown as Opt],
  ["Adadelta", (ps) => new optim.Adadelta(ps as Tensor[], { lr: 1 }) as unknown as Opt],
  ["ASGD", (ps) => new optim.ASGD(ps as Tensor[], { lr: 0.05 }) as unknown as Opt],
  ["Adafactor", (ps) => new optim.Adafactor(ps as Tensor[], { lr: 0.05 }) as unknown as Opt],
  ["Rprop", (ps) => new optim.Rprop(ps as Tensor[], { lr: 0.01 }) as unknown as Opt],
];

interface Script {
  steps?: number;
  /** Two groups (the weight, then the bias with its own lr). */
  groups?: boolean;
  /** The gradient of parameter k at step s (default: random). */
  grad?: (s: number, k: number, g: Float32Array) => Float32Array | null;
  f64?: boolean;
  options?: Record<string, unknown>;
  /** Called after each step (log_loss, ...). */
  after?: (t: ReturnType<typeof trace>, s: number) => void;
}

/** Traces a Linear(10, 1)-sized model (a weight of 10 and a bias of 1) on scripted gradients; small path on or off. */
function run(make: (ps: unknown) => Opt, small: boolean, script: Script = {}) {
  const steps = script.steps ?? 60;
  const r = rng(26);
  const F = script.f64 ? Float64Array : Float32Array;
  const dtype = script.f64 ? "float64" : "float32";
  const w = new Tensor(F.from(Array.from({ length: 10 }, () => r() - 0.5)), [1, 10], dtype, true);
  const b = new Tensor(F.from([0.1]), [1], dtype, true);
  const opt = make(script.groups ? [{ params: [w] }, { params: [b], lr: 0.003 }] : [w, b]);
  const t = trace(opt, { batch_size: 8, ...(script.options ?? {}) });
  t._use_small = small;
  const heard: StepMetrics[][] = [];
  t.on_step((_t, out) => heard.push(out));
  const latest: string[] = [];
  const before = small_stats.steps;
  const gr = rng(7);
  for (let s = 0; s < steps; s++) {
    [w, b].forEach((p, k) => {
      const g = F.from(Array.from({ length: p.data.length }, () => (gr() - 0.5) * 0.2)) as Float32Array;
      const h = script.grad ? script.grad(s, k, g) : g;
      p.grad = h === null ? null : new Tensor(F.from(h), p.shape, dtype);
    });
    opt.step();
    script.after?.(t, s);
    latest.push(J([t.latest(0), script.groups ? t.latest(1) : null]));
  }
  const small_steps = small_stats.steps - before;
  t.stop();
  return { json: J(t.to_json()), summary: t.summary().join("\n"), latest, heard: J(heard), errors: t.errors.map((e) => e.message), small_steps };
}

function expectSame(make: (ps: unknown) => Opt, script: Script = {}) {
  const a = run(make, true, script), g = run(make, false, script);
  expect(a.small_steps).toBeGreaterThan(0);
  expect(g.small_steps).toBe(0);
  expect(a.errors).toEqual(g.errors);
  expect(a.latest).toEqual(g.latest);
  expect(a.heard).toBe(g.heard);
  expect(a.json).toBe(g.json);
  expect(a.summary).toBe(g.summary);
  return a;
}

describe("the small path gives the general path's numbers, bit for bit", () => {
  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: every step's latest(), listeners, to_json, summary`, () => {
      const a = expectSame(make);
      expect(a.small_steps).toBe(60);
    });
  }

  it("two groups with their own lr, and a scheduler cycling lr and β1 (OneCycleLR)", () => {
    for (const name of ["Adam", "SGD nesterov", "RMSprop centered, momentum"]) {
      const make = OPTIMIZERS.find(([n]) => n === name)![1];
      expectSame((ps) => {
        const opt = make(ps);
        const sched = new optim.lr_scheduler.OneCycleLR(opt as never, { max_lr: 0.05, total_steps: 70 });
        const step = opt.step.bind(opt);
        opt.step = (c?: () => unknown) => {
          const out = step(c);
          sched.step();
          return out;
        };
        return opt;
      }, { groups: true });
    }
  });

  it("float64 parameters; few metrics; sum reduction; maximize; lr 0 (no step: Δ = 0, the careful pass)", () => {
    const adam = OPTIMIZERS[0][1], sgd = OPTIMIZERS[3][1];
    expectSame(adam, { f64: true });
    expectSame(adam, { options: { metrics: ["lr", "lr_projected", "lr_elementwise", "loss"] } });
    expectSame(sgd, { options: { reduction: "sum" } });
    expectSame((ps) => new optim.Adam(ps as Tensor[], { lr: 0.01, maximize: true }) as unknown as Opt);
    expectSame((ps) => new optim.SGD(ps as Tensor[], { lr: 0 }) as unknown as Opt);
  });

  it("float32: a zero update (lr 0) or zero gradients stay on the small path's own loop (no underflow there, as sums.ts says)", () => {
    const general = small_stats.general;
    expectSame((ps) => new optim.SGD(ps as Tensor[], { lr: 0 }) as unknown as Opt);
    expectSame(OPTIMIZERS[0][1], { grad: (s, _k, g) => (s % 3 === 1 ? g.map(() => 0) : g) });
    expect(small_stats.general).toBe(general);
    // float64 values whose squares underflow take the general functions (the careful pass)
    expectSame(OPTIMIZERS[0][1], { f64: true, grad: (s, k, g) => (s % 3 === 0 && k === 0 ? g.map((x) => x * 1e-200) : g) });
    expect(small_stats.general).toBeGreaterThan(general);
  });

  it("NaN and infinite gradients (the divergence), zero gradients, gradients of 1e-200 (underflow, float64)", () => {
    for (const [, make] of [OPTIMIZERS[0], OPTIMIZERS[3], OPTIMIZERS[5]]) {
      expectSame(make, { grad: (s, k, g) => (s >= 20 && s < 23 && k === 0 ? g.map((x, i) => (i === 3 ? (s % 2 ? NaN : Infinity) : x)) : g) });
      expectSame(make, { grad: (s, k, g) => (s % 5 === 2 && k === 1 ? g.map(() => 0) : s % 7 === 3 ? g.map(() => 0) : g) });
      expectSame(make, { f64: true, grad: (s, k, g) => (s % 3 === 0 ? g.map((x) => x * 1e-200) : g) });
    }
  });

  it("parameters without a gradient at some steps (the group's list changes from step to step), two groups", () => {
    for (const [, make] of OPTIMIZERS) {
      expectSame(make, { groups: true, grad: (s, k, g) => ((s % 4 === 1 && k === 1) || (s % 7 === 3 && k === 0) ? null : g) });
    }
  });

  it("a loss logged before the step, and one logged after it (which changes the last step's metrics)", () => {
    const a = expectSame(OPTIMIZERS[0][1], {
      after: (t, s) => {
        if (s % 3 === 0) t.log_loss(1 / (s + 1));
      },
    });
    expect(a.latest.some((l) => l.includes('"loss":1'))).toBe(true);
  });

  it("a parameter that changes size in step(): the same error, and the groups before it recorded", () => {
    class Grow extends optim.SGD {
      override step(closure?: () => number): number | undefined {
        const out = super.step(closure) as number | undefined;
        const p = this.param_groups[this.param_groups.length - 1].params[0];
        if (p.data.length === 1) p.data = new Float32Array(2);
        return out;
      }
    }
    const a = expectSame((ps) => new Grow(ps as Tensor[], { lr: 0.05 }) as unknown as Opt, { groups: true, steps: 1 });
    expect(a.errors.some((m) => m.includes("changed size during step()"))).toBe(true);
  });

  it("step(closure): the closure called (the copies taken inside it), or never called (a step not measured)", () => {
    class Sometimes extends optim.SGD {
      n = 0;
      override step(closure?: () => number): number | undefined {
        return (this.n++ % 3 === 1 ? super.step() : super.step(closure)) as number | undefined;
      }
    }
    const r = (small: boolean) => {
      const w = new Tensor(new Float32Array(10).fill(0.5), [10], "float32", true);
      const opt = new Sometimes([w], { lr: 0.1 }) as unknown as Opt;
      const t = trace(opt);
      t._use_small = small;
      const latest: string[] = [];
      for (let s = 0; s < 7; s++) {
        w.grad = new Tensor(new Float32Array(10).fill(0.1 * (s + 1)), [10], "float32");
        opt.step(() => {
          w.grad = new Tensor(new Float32Array(10).map((_, i) => 0.01 * (i + s)), [10], "float32");
          return 1;
        });
        latest.push(J(t.latest()));
      }
      t.stop();
      return J([t.to_json(), t.errors.map((e) => e.message), latest]);
    };
    const a = r(true);
    expect(a).toContain("never called");
    expect(a).toBe(r(false));
  });
});

describe("the StepMetrics of a row (row.ts): made when read, the same object until the next step", () => {
  it("latest() twice is the same object; the next step gives a new one; a listener's objects stay as they were", () => {
    const w = new Tensor(new Float32Array(10).fill(0.5), [10], "float32", true);
    const opt = new optim.Adam([w], { lr: 0.01 }) as unknown as Opt;
    const t = trace(opt);
    const heard: StepMetrics[] = [];
    const texts: string[] = [];
    const off = t.on_step((_t, out) => {
      heard.push(out[0]);
      texts.push(J(out[0]));
    });
    const seen: StepMetrics[] = [];
    for (let s = 0; s < 5; s++) {
      w.grad = new Tensor(new Float32Array(10).map((_, i) => (i + s) * 0.01), [10], "float32");
      opt.step();
      const m = t.latest() as StepMetrics;
      expect(t.latest()).toBe(m);
      expect(m.step).toBe(s);
      seen.push(m);
      if (s === 2) off();
    }
    expect(new Set(seen).size).toBe(5);
    // listeners got the objects latest() then gave, unchanged since
    for (let k = 0; k < heard.length; k++) {
      expect(heard[k]).toBe(seen[k]);
      expect(J(heard[k])).toBe(texts[k]);
    }
    // lr_preconditioned's q25 and q75 (taken when the object is made) are there
    const q = seen[4].lr_preconditioned as Quantiles;
    expect(q.q05 <= q.q25 && q.q25 <= q.q50 && q.q50 <= q.q75 && q.q75 <= q.q95).toBe(true);
  });
});

describe("the small path's parts against the functions they stand for", () => {
  const r = rng(2026);
  /** Values with ties, ±0 and ±Infinity among them. */
  const values = (m: number) => Float64Array.from({ length: m }, () => {
    const u = r();
    if (u < 0.05) return 0;
    if (u < 0.1) return -0;
    if (u < 0.12) return Infinity;
    if (u < 0.14) return -Infinity;
    if (u < 0.3) return Math.round(r() * 4) / 4;
    return (r() - 0.5) * 10;
  });

  it("KeptOrder sorts whatever order it kept, as the values change and their count too", () => {
    const order = new KeptOrder();
    let a = values(12);
    for (let s = 0; s < 300; s++) {
      const m = s % 50 === 49 ? 5 + Math.floor(r() * 40) : a.length;
      a = s % 50 === 49 ? values(m) : a.map((x) => (r() < 0.2 ? x + (r() - 0.5) : x));
      const out = Array.from(order.sorted(a, m).subarray(0, m));
      const sorted = Array.from(a.slice(0, m)).sort((x, y) => x - y);
      expect(out.map((x) => x === 0 ? 0 : x)).toEqual(sorted.map((x) => x === 0 ? 0 : x));
      const into = new Float64Array(m + 3);
      expect(order.sorted(a, m, into)).toBe(into);
      expect(Array.from(into.subarray(0, m)).map((x) => x === 0 ? 0 : x)).toEqual(sorted.map((x) => x === 0 ? 0 : x));
    }
  });

  it("summarizeSmall gives quantiles.ts summarize's levels (the same bits; ±0 ties and infinities included)", () => {
    const order = new KeptOrder();
    for (let trial = 0; trial < 400; trial++) {
      const m = 1 + Math.floor(r() * 70);
      const a = values(m);
      let min = Infinity, max = -Infinity;
      for (const x of a) {
        if (x < min) min = x;
        if (x > max) max = x;
      }
      const row = new MetricsRow();
      row.v[R_ELEMENTWISE] = min;
      row.v[R_ELEMENTWISE + 6] = max;
      summarizeSmall(a.slice(), m, order, row, R_ELEMENTWISE);
      const got = metricsOf(row).lr_elementwise as Quantiles;
      const want = summarize(a.slice(), m, min, max);
      for (const k of ["min", "q05", "q25", "q50", "q75", "q95", "max"] as const) expect(Object.is(got[k], want[k]) || (Number.isNaN(got[k]) && Number.isNaN(want[k])), `${k} of ${m}`).toBe(true);
    }
  });

  it("smallFactor gives factorQuantiles's summary for modes 1, 2 and 3 (elements not counted, NaN, several views), or hands over", () => {
    const order = new KeptOrder();
    const state = (n: number) => Float64Array.from({ length: n }, () => (r() < 0.15 ? 0 : r() < 0.05 ? NaN : r() * r() * 1e-3));
    let handed = 0, summarized = 0;
    for (let trial = 0; trial < 400; trial++) {
      const mode = (1 + (trial % 3)) as 1 | 2 | 3;
      const views: FactorView[] = [];
      const nv = 1 + (trial % 3);
      const c = trial % 17 === 0 ? -0.01 : 0.001 * (1 + r());
      const s = mode === 1 ? 0.5 + r() / 2 : 1;
      const eps = mode === 2 ? 0 : trial % 11 === 0 ? 0 : 1e-8;
      for (let k = 0; k < nv; k++) {
        const n = 1 + Math.floor(r() * 30);
        const v = state(n);
        const w = mode === 3 ? Float64Array.from(v, (x) => Math.sqrt(x || 0) * r() * 0.9) : null;
        const seen = mode === 2 ? Float64Array.from(v, () => (r() < 0.2 ? 0 : 1)) : v;
        views.push({ mode, c, s, eps, v, w, n, seen });
      }
      const row = new MetricsRow();
      const small = smallFactor(views, order, row);
      const want = factorQuantiles(views);
      if (!small) {
        handed++;
        continue;
      }
      summarized++;
      const got = row.none[R_PRECONDITIONED] === 1 ? null : metricsOf(row).lr_preconditioned;
      expect(J(got)).toBe(J(want));
    }
    expect(handed).toBeGreaterThan(10);
    expect(summarized).toBeGreaterThan(200);
  });
});

describe("series: a narrow set written by pushRow and openNarrow", () => {
  it("grows (32 → 64 → … rows) holding exactly its own values, gaps included", () => {
    const set = new SeriesSet(2000, 18);
    const c = Int32Array.from({ length: 18 }, (_, i) => i);
    const v = new Float64Array(18);
    const want: (number | null)[][] = Array.from({ length: 18 }, () => []);
    for (let s = 0; s < 600; s++) {
      for (let j = 0; j < 18; j++) {
        v[j] = (s + j) % 5 === 0 ? NaN : s * 0.25 - j;
        want[j].push(Number.isNaN(v[j]) ? null : v[j]);
      }
      if (s % 2) set.pushRow(s, c, v);
      else {
        const o = set.openNarrow(s);
        for (let j = 0; j < 18; j++) set.rows[o + 1 + j] = v[j] - v[j] === 0 ? v[j] : NaN;
      }
    }
    for (let j = 0; j < 18; j++) expect(set.series[j].buckets().map((b) => b.last)).toEqual(want[j]);
  });
});

describe("series: wide rows, and gaps in the rows written from the metrics", () => {
  it("a series loaded with from_json (wide rows) grows and takes pushes: its buckets are what was put", () => {
    const n = 40;
    const json = {
      capacity: 2000, width: 1,
      first_step: Array.from({ length: n }, (_, i) => i), last_step: Array.from({ length: n }, (_, i) => i),
      pushes: Array(n).fill(1), count: Array(n).fill(1), sum: Array.from({ length: n }, (_, i) => i * 0.5),
      min: Array.from({ length: n }, (_, i) => i * 0.5), max: Array.from({ length: n }, (_, i) => i * 0.5), last: Array.from({ length: n }, (_, i) => i * 0.5),
    };
    const s = BoundedSeries.from_json(json);
    for (let i = n; i < n + 100; i++) s.push(i, i % 9 === 0 ? null : i * 0.5);
    const b = s.buckets();
    expect(b.length).toBe(n + 100);
    b.forEach((x, i) => {
      const gap = i >= n && i % 9 === 0;
      expect([x.first_step, x.last_step, x.pushes, x.count, x.sum, x.last]).toEqual([i, i, 1, gap ? 0 : 1, gap ? 0 : i * 0.5, gap ? null : i * 0.5]);
    });
  });

  it("a non-finite metric is a gap in its series (the narrow row written straight from the metrics' row)", () => {
    const w = new Tensor(new Float32Array(10).fill(0.5), [10], "float32", true);
    const opt = new optim.SGD([w], { lr: 0.1 });
    const t = trace(opt as unknown as Opt);
    for (let s = 0; s < 4; s++) {
      w.grad = new Tensor(new Float32Array(10).map((_, i) => (s === 2 && i === 0 ? Infinity : 0.01 * (i + 1))), [10], "float32");
      opt.step();
    }
    expect(t.latest()?.step).toBe(3);
    const g = (t.series("grad_norm") as BoundedSeries).buckets();
    expect(g.map((b) => b.count)).toEqual([1, 1, 0, 1]);
    const p = (t.series("param_norm") as BoundedSeries).buckets();
    expect(p.map((b) => b.count)).toEqual([1, 1, 1, 0]);
  });
});

describe("the step hooks' snapshot with one hook (optim/optimizer.ts hooksOf)", () => {
  it("a hook registered by the only pre-hook runs from the next step on; one removed by it still runs this step", () => {
    const p = new Tensor(new Float32Array([1]), [1], "float32", true);
    p.grad = new Tensor(new Float32Array([1]), [1], "float32");
    const opt = new optim.SGD([p], { lr: 0.5 });
    const log: string[] = [];
    let added = false;
    const first = opt.register_step_pre_hook(() => {
      log.push("first");
      if (!added) {
        added = true;
        opt.register_step_pre_hook(() => void log.push("second"));
        opt.register_step_post_hook(() => void log.push("post"));
      }
    });
    opt.step();
    expect(log).toEqual(["first", "post"]);
    opt.step();
    expect(log).toEqual(["first", "post", "first", "second", "post"]);
    first.remove();
    opt.step();
    expect(log.slice(5)).toEqual(["second", "post"]);
  });
});
