/**
 * lr_preconditioned of NAdam, RAdam, Adadelta, ASGD and Adafactor (kernel/src/trace/preconditioned.ts)
 * against real PyTorch 2.13 (float32): test/fixtures/generate_trace_factors.py runs each optimizer
 * on a small seeded linear model for 8 steps and records, per step, the gradients, the state the
 * factor reads and the factor per element; it also checks every step's real update against
 * −f ⊙ d (the convention), in float64 to 1e-9. Here the kernel's optimizer takes the same steps
 * (fed torch's gradients) under a trace, and the trace's lr_preconditioned min, max (exact) and
 * median are compared with the factor computed in this file from PyTorch's state, to float32
 * rounding. W's last column never has a gradient (its input feature is 0): its elements do not
 * count (their second moment is 0), except where the factor is the same for every element.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tensor } from "../../kernel/src/tensor/tensor";
import * as optim from "../../kernel/src/optim/index";
import { trace, Trace } from "../../kernel/src/trace/index";

const fx = JSON.parse(readFileSync(join(__dirname, "../fixtures/trace/factors.json"), "utf8"));

interface ParamStep {
  theta: number[];
  grad: number[];
  state: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  factor: (number | null)[];
}

/**
 * Relative agreement with the factor from PyTorch's state. NAdam, RAdam: the kernel's state is
 * PyTorch's bit for bit, the factor the same expression in float64 (seen: 1e-10). Adadelta: u_{t−1}
 * is solved from the float32 u_t, Adafactor's scalars are taken from float32 copies (seen: 4e-8):
 * float32 rounding, a few ulps (2^-23 = 1.2e-7).
 */
const TOL: Record<string, number> = { NAdam: 1e-8, RAdam: 1e-8, Adadelta: 4e-7, Adafactor: 4e-7 };
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** The factor of each element of one parameter at one step, from PyTorch's state (null: does not count). */
function expected(name: string, o: Record<string, any>, shape: number[], ps: ParamStep): (number | null)[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const st = ps.state, t = st.step as number, n = ps.theta.length;
  const lr = o.lr as number;
  if (name === "NAdam") {
    const [b1, b2] = (o.betas ?? [0.9, 0.999]) as number[];
    const psi = o.momentum_decay ?? 4e-3, eps = o.eps ?? 1e-8;
    const mu = (k: number) => b1 * (1 - 0.5 * 0.96 ** (k * psi));
    const a = (1 - mu(t)) / (1 - st.mu_product), b = mu(t + 1) / (1 - st.mu_product * mu(t + 1));
    return st.exp_avg_sq.map((v: number) => (v === 0 ? null : (lr * (a + b)) / (Math.sqrt(v / (1 - b2 ** t)) + eps)));
  }
  if (name === "RAdam") {
    const [b1, b2] = (o.betas ?? [0.9, 0.999]) as number[];
    const eps = o.eps ?? 1e-8;
    const rhoInf = 2 / (1 - b2) - 1, rho = rhoInf - (2 * t * b2 ** t) / (1 - b2 ** t);
    if (rho <= 5) return st.exp_avg_sq.map(() => lr / (1 - b1 ** t));
    const r = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
    return st.exp_avg_sq.map((v: number) => (v === 0 ? null : (lr * r * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t) / (Math.sqrt(v) + eps)));
  }
  if (name === "Adadelta") {
    const eps = o.eps ?? 1e-6;
    // acc_delta as the step read it (before its update), square_avg after
    return st.square_avg.map((v: number, i: number) => (v === 0 ? null : (lr * Math.sqrt(st.acc_delta_before[i] + eps)) / Math.sqrt(v + eps)));
  }
  if (name === "ASGD") return ps.theta.map(() => st.eta_before);
  // Adafactor
  const eps1 = 2 ** -23, eps2 = 1e-3, d = o.d ?? 1;
  let vhat: number[];
  if (shape.length === 2) {
    const [R, C] = shape;
    const meanRow = Math.max(st.row_var.reduce((s: number, x: number) => s + x, 0) / R, eps1);
    vhat = Array.from({ length: n }, (_, k) => (st.row_var[Math.floor(k / C)] * st.col_var[k % C]) / meanRow);
  } else vhat = st.variance;
  const inv = vhat.map((v) => 1 / Math.sqrt(Math.max(v, eps1 * eps1)));
  const rms = (x: number[]) => Math.sqrt(x.reduce((s, y) => s + y * y, 0) / n);
  const alpha = Math.max(eps2, rms(ps.theta)) * Math.min(lr, 1 / Math.sqrt(t));
  const c = alpha / Math.max(1, rms(inv.map((u, i) => u * ps.grad[i])) / d);
  return inv.map((u, i) => (vhat[i] === 0 ? null : c * u));
}

