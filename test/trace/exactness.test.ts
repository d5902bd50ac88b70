/**
 * The metrics against their definitions (EFFECTIVE_LR.md) where float64 arithmetic gets in the
 * way: non-finite data (grad_norm and param_norm are the norms of g_t and θ_t, ∞ or NaN where the
 * data is), float64 overflow of the sums on entirely finite steps (rescaled exactly, sums.ts), and
 * the angle of a Δ parallel or nearly parallel to θ (metrics.ts `angle`).
 */
import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD } from "../../kernel/src/optim/index";
import { Optimizer } from "../../kernel/src/optim/optimizer";
import { trace, type StepMetrics } from "../../kernel/src/trace/index";
import { accumulate, StepSums } from "../../kernel/src/trace/sums";
import { measure } from "../../kernel/src/trace/metrics";
import { WASM_MIN_ELEMENTS } from "../../kernel/src/trace/snapshot";
import type { Quantiles } from "../../kernel/src/trace/quantiles";

const param = (values: number[]) => new Tensor(Float64Array.from(values), [values.length], "float64", true);
const grad = (values: number[]) => new Tensor(Float64Array.from(values), [values.length], "float64");
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const anyRho = (): Quantiles => ({ min: 0, q05: 0, q25: 0, q50: 0, q75: 0, q95: 0, max: 0 });

/** The ratios, which a non-finite step does not record. */
const RATIOS = ["lr_projected", "lr_realized", "lr_per_sample", "update_ratio", "angular_update", "lr_elementwise"] as const;

/**
 * The angle between two float64 vectors, from exact rational arithmetic (BigInt): ‖θ × a‖² by
 * Lagrange's identity Σ_{i<j} (θ_i a_j − θ_j a_i)², ⟨θ, a⟩, each rounded once, then atan2.
 */
function exactAngle(theta: ArrayLike<number>, after: ArrayLike<number>): number {
  // every finite double is an integer multiple of 2^−1074
  const big = (x: number): bigint => {
    if (x === 0) return 0n;
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, Math.abs(x));
    const bits = b.getBigUint64(0);
    const e = Number((bits >> 52n) & 0x7ffn);
    const m = (bits & ((1n << 52n) - 1n)) | (e > 0 ? 1n << 52n : 0n);
    const v = m << BigInt(Math.max(e, 1) - 1);
    return x < 0 ? -v : v;
  };
  // an integer times 2^−scale as the nearest double (via its top 64 bits: relative error 2^−63)
  const num = (v: bigint, scale: number): number => {
    const neg = v < 0n;
    let a = neg ? -v : v;
    const shift = Math.max(0, a.toString(2).length - 64);
    a >>= BigInt(shift);
    let x = Number(a);
    let e = shift - scale;
    while (e < -1000) { x *= 2 ** -1000; e += 1000; }
    while (e > 1000) { x *= 2 ** 1000; e -= 1000; }
    x *= 2 ** e;
    return neg ? -x : x;
  };
  const t = Array.from(theta, big), a = Array.from(after, big);
  let cross = 0n, dot = 0n;
  for (let i = 0; i < t.length; i++) {
    dot += t[i] * a[i];
    for (let j = i + 1; j < t.length; j++) {
      const c = t[i] * a[j] - t[j] * a[i];
      cross += c * c;
    }
  }
  // the products carry a factor 2^(2·1074), the squares of their differences 2^(4·1074)
  return Math.atan2(Math.sqrt(num(cross, 4 * 1074)), num(dot, 2 * 1074));
}

/** One traced SGD step from θ with gradient g (float64), its metrics. */
function sgdStep(theta: number[], g: number[], options: { lr: number; weight_decay?: number }) {
  const p = param(theta);
  const opt = new SGD([p], options);
  const t = trace(opt);
  p.grad = grad(g);
  opt.step();
  expect(t.errors).toEqual([]);
  return { m: t.latest()!, t, after: Array.from(p.data) };
}

