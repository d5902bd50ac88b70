/**
 * The tracer's fixed per-step costs on tiny models, session 22 (PERF.md): objects the post-hook
 * used to make at every step are now kept and refreshed (factor views and their ranges, the betas
 * pair, the rows pushed to the series), and small copies run in a loop. None of it may change a
 * number: each test here compares the kept path with what making everything anew gives, on inputs
 * chosen so that a stale or half-refreshed object would show.
 */
import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { Adam, Adadelta, Adafactor, Adagrad, Adamax, ASGD, NAdam, RAdam, RMSprop, SGD } from "../../kernel/src/optim/index";
import { trace } from "../../kernel/src/trace/trace";
import type { StepMetrics } from "../../kernel/src/trace/metrics";
import { factorRange, factorView, factorXRange, type FactorView, type PreconditionedKind, type XRange } from "../../kernel/src/trace/preconditioned";
import { factorQuantiles, factorRanges } from "../../kernel/src/trace/sample";
import { BoundedSeries, SeriesSet } from "../../kernel/src/trace/series";
import { Snapshots } from "../../kernel/src/trace/snapshot";
import { rng } from "../tensor/gradcheck";

type Opt = Parameters<typeof trace>[0] & { step(): void; state: Map<Tensor, Record<string, unknown>> };

/** Bits of a typed array's elements (NaN payloads told apart). */
const bits = (a: Float32Array | Float64Array) => Array.from(a instanceof Float32Array ? new Uint32Array(a.buffer, a.byteOffset, a.length) : new Uint32Array(a.buffer, a.byteOffset, 2 * a.length));