/** min, median (linear, as the trace's quantiles over all values when there are few) and max. */
function stats(xs: number[]): { min: number; q50: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const pos = 0.5 * (s.length - 1), lo = Math.floor(pos);
  const q50 = lo + 1 < s.length ? s[lo] + (s[lo + 1] - s[lo]) * (pos - lo) : s[lo];
  return { min: s[0], q50, max: s[s.length - 1] };
}

/** Runs a fixture case under a trace; calls `each` with the trace's factor and the expected one per step. */
function runCase(c: any, each: (step: number, got: any, want: { min: number; q50: number; max: number }, exp: (number | null)[][]) => void) { // eslint-disable-line @typescript-eslint/no-explicit-any
  const shapes = fx.shapes as number[][];
  const ps = shapes.map((sh, k) => new Tensor(Float32Array.from(fx.theta0[k]), sh, "float32", true));
  const opt = new (optim as any)[c.optimizer](ps, c.options); // eslint-disable-line @typescript-eslint/no-explicit-any
  const t = trace(opt);
  c.steps.forEach((s: { params: ParamStep[] }, i: number) => {
    ps.forEach((p, k) => (p.grad = new Tensor(Float32Array.from(s.params[k].grad), shapes[k], "float32")));
    opt.step();
    const exp = s.params.map((pp, k) => expected(c.optimizer, c.options, shapes[k], pp));
    // the factor computed here from the state and the generator's (torch, float64 from the same state)
    exp.forEach((e, k) => e.forEach((x, j) => {
      const py = s.params[k].factor[j];
      if (x === null || py === null) expect(x, `step ${i + 1} param ${k} element ${j}`).toBe(py);
      else expect(rel(x, py), `step ${i + 1} param ${k} element ${j}`).toBeLessThan(1e-12);
    }));
    const want = stats(exp.flat().filter((x): x is number => x !== null));
    each(i + 1, t.latest()!.lr_preconditioned, want, exp);
  });
  return t;
}

function checkClose(got: any, want: { min: number; q50: number; max: number }, what: string, tol: number) { // eslint-disable-line @typescript-eslint/no-explicit-any
  expect(got, what).not.toBeNull();
  for (const k of ["min", "q50", "max"] as const) expect(rel(got[k], want[k]), `${what} ${k}: ${got[k]} vs ${want[k]}`).toBeLessThan(tol);
}

const cases = (name: string) => (fx.cases as any[]).filter((c) => c.optimizer === name); // eslint-disable-line @typescript-eslint/no-explicit-any

describe("NAdam: f = γ(a_t + b_t)/(√(v_t/(1−β2^t)) + ε), a_t = (1−μ_t)/(1−Π_t), b_t = μ_{t+1}/(1−Π_t μ_{t+1})", () => {
  it("step 1, W[0,0], by hand", () => {
    // β1 = 0.9, ψ = 4e-3: μ_1 = 0.9(1 − ½·0.96^0.004) = 0.4500735, Π_1 = μ_1 (float32), so
    // a_1 = 1; μ_2 = 0.9(1 − ½·0.96^0.008) = 0.4501469, b_1 = μ_2/(1 − μ_1μ_2) = 0.5645178.
    // v_1 = (1−β2)g², so √(v_1/(1−β2)) = |g| = 0.8832216 (torch's gradient of W[0,0]):
    // f = 2e-3·1.5645178/(0.8832216 + 1e-8) = 3.542752e-3
    const c = cases("NAdam")[0];
    const first = c.steps[0].params[0];
    expect(Math.abs(first.grad[0])).toBeCloseTo(0.8832216, 6);
    expect(first.factor[0]).toBeCloseTo(3.542752e-3, 9);
    expect(rel(expected("NAdam", c.options, [4, 5], first)[0]!, 3.542752e-3)).toBeLessThan(1e-6);
  });

  for (const c of cases("NAdam")) {
    it(`${JSON.stringify(c.options)}: min, median, max over 8 steps`, () => {
      runCase(c, (step, got, want) => checkClose(got, want, `step ${step}`, TOL.NAdam));
    });
  }
});