describe("non-finite data: grad_norm = ‖g_t‖ and param_norm = ‖θ_t‖, the ratios left out", () => {
  it("an infinite gradient element, then an infinite parameter, then nothing finite (tester's r1)", () => {
    const p = param([0.5, -0.25, 1]);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt);
    const seen: StepMetrics[] = [];
    for (const g of [[1, 2, Infinity], [1, 1, 1], [Infinity, NaN, 1]]) {
      p.grad = grad(g);
      opt.step();
      seen.push(t.latest()!);
    }
    // step 0: θ = (0.5, −0.25, 1), g = (1, 2, ∞) → θ' = (0.4, −0.45, −∞): a non-finite step.
    //   ‖g‖ = ∞; ‖θ‖ = √(0.25 + 0.0625 + 1) = √1.3125 = 1.14564392373896 (every element, not
    //   the finite ones: 2.236 and 0.559 before)
    expect(seen[0].grad_norm).toBe(Infinity);
    expect(seen[0].param_norm).toBe(Math.sqrt(1.3125));
    // step 1: θ = (0.4, −0.45, −∞), g = (1, 1, 1): ‖g‖ = √3 = 1.7320508075688772, ‖θ‖ = ∞
    expect(seen[1].grad_norm).toBe(Math.sqrt(3));
    expect(seen[1].param_norm).toBe(Infinity);
    // step 2: g = (∞, NaN, 1): ‖g‖ = NaN (a NaN element), ‖θ‖ = ∞ (not 0)
    expect(seen[2].grad_norm).toBeNaN();
    expect(seen[2].param_norm).toBe(Infinity);
    for (const m of seen) for (const k of RATIOS) expect(m[k], `step ${m.step} ${k}`).toBeNull();
    expect(t.diverged_at).toMatchObject({ step: 0, lr: 0.1 });
    // series: the non-finite values are gaps (never zeros), the finite ones are kept
    expect(t.series("grad_norm")!.columns().mean).toEqual([null, Math.sqrt(3), null]);
    expect(t.series("param_norm")!.columns().mean).toEqual([Math.sqrt(1.3125), null, null]);
    expect(t.errors).toEqual([]);
  });

  it("a group: its norms are ∞ when one parameter's are, each parameter keeps its own (per_param)", () => {
    const a = param([3, 4]), b = param([1]);
    const opt = new SGD([a, b], { lr: 0.5 });
    const t = trace(opt, { per_param: true });
    a.grad = grad([0, 2]);
    b.grad = grad([-Infinity]);
    opt.step();
    // a: ‖g‖ = 2, ‖θ‖ = 5, Δ = (0, −1): a finite step of its own, update_ratio = 1/5 = 0.2
    const pa = t.latest_param("0.0")!;
    expect([pa.grad_norm, pa.param_norm, pa.update_ratio, pa.lr_projected]).toEqual([2, 5, 0.2, 0.5]);
    // b: ‖g‖ = ∞, ‖θ‖ = 1, θ' = 1 + ∞ = ∞: no ratio
    const pb = t.latest_param("0.1")!;
    expect([pb.grad_norm, pb.param_norm, pb.update_ratio]).toEqual([Infinity, 1, null]);
    // the group: ‖g‖ = √(4 + ∞) = ∞, ‖θ‖ = √(25 + 1) = √26, no ratio
    const m = t.latest()!;
    expect([m.grad_norm, m.param_norm, m.update_ratio, m.lr_projected]).toEqual([Infinity, Math.sqrt(26), null, null]);
  });

  it("an infinite gradient with a finite step (an optimizer that steps by sign(g)): ‖g‖ = ∞, update_ratio kept, no divergence", () => {
    class SignSGD extends Optimizer {
      constructor(ps: Tensor[]) { super(ps, { lr: 0.25 }); }
      step(): undefined {
        for (const p of this.param_groups[0].params as Tensor[]) {
          const t = p.data, g = (p.grad as Tensor).data;
          for (let i = 0; i < t.length; i++) t[i] -= 0.25 * Math.sign(g[i]);
        }
        return undefined;
      }
    }
    const p = param([3, 4]);
    const opt = new SignSGD([p]);
    const t = trace(opt);
    p.grad = grad([Infinity, 1]);
    opt.step();
    const m = t.latest()!;
    // Δ = (−0.25, −0.25): ‖Δ‖ = 0.25·√2, ‖θ‖ = 5 → update_ratio = 0.05·√2 = 0.0707...; ‖g‖ = ∞
    // leaves lr_projected, lr_realized and ρ out (their ‖g‖ is not finite)
    expect(m.grad_norm).toBe(Infinity);
    expect(m.param_norm).toBe(5);
    expect(rel(m.update_ratio!, 0.05 * Math.SQRT2)).toBeLessThan(1e-15);
    expect([m.lr_projected, m.lr_realized, m.lr_elementwise]).toEqual([null, null, null]);
    expect(t.diverged_at).toBeNull();
  });

  it("the WebAssembly pass and the JS pass agree on non-finite norms (a large parameter)", () => {
    const n = WASM_MIN_ELEMENTS + 3;
    const run = (wasm: boolean) => {
      const p = new Tensor(Float64Array.from({ length: n }, (_, i) => Math.cos(i)), [n], "float64", true);
      const opt = new SGD([p], { lr: 0.1 });
      const t = trace(opt);
      t._snapshots.use_wasm = wasm;
      const out: [number | null, number | null][] = [];
      for (let s = 0; s < 3; s++) {
        // step 0: one gradient infinite; then θ holds an infinity; step 2: a NaN gradient
        p.grad = new Tensor(Float64Array.from({ length: n }, (_, i) => (s === 0 && i === 7 ? Infinity : s === 2 && i === 9 ? NaN : 0.01)), [n], "float64");
        opt.step();
        out.push([t.latest()!.grad_norm, t.latest()!.param_norm]);
      }
      return out;
    };
    const w = run(true);
    expect(w).toEqual(run(false));
    // step 0: ‖g‖ = ∞, ‖θ‖ = ‖cos(0..n−1)‖ (finite); step 1: ‖θ‖ = ∞; step 2: ‖g‖ = NaN
    expect(w[0][0]).toBe(Infinity);
    expect(Number.isFinite(w[0][1])).toBe(true);
    expect(w[1][1]).toBe(Infinity);
    expect(w[2][0]).toBeNaN();
  });
});