describe("tiny-model fixed costs (session 22): same numbers", () => {
  it("small copies of θ_t and g_t keep every bit, signalling NaN payloads included (a float32 copied through a number quiets them)", () => {
    for (const F of [Float32Array, Float64Array]) {
      const theta = new F(11).map((_, i) => i - 5.5);
      const grad = new F(11).map((_, i) => 1 / (i + 1));
      // a signalling NaN (quiet bit clear) with a payload, among ordinary values, and a quiet one
      if (F === Float32Array) {
        new Uint32Array(grad.buffer)[3] = 0x7f800001;
        new Uint32Array(theta.buffer)[7] = 0xffa00005;
        new Uint32Array(theta.buffer)[8] = 0x7fc00abc;
      } else {
        const w = new Uint32Array(grad.buffer);
        w[6] = 0x1;
        w[7] = 0x7ff00000;
      }
      const p = new Tensor(theta, [11], F === Float32Array ? "float32" : "float64", true);
      p.grad = new Tensor(grad, [11], F === Float32Array ? "float32" : "float64");
      const snaps = new Snapshots();
      for (let step = 0; step < 3; step++) {
        snaps.capture([{ params: [p] }]);
        const slot = snaps.pending[0][0];
        expect(bits(slot.theta as Float32Array)).toEqual(bits(theta));
        expect(bits(slot.grad as Float32Array)).toEqual(bits(grad));
        expect(slot.theta).not.toBe(theta); // a copy, not the live array
        snaps.release();
      }
    }
  });

  it("SeriesSet.putRow writes what a put per column writes: gaps (NaN, ±Infinity), ±0, columns not recorded (−1), narrow and wide rows", () => {
    const r = rng(22);
    for (const [capacity, steps] of [[2000, 300], [8, 300], [4, 5]]) {
      const K = 6;
      const a = new SeriesSet(capacity, K), b = new SeriesSet(capacity, K);
      // slot → column: slots 1 and 4 not recorded, the others in another order than the slots
      const columns = Int32Array.from([2, -1, 0, 5, -1, 1, 3, 4]);
      const values = new Float64Array(columns.length);
      for (let s = 0; s < steps; s++) {
        for (let k = 0; k < values.length; k++) {
          const u = r();
          values[k] = u < 0.1 ? NaN : u < 0.15 ? Infinity : u < 0.2 ? -Infinity : u < 0.25 ? -0 : u < 0.3 ? 0 : (r() - 0.5) * 10 ** Math.floor(r() * 20 - 10);
        }
        a.putRow(a.begin(s), columns, values);
        const row = b.begin(s);
        for (let k = 0; k < values.length; k++) if (columns[k] >= 0) b.put(row, columns[k], Number.isFinite(values[k]) ? values[k] : null);
      }
      expect(a.wide).toBe(steps > capacity);
      for (let c = 0; c < K; c++) {
        const sa = a.series[c], sb = b.series[c];
        const dump = (x: BoundedSeries) => JSON.stringify(x.buckets().map((q) => [q.first_step, q.count, q.sum, q.min, q.max, q.last].map((v) => (Object.is(v, -0) ? "-0" : v))));
        expect(dump(sa)).toEqual(dump(sb));
      }
    }
  });

  it("a kept factor view refreshed for any optimizer (from a view of another mode) equals a new one", () => {
    const make: [PreconditionedKind, (ps: Tensor[]) => Opt][] = [
      ["Adam", (ps) => new Adam(ps, { lr: 1e-2 }) as unknown as Opt],
      ["Adam", (ps) => new Adam(ps, { lr: 1e-2, amsgrad: true }) as unknown as Opt],
      ["Adamax", (ps) => new Adamax(ps, { lr: 1e-2 }) as unknown as Opt],
      ["RMSprop", (ps) => new RMSprop(ps, { lr: 1e-2, centered: true, momentum: 0.5 }) as unknown as Opt],
      ["RMSprop", (ps) => new RMSprop(ps, { lr: 1e-2 }) as unknown as Opt],
      ["Adagrad", (ps) => new Adagrad(ps, { lr: 1e-2 }) as unknown as Opt],
      ["NAdam", (ps) => new NAdam(ps, { lr: 1e-2 }) as unknown as Opt],
      ["RAdam", (ps) => new RAdam(ps, { lr: 1e-2 }) as unknown as Opt],
      ["Adadelta", (ps) => new Adadelta(ps, { lr: 1 }) as unknown as Opt],
      ["ASGD", (ps) => new ASGD(ps, { lr: 1e-2 }) as unknown as Opt],
      ["Adafactor", (ps) => new Adafactor(ps, { lr: 1e-2 }) as unknown as Opt],
      ["SGD", (ps) => new SGD(ps, { lr: 1e-2, momentum: 0.9 }) as unknown as Opt],
    ];
    const kept: FactorView = { mode: 3, c: NaN, s: NaN, eps: NaN, v: new Float64Array(1), w: new Float64Array(1), n: -1, seen: new Float64Array(1) };
    const keptX: XRange = [NaN, NaN, NaN];
    const keptF: [number, number] = [NaN, NaN];
    const r = rng(5);
    let seen = 0;
    for (const [kind, mk] of make) {
      const p = new Tensor(Float64Array.from({ length: 12 }, () => r() - 0.5), [3, 4], "float64", true);
      const opt = mk([p]);
      // RAdam is adaptive from step 6 on (ρ_t > 5): steps 1..7 see both of its views
      for (let t = 0; t < 7; t++) {
        const g = Float64Array.from({ length: 12 }, () => r() - 0.5);
        p.grad = new Tensor(g, [3, 4], "float64");
        const copies = { theta: Float64Array.from(p.data), grad: g };
        opt.step();
        const fresh = factorView(kind, opt.param_groups[0], opt.state.get(p), 12, null, copies);
        const refreshed = factorView(kind, opt.param_groups[0], opt.state.get(p), 12, null, copies, kept);
        expect(refreshed === null ? null : { ...refreshed }).toEqual(fresh === null ? null : { ...fresh });
        if (fresh === null) continue;
        seen++;
        expect(refreshed).toBe(kept);
        // and its ranges, written into kept pairs
        expect(factorXRange(kept, keptX)).toEqual(factorXRange(fresh));
        expect(factorRange(kept, keptX, keptF)).toEqual(factorRange(fresh));
        expect(factorXRange(kept, keptX)).toBe(keptX);
      }
    }
    expect(seen).toBeGreaterThan(60);
  });

  it("the factor's x drawn for a view with seen = v: −0 and 0 do not count, NaN counts but has no rank (a loop written out for this case was tried: PERF.md)", () => {
    const v = Float64Array.from([3e-7, -0, 1e-6, NaN, 0, 2e-5, 4e-8, -0, 9e-6, NaN, 1e-7]);
    const view = factorView("Adam", { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, amsgrad: false }, { step: 3, exp_avg_sq: { data: v } }, v.length)!;
    const q = factorQuantiles([view])!;
    // by the definition: f of the 7 elements with v ≠ 0 that are not NaN, sorted
    const f = (x: number) => view.c / (Math.sqrt(x) / view.s + view.eps);
    const xs = Array.from(v).filter((x) => x !== 0 && x === x);
    const fs = xs.map(f).sort((a, b) => a - b);
    const level = (p: number) => {
      const pos = p * (fs.length - 1), lo = Math.floor(pos);
      return fs[lo] + (fs[Math.min(fs.length - 1, lo + 1)] - fs[lo]) * (pos - lo);
    };
    expect(q).toEqual({ min: fs[0], q05: level(0.05), q25: level(0.25), q50: level(0.5), q75: level(0.75), q95: level(0.95), max: fs[fs.length - 1] });
  });

  it("kept views and ranges follow the parameters that have a gradient at each step (some skipped, then back), per_param or not", () => {
    for (const per_param of [false, true]) {
      const r = rng(9);
      const sizes = [10, 1, 7];
      const ps = sizes.map((n) => new Tensor(Float32Array.from({ length: n }, () => r() - 0.5), [n], "float32", true));
      const opt = new Adam(ps, { lr: 1e-2 }) as unknown as Opt;
      const t = trace(opt, { per_param, batch_size: 4 });
      for (let s = 0; s < 12; s++) {
        // which parameters have a gradient: all, then the first alone, then the last two, ...
        const has = [[0, 1, 2], [0], [1, 2], [0, 1, 2], [2], [0, 2]][s % 6];
        ps.forEach((p, i) => {
          p.grad = has.includes(i) ? new Tensor(Float32Array.from({ length: p.data.length }, () => r() - 0.5), [p.data.length], "float32") : null;
        });
        opt.step();
        // the definition: new views of the parameters stepped now, their quantiles
        const group = opt.param_groups[0];
        const views = has.map((i) => factorView("Adam", group, opt.state.get(ps[i]), ps[i].data.length));
        if (views.some((v) => v === null)) continue;
        const m = t.latest()!;
        expect(m.lr_preconditioned).toEqual(factorQuantiles(views as FactorView[], factorRanges(views as FactorView[])));
        if (per_param) {
          has.forEach((i, k) => expect(t.latest_param(`0.${i}`)!.lr_preconditioned).toEqual(factorQuantiles([views[k]!])));
        }
      }
      t.stop();
    }
  });

  it("betas: a step's metrics keep the pair of their own step (β1 and β2 changed apart, between steps); unchanged steps share one frozen pair", () => {
    const p = new Tensor(Float32Array.from([0.5, -0.25, 0.125]), [3], "float32", true);
    const opt = new Adam([p], { lr: 1e-3, betas: [0.9, 0.999] }) as unknown as Opt;
    const t = trace(opt, { batch_size: 1 });
    const heard: StepMetrics[] = [];
    t.on_step((_, out) => heard.push(...out));
    const plan: [number, number][] = [[0.9, 0.999], [0.9, 0.999], [0.8, 0.999], [0.8, 0.99], [0.8, 0.99], [0.9, 0.99], [-0, 0.99], [0, 0.99], [NaN, 0.99], [NaN, 0.99]];
    for (const b of plan) {
      (opt.param_groups[0] as unknown as { betas: number[] }).betas = [b[0], b[1]];
      p.grad = new Tensor(Float32Array.from([0.1, 0.2, -0.3]), [3], "float32");
      opt.step();
    }
    t.latest(); // (settles: every step heard)
    expect(heard.length).toBe(plan.length);
    heard.forEach((m, s) => {
      expect(Object.is(m.betas![0], plan[s][0]) && Object.is(m.betas![1], plan[s][1])).toBe(true);
      expect(Object.isFrozen(m.betas)).toBe(true);
      // the momentum series reads β1, the beta2 series β2, at every step
      if (s > 0) expect(m.betas === heard[s - 1].betas).toBe(Object.is(plan[s][0], plan[s - 1][0]) && Object.is(plan[s][1], plan[s - 1][1]));
    });
    expect(t.series("beta2")!.columns().last).toEqual(plan.map((b) => b[1]));
    t.stop();
  });
});