describe("RAdam: γ/(1−β1^t) for every element while ρ_t ≤ 5, then γ r_t √(1−β2^t)/(1−β1^t)/(√v_t + ε)", () => {
  it("the switch at step 6 shows: one value before, a spread after", () => {
    // β2 = 0.999: ρ_∞ = 1999, ρ_5 = 1999 − 10·0.999^5/(1−0.999^5) = 4.996, ρ_6 = 5.994.
    // Steps 1–5: f = 1e-3/(1 − 0.9^t) for every element, W's unused column included: step 1 1e-2,
    // step 5 1e-3/(1 − 0.59049) = 2.441943e-3. Step 6: r_6 = √(1.994·3.994·1999/(1995·1997·5.994))
    // = 0.025821, and f_i = 1e-3·r_6·√(1−0.999^6)/(1 − 0.9^6)/(√v_i + ε).
    for (const c of cases("RAdam")) {
      const rhos = c.steps.map((s: { rho_t: number }) => s.rho_t);
      expect(rhos[4]).toBeLessThanOrEqual(5);
      expect(rhos[5]).toBeGreaterThan(5);
      runCase(c, (step, got, want) => {
        if (step <= 5) {
          const b1 = c.options.betas?.[0] ?? 0.9;
          expect(got.min).toBe(got.max);
          expect(rel(got.min, c.options.lr / (1 - b1 ** step))).toBeLessThan(1e-15);
        } else {
          expect(got.max / got.min).toBeGreaterThan(1.5);
        }
        checkClose(got, want, `step ${step}`, TOL.RAdam);
      });
    }
    const c = cases("RAdam")[0];
    expect(c.steps[4].params[0].factor[0]).toBeCloseTo(2.441943e-3, 9);
    const r6 = Math.sqrt((1.994 * 3.994 * 1999) / (1995 * 1997 * 5.994));
    expect(r6).toBeCloseTo(0.025821, 5);
  });
});

describe("Adadelta: f = γ√(u_{t−1} + ε)/√(v_t + ε), u_{t−1} = acc_delta before the step's update", () => {
  it("step 1, W[0,0], by hand, and min, median, max over 8 steps", () => {
    // ρ = 0.9, ε = 1e-6, γ = 1: u_0 = 0, v_1 = 0.1·g² = 0.1·0.8832216² = 0.07800804:
    // f = √1e-6/√(0.07800804 + 1e-6) = 3.580367e-3. With u_1 (acc_delta after the step) in place
    // of u_0 it would read 5.063387e-3, 41% more: that is the next step's numerator.
    const [c1, c2] = cases("Adadelta");
    expect(c1.steps[0].params[0].factor[0]).toBeCloseTo(3.580367e-3, 9);
    for (const c of [c1, c2]) runCase(c, (step, got, want) => checkClose(got, want, `${JSON.stringify(c.options)} step ${step}`, TOL.Adadelta));
  });
});

describe("ASGD: f = η_{t−1} = γ/(1 + λγ(t−1))^α, the eta the previous step left, every element", () => {
  it("equals PyTorch's eta before each step (float32), bit for bit", () => {
    // second case, γ = 0.1, λ = 0.5, α = 0.75, step 3: η_2 = 0.1/(1 + 0.05·2)^0.75 = 0.09310124
    // (float32: 0.093101248); the state after step 3 holds η_3, the next step's
    const [c1, c2] = cases("ASGD");
    expect(c2.steps[2].params[0].state.eta_before).toBeCloseTo(0.09310124, 7);
    expect(c2.steps[2].params[0].state.eta).toBeLessThan(0.0931);
    for (const c of [c1, c2]) {
      runCase(c, (step, got, want) => {
        expect(got.min).toBe(got.max);
        expect(got.min, `step ${step}`).toBe(want.min);
      });
    }
  });
});