describe("float64 overflow on finite steps: rescaled exactly", () => {
  it("angular_update with ‖θ‖‖Δ‖ > 1.3e154 (tester's r2a): θ = (1e80, 1e80) → (0, 1e80) is π/4", () => {
    // SGD lr 1, g = (1e80, 0): Δ = (−1e80, 0). tt·dd = 2e160·1e160 overflows; the angle between
    // (1, 1) and (0, 1) is π/4; lr_projected = lr_realized = 1, update_ratio = 1e80/(√2·1e80)
    const { m, t } = sgdStep([1e80, 1e80], [1e80, 0], { lr: 1 });
    expect(rel(m.angular_update!, Math.PI / 4)).toBeLessThan(1e-15);
    expect(m.lr_projected).toBe(1);
    expect(m.lr_realized).toBe(1);
    expect(rel(m.update_ratio!, Math.SQRT1_2)).toBeLessThan(1e-15);
    expect(t.diverged_at).toBeNull();
  });

  it("plain SGD with g² beyond float64 (tester's r2b): lr_projected = lr_realized = γ, update_ratio = ‖Δ‖/‖θ‖", () => {
    // θ = (1, 1), g = (1.2e154, 0), γ = 2: Δ = (−2.4e154, 0), θ' = (−2.4e154, 1).
    // gg = 1.44e308 fits, dd = 5.76e308 does not: lr_projected = lr_realized = 2,
    // update_ratio = 2.4e154/√2 = 1.697056274847714e154, grad_norm = 1.2e154, param_norm = √2,
    // angular_update = angle((1, 1), (−2.4e154, 1)) = 3π/4 + (1/2.4e154 ≈ 0 at this precision)
    const { m, t } = sgdStep([1, 1], [1.2e154, 0], { lr: 2 });
    expect(m.lr_projected).toBe(2);
    expect(m.lr_realized).toBe(2);
    expect(rel(m.update_ratio!, 2.4e154 / Math.SQRT2)).toBeLessThan(1e-15);
    expect(m.grad_norm).toBe(1.2e154);
    expect(m.param_norm).toBe(Math.SQRT2);
    expect(rel(m.angular_update!, (3 * Math.PI) / 4)).toBeLessThan(1e-15);
    expect(m.lr_elementwise).toEqual({ min: 2, q05: 2, q25: 2, q50: 2, q75: 2, q95: 2, max: 2 });
    expect(t.diverged_at).toBeNull();
  });

  it("a large parameter of huge values (the WebAssembly pass overflows, the JS pass rescales): the same metrics", () => {
    const n = WASM_MIN_ELEMENTS * 2;
    const run = (wasm: boolean) => {
      // θ_i = 1e160·(1 + i mod 3), g_i = 1e150·(1 + i mod 5), γ = 1e8: Δ = −1e158·(1 + i mod 5)
      const p = new Tensor(Float64Array.from({ length: n }, (_, i) => 1e160 * (1 + (i % 3))), [n], "float64", true);
      const opt = new SGD([p], { lr: 1e8 });
      const t = trace(opt);
      t._snapshots.use_wasm = wasm;
      p.grad = new Tensor(Float64Array.from({ length: n }, (_, i) => 1e150 * (1 + (i % 5))), [n], "float64");
      const theta = Array.from(p.data);
      opt.step();
      expect(t.errors).toEqual([]);
      return { m: t.latest()!, theta, after: Array.from(p.data), diverged: t.diverged_at };
    };
    const w = run(true), j = run(false);
    // plain SGD: lr_projected = lr_realized = γ = 1e8 (to the rounding of θ' = θ + Δ);
    // ‖θ‖ = 1e160·√T, ‖g‖ = 1e150·√G with T = Σ (1 + i mod 3)², G = Σ (1 + i mod 5)² (below;
    // ‖θ‖² ≈ 1e320·n·14/3 and ‖g‖² ≈ 1e300·n·11 both overflow), update_ratio = ‖Δ‖/‖θ‖ =
    // 1e158·√G/(1e160·√T) = 1e-2·√(G/T) ≈ 0.01535
    let t2 = 0, g2 = 0;
    for (let i = 0; i < n; i++) { t2 += (1 + (i % 3)) ** 2; g2 += (1 + (i % 5)) ** 2; }
    for (const r of [w, j]) {
      expect(r.diverged).toBeNull();
      expect(rel(r.m.lr_projected!, 1e8)).toBeLessThan(1e-12);
      expect(rel(r.m.lr_realized!, 1e8)).toBeLessThan(1e-12);
      expect(rel(r.m.param_norm!, 1e160 * Math.sqrt(t2))).toBeLessThan(1e-14);
      expect(rel(r.m.grad_norm!, 1e150 * Math.sqrt(g2))).toBeLessThan(1e-14);
      expect(rel(r.m.update_ratio!, (1e-2 * Math.sqrt(g2)) / Math.sqrt(t2))).toBeLessThan(1e-12);
      // θ and Δ are not parallel (periods 3 and 5): an angle well above rounding, which the
      // unscaled tt·dd (∞) turned into π or 0
      expect(r.m.angular_update!).toBeGreaterThan(1e-3);
      expect(r.m.angular_update!).toBeLessThan(0.1);
    }
    for (const k of ["lr_projected", "lr_realized", "update_ratio", "angular_update", "grad_norm", "param_norm"] as const) {
      expect(rel(w.m[k]!, j.m[k]!), k).toBeLessThan(1e-12);
    }
    expect(w.m.lr_elementwise).toEqual(j.m.lr_elementwise);
  });

  it("a group whose parameters' sums fit but whose combined sums overflow, and a rescaled parameter with an ordinary one", () => {
    const a = param([1.2e154]), b = param([1.2e154]), c = param([3, 4]);
    const opt = new SGD([a, b, c], { lr: 0.5 });
    const t = trace(opt, { per_param: true });
    a.grad = grad([1]);
    b.grad = grad([1]);
    c.grad = grad([1e200, 0]);
    opt.step();
    // a, b: tt = 1.44e308 each (fits), together 2.88e308 (does not); c: g = 1e200 (gg overflows),
    // Δ = (−5e199, 0). Group: ‖θ‖ = √(2·1.44e308 + 25) = 1.2e154·√2 = 1.697e154,
    // ‖g‖ = √(1 + 1 + 1e400) = 1e200, lr_projected = −Σ Δg/Σ g² = (0.5 + 0.5 + 5e399)/(2 + 1e400)
    // = 0.5, update_ratio = ‖Δ‖/‖θ‖ = 5e199/1.697e154 = 2.946e45
    const m = t.latest()!;
    expect(rel(m.param_norm!, 1.2e154 * Math.SQRT2)).toBeLessThan(1e-15);
    expect(m.grad_norm).toBe(1e200);
    expect(m.lr_projected).toBe(0.5);
    expect(rel(m.update_ratio!, 5e199 / (1.2e154 * Math.SQRT2))).toBeLessThan(1e-15);
    expect(t.latest_param("0.0")!.param_norm).toBe(1.2e154);
    expect(t.latest_param("0.2")!.grad_norm).toBe(1e200);
    expect(t.latest_param("0.2")!.lr_realized).toBe(0.5);
    expect(t.diverged_at).toBeNull();
  });

  it("sums: ordinary data keeps exponent 0 (the fast path); overflowing data gets the exponents of its largest values", () => {
    const s = new StepSums();
    accumulate(Float64Array.from([1, 2]), Float64Array.from([3, 4]), Float64Array.from([0.5, 1]), s);
    expect([s.kt, s.kg, s.kd, s.ka]).toEqual([0, 0, 0, 0]);
    expect([s.tt, s.gg]).toEqual([5, 25]);
    s.reset();
    // θ = (1e200, 0): the scaled θ has its largest magnitude in [0.25, 2), and tt·2^(2kt) = 1e400
    accumulate(Float64Array.from([1e200, 0]), Float64Array.from([1, 1]), Float64Array.from([1e200, -1]), s);
    expect(s.kt).toBe(Math.floor(Math.log2(1e200)) + 1);
    expect(measure(s, anyRho).param_norm).toBe(1e200);
  });
});

describe("angular_update of a Δ parallel or nearly parallel to θ", () => {
  it("a one-element parameter: exactly 0 (tester's r3), π when the sign flips", () => {
    // θ × Δ = 0 in one dimension: the angle is 0 when θ' has θ's sign (6.25e-10 was reported)
    const { m } = sgdStep([0.1765345185995102], [-1], { lr: 0.009999999230490933 });
    expect(m.angular_update).toBe(0);
    // θ = 1 → θ' = 1 − 0.5·3 = −0.5: the angle is π
    expect(sgdStep([1], [3], { lr: 0.5 }).m.angular_update).toBe(Math.PI);
  });

  it("weight decay alone (g = 0): the angle of the stored vectors, to a few ε × update_ratio", () => {
    // Δ = −γλθ with γλ = 1e-3, rounded in θ' element by element: the true angle of the stored
    // vectors is ~1e-17 (rounding of θ'), computed exactly by exactAngle. tt·dd − td² reported
    // ~2e-11 for (1.7, −2.3, 0.11) (√ε × update_ratio); the residual pass gets within a few
    // ε × update_ratio = a few 2.2e-19.
    for (const theta of [[0.1765345185995102, -0.3, 0.7, 1.1], [0.3, 0.7], [1.7, -2.3, 0.11]]) {
      const { m, after } = sgdStep(theta, theta.map(() => 0), { lr: 0.01, weight_decay: 0.1 });
      const want = exactAngle(theta, after);
      expect(want).toBeLessThan(1e-16);
      expect(Math.abs(m.angular_update! - want), `θ = ${theta}`).toBeLessThan(1e-18);
    }
  });

  it("a rotation with a radial step: the angle to a few ε × update_ratio (it was √ε × update_ratio)", () => {
    // θ = (1, 0) → θ' = r·(cos φ, sin φ) by SGD with lr 1 and g = θ − θ'; the exact angle of the
    // stored θ' (φ up to its rounding) from exactAngle
    for (const r of [1.5, 0.999]) {
      for (const phi of [1e-12, 1e-9, 1e-7, 1e-4, 0.5]) {
        const { m, after } = sgdStep([1, 0], [1 - r * Math.cos(phi), -r * Math.sin(phi)], { lr: 1 });
        const want = exactAngle([1, 0], after);
        expect(rel(want, phi)).toBeLessThan(1e-6);
        // update_ratio ≤ 0.5: a few ε × 0.5, and relative precision for the larger angles
        expect(Math.abs(m.angular_update! - want), `r = ${r}, φ = ${phi}`).toBeLessThan(Math.max(1e-15 * want, 4e-16));
      }
    }
  });

  it("a large parameter through the WebAssembly pass: weight decay alone gives the angle of the stored vectors", () => {
    const n = WASM_MIN_ELEMENTS + 1;
    const theta = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    for (const wasm of [true, false]) {
      const p = param(theta);
      const opt = new SGD([p], { lr: 0.01, weight_decay: 0.37 });
      const t = trace(opt);
      t._snapshots.use_wasm = wasm;
      p.grad = grad(theta.map(() => 0));
      opt.step();
      // Δ = −3.7e-3·θ: the true angle of the stored vectors is at the rounding level of θ'
      // (≤ ~1e-16); the cancelling form gave 8.3e-11 here (~√ε × update_ratio)
      expect(t.latest()!.angular_update!).toBeLessThan(3e-16);
    }
  });
});