describe("Adafactor: f = α_t/max(1, RMS(U_t)/d)/√max(v̂_t, ε1²), v̂ from row_var·col_var (W) or variance (b)", () => {
  it("min, median, max over 8 steps, with and without the RMS clipping acting", () => {
    // step 1, b[1] (a vector): v̂ = g² (the lerp weight 1^c = 1), so f = c/|g|, c = α_1/max(1, RMS(U)),
    // RMS(U) = 1 (U = ±1), α_1 = max(1e-3, RMS(θ_0 of b))·min(γ, 1) = 0.7361·0.01 = 7.361e-3:
    // f = 7.361e-3/0.0855833 = 0.08601
    for (const c of cases("Adafactor")) runCase(c, (step, got, want) => checkClose(got, want, `${JSON.stringify(c.options)} step ${step}`, TOL.Adafactor));
    // the generator's record of max(1, RMS(U)/d) > 1 per step and parameter: both kinds are covered
    const clipped = cases("Adafactor").flatMap((c) => c.steps.flatMap((s: { clipped: boolean[] }) => s.clipped));
    expect(clipped).toContain(true);
    expect(clipped).toContain(false);
    const c = cases("Adafactor")[0];
    const b = c.steps[0].params[1];
    const rmsTheta = Math.sqrt(b.theta.reduce((s: number, x: number) => s + x * x, 0) / 4);
    // RMS(U) = 1 for a vector at step 1 (U = ±1 where g ≠ 0): no clipping
    // (|g| is √v̂ up to v̂'s float32 rounding)
    expect(rel(b.factor[1], (Math.max(1e-3, rmsTheta) * 1e-2) / Math.abs(b.grad[1]))).toBeLessThan(1e-7);
    expect(b.factor[1]).toBeCloseTo(0.08601, 5);
  });
});

describe("the summary no longer says 'not known' for these", () => {
  it("NAdam, RAdam, Adadelta, ASGD, Adafactor", () => {
    for (const c of [cases("NAdam")[0], cases("RAdam")[0], cases("Adadelta")[0], cases("ASGD")[0], cases("Adafactor")[0]]) {
      const t = runCase(c, () => undefined);
      expect(t.summary().join("\n")).not.toContain("not known");
      expect(Trace.from_json(JSON.parse(JSON.stringify(t.to_json()))).latest()!.lr_preconditioned).not.toBeNull();
      t.stop();
    }
  });
});

describe("a large parameter (the copies of θ_t and g_t in the tracer's WebAssembly memory), maximize", () => {
  it("Adadelta with maximize and weight decay, Adafactor: exact min and max of the factor over 75,000 elements", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const shape = [300, 250], n = 75_000;
    for (const make of [
      (p: Tensor) => new optim.Adadelta([p], { lr: 1.0, weight_decay: 0.01, maximize: true }),
      (p: Tensor) => new optim.Adafactor([p], { lr: 1e-2, maximize: true }),
    ]) {
      const p = new Tensor(Float32Array.from({ length: n }, () => rnd() - 0.5), shape, "float32", true);
      const opt = make(p);
      const t = trace(opt as any); // eslint-disable-line @typescript-eslint/no-explicit-any
      for (let s = 0; s < 3; s++) {
        const g = Float32Array.from({ length: n }, () => (rnd() - 0.5) * 10 ** (-3 * rnd()));
        p.grad = new Tensor(g, shape, "float32");
        const theta = Float64Array.from(p.data);
        const st0 = opt.state.get(p) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
        const uBefore = st0?.acc_delta ? Float64Array.from(st0.acc_delta.data) : new Float64Array(n);
        opt.step();
        const st = opt.state.get(p) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
        let f: Float64Array;
        if (opt instanceof optim.Adadelta) {
          // the factor from acc_delta as the step read it (kept here before the step)
          f = Float64Array.from(st.square_avg.data as Float32Array, (v, i) => Math.sqrt(uBefore[i] + 1e-6) / Math.sqrt(v + 1e-6));
        } else {
          const row = st.row_var.data as Float32Array, col = st.col_var.data as Float32Array;
          let sr = 0;
          for (const x of row) sr += x;
          const meanRow = Math.max(sr / 300, 2 ** -23);
          const inv = Float64Array.from({ length: n }, (_, k) => 1 / Math.sqrt(Math.max((row[Math.floor(k / 250)] * col[k % 250]) / meanRow, 2 ** -46)));
          let th = 0, uu = 0;
          for (let i = 0; i < n; i++) { th += theta[i] * theta[i]; uu += (inv[i] * g[i]) ** 2; }
          const alpha = Math.max(1e-3, Math.sqrt(th / n)) * Math.min(1e-2, 1 / Math.sqrt(s + 1));
          f = inv.map((x) => (x * alpha) / Math.max(1, Math.sqrt(uu / n)));
        }
        let lo = Infinity, hi = -Infinity;
        for (const x of f) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
        const q = t.latest()!.lr_preconditioned!;
        expect(rel(q.min, lo), `${opt.constructor.name} step ${s + 1} min`).toBeLessThan(4e-7);
        expect(rel(q.max, hi), `${opt.constructor.name} step ${s + 1} max`).toBeLessThan(4e-7);
        expect(q.min).toBeLessThan(q.q50);
        expect(q.q50).toBeLessThan(q.max);
      }
      t.stop();
    }
  });
});
