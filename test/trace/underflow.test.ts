/**
 * Float64 underflow in the tracer's sums (sums.ts): parameters, gradients or steps so small that
 * their squares underflow float64 (‖x‖² below ~1e-308: float64 values of ~1e-160 and below;
 * float32 values cannot, their squares are ≥ 2^-298). Every metric is compared with its
 * definition (EFFECTIVE_LR.md) evaluated here independently, in exact integer arithmetic
 * (BigInt: every double is an integer multiple of 2^-1074), each result rounded once at the end.
 * Before the fix these metrics read 0 (grad_norm, param_norm, lr_realized, update_ratio), null
 * (the ratios of a ‖g‖² that underflowed to 0) or ∞.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, Adam } from "../../kernel/src/optim/index";
import { Optimizer } from "../../kernel/src/optim/optimizer";
import { trace, type StepMetrics } from "../../kernel/src/trace/index";
import type { Trace } from "../../kernel/src/trace/trace";
import { accumulate, StepSums } from "../../kernel/src/trace/sums";
import { measure } from "../../kernel/src/trace/metrics";
import { WASM_MIN_ELEMENTS } from "../../kernel/src/trace/snapshot";
import { OFFLOAD_MIN_ELEMENTS } from "../../kernel/src/trace/steps";
import { offload_stats, worker_ready } from "../../kernel/src/trace/offload";
import type { Quantiles } from "../../kernel/src/trace/quantiles";

type Opt = Parameters<typeof trace>[0] & { step(): void };

// ---------------------------------------------------------------------------------------------
// The reference: exact sums in BigInt, one rounding at the end.

/** x = v·2^−1074 exactly (v an integer). */
function big(x: number): bigint {
  if (x === 0) return 0n;
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, Math.abs(x));
  const bits = b.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  const m = (bits & ((1n << 52n) - 1n)) | (e > 0 ? 1n << 52n : 0n);
  const v = m << BigInt(Math.max(e, 1) - 1);
  return x < 0 ? -v : v;
}

/** x·2^e for any integer e (the test's own, not the tracer's). */
function scale2(x: number, e: number): number {
  while (e > 1000) { x *= 2 ** 1000; e -= 1000; }
  while (e < -1000) { x *= 2 ** -1000; e += 1000; }
  return x * 2 ** e;
}

/** An exact value v·2^e as a mantissa x (|x| < 2^64, 63 bits kept) and an exponent: v·2^e ≈ x·2^f. */
interface Big { x: number; f: number }
function split(v: bigint, e: number): Big {
  const neg = v < 0n;
  let a = neg ? -v : v;
  const shift = Math.max(0, a.toString(2).length - 63);
  a >>= BigInt(shift);
  const x = Number(a);
  return { x: neg ? -x : x, f: e + shift };
}
const value = (b: Big) => scale2(b.x, b.f);
const sqrtB = (b: Big): Big => (b.f % 2 === 0 ? { x: Math.sqrt(b.x), f: b.f / 2 } : { x: Math.sqrt(2 * b.x), f: (b.f - 1) / 2 });
const ratio = (a: Big, b: Big) => scale2(a.x / b.x, a.f - b.f);

/** The definitions of EFFECTIVE_LR.md over some parameters' θ_t, g_t, θ_{t+1} (concatenated). */
interface Reference {
  grad_norm: number;
  param_norm: number;
  lr_projected: number | null;
  lr_realized: number | null;
  update_ratio: number | null;
  angular_update: number | null;
  rho_min: number | null;
  rho_max: number | null;
}
function reference(parts: { theta: ArrayLike<number>; grad: ArrayLike<number>; after: ArrayLike<number> }[]): Reference {
  let tt = 0n, gg = 0n, dd = 0n, dg = 0n, aa = 0n, ta = 0n;
  let lo = Infinity, hi = -Infinity;
  for (const p of parts) {
    for (let i = 0; i < p.theta.length; i++) {
      const t = big(p.theta[i]), g = big(p.grad[i]), a = big(p.after[i]);
      const d = a - t; // Δ exactly
      tt += t * t; gg += g * g; dd += d * d; dg += d * g; aa += a * a; ta += t * a;
      if (p.grad[i] !== 0) {
        // ρ = −Δ/g rounded once from the exact Δ (a double when a − θ is exact, the usual case)
        const e = p.after[i] - p.theta[i];
        const r = big(e) === d ? -e / p.grad[i] : -ratio(split(d, -1074), split(g, -1074));
        lo = Math.min(lo, r);
        hi = Math.max(hi, r);
      }
    }
  }
  const S = -2148; // products of two values carry 2^−2148
  const gn = sqrtB(split(gg, S)), pn = sqrtB(split(tt, S)), dn = sqrtB(split(dd, S));
  const ok = gg > 0n;
  // the angle between θ and θ_{t+1}: sin ∝ √(‖θ‖²‖a‖² − ⟨θ,a⟩²) (exact here), cos ∝ ⟨θ,a⟩
  let angular_update: number | null = null;
  if (tt > 0n && aa > 0n) {
    const sin = sqrtB(split(tt * aa - ta * ta, 2 * S)), cos = split(ta, S);
    const top = Math.max(sin.x === 0 ? -Infinity : sin.f, cos.x === 0 ? -Infinity : cos.f);
    angular_update = Math.atan2(scale2(sin.x, sin.f - top), scale2(cos.x, cos.f - top));
  }
  return {
    grad_norm: value(gn),
    param_norm: value(pn),
    lr_projected: ok ? -ratio(split(dg, S), split(gg, S)) : null,
    lr_realized: ok ? ratio(dn, gn) : null,
    update_ratio: tt > 0n ? ratio(dn, pn) : null,
    angular_update,
    rho_min: ok ? lo : null,
    rho_max: ok ? hi : null,
  };
}

const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

/** Every measured metric of `m` against the reference (tolerances: sums of n float64 terms). */
function expectMetrics(m: StepMetrics | Pick<StepMetrics, "grad_norm" | "param_norm" | "lr_projected" | "lr_realized" | "update_ratio" | "angular_update" | "lr_elementwise">, want: Reference, what: string): void {
  const close = (k: keyof Reference, got: number | null, tol: number) => {
    const w = want[k];
    if (w === null) {
      expect(got, `${what} ${k}`).toBeNull();
      return;
    }
    expect(got, `${what} ${k}: want ${w}`).not.toBeNull();
    expect(rel(got!, w), `${what} ${k}: got ${got}, want ${w}`).toBeLessThan(tol);
  };
  close("grad_norm", m.grad_norm, 1e-14);
  close("param_norm", m.param_norm, 1e-14);
  close("lr_projected", m.lr_projected, 1e-13);
  close("lr_realized", m.lr_realized, 1e-13);
  close("update_ratio", m.update_ratio, 1e-13);
  // the angle: relative precision above a few ε × update_ratio (metrics.ts `angle`)
  if (want.angular_update === null) expect(m.angular_update, `${what} angular_update`).toBeNull();
  else {
    const err = Math.abs(m.angular_update! - want.angular_update);
    expect(err, `${what} angular_update: got ${m.angular_update}, want ${want.angular_update}`)
      .toBeLessThanOrEqual(Math.max(1e-13 * want.angular_update, 8e-16 * (want.update_ratio ?? 0)));
  }
  if (want.rho_min === null) expect(m.lr_elementwise, `${what} lr_elementwise`).toBeNull();
  else {
    const q = m.lr_elementwise as Quantiles;
    expect(q, `${what} lr_elementwise`).not.toBeNull();
    expect(rel(q.min, want.rho_min), `${what} ρ min`).toBeLessThan(1e-15);
    expect(rel(q.max, want.rho_max!), `${what} ρ max`).toBeLessThan(1e-15);
  }
}

// ---------------------------------------------------------------------------------------------

/** Deterministic values in ±[0.5, 1.5)·s. */
function values(n: number, s: number, seed: number): Float64Array {
  let x = seed >>> 0 || 1;
  return Float64Array.from({ length: n }, () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    const u = x / 4294967296;
    return (u < 0.5 ? -1 : 1) * (0.5 + 2 * Math.abs(u - 0.5)) * s;
  });
}

const param = (v: ArrayLike<number>) => new Tensor(Float64Array.from(v), [v.length], "float64", true);
const grad = (v: ArrayLike<number>) => new Tensor(Float64Array.from(v), [v.length], "float64");

/**
 * Steps an optimizer over float64 parameters with the gradients `grads(step, k)`, and checks each
 * step's group metrics (and each parameter's, with several) against the reference: read after
 * every step, or with `listen` from a listener, the trace read only at the end (so that steps
 * can be deferred to the worker thread: reading the trace measures waiting steps at once).
 */
function run(make: (ps: Tensor[]) => Opt, init: Float64Array[], grads: (s: number, k: number) => Float64Array, steps: number,
  setup: (t: Trace) => void = () => {}, o: { batch?: number; listen?: boolean } = {}) {
  const ps = init.map(param);
  const opt = make(ps);
  const per_param = init.length > 1 && !o.listen;
  const t = trace(opt, { per_param, ...(o.batch ? { batch_size: o.batch } : {}) });
  setup(t);
  const heard: StepMetrics[] = [];
  if (o.listen) t.on_step((_, ms) => heard.push(ms[0]));
  const seen: StepMetrics[] = [];
  const wants: Reference[] = [];
  for (let s = 0; s < steps; s++) {
    const theta = ps.map((p) => Float64Array.from(p.data));
    const g = ps.map((_, k) => grads(s, k));
    ps.forEach((p, k) => { p.grad = grad(g[k]); });
    opt.step();
    const parts = ps.map((p, k) => ({ theta: theta[k], grad: g[k], after: Float64Array.from(p.data) }));
    wants.push(reference(parts));
    if (o.listen) continue;
    const m = t.latest()!;
    seen.push(m);
    if (per_param) parts.forEach((part, k) => expectMetrics(t.latest_param(`0.${k}`)!, reference([part]), `step ${s} param ${k}`));
  }
  if (o.listen) {
    t.latest();
    seen.push(...heard);
  }
  expect(t.errors).toEqual([]);
  expect(seen.map((m) => m.step)).toEqual(wants.map((_, s) => s));
  seen.forEach((m, s) => {
    const want = wants[s];
    expectMetrics(m, want, `step ${s} group`);
    if (o.batch && want.lr_projected !== null) expect(rel(m.lr_per_sample!, want.lr_projected / o.batch)).toBeLessThan(1e-13);
  });
  expect(t.diverged_at).toBeNull();
  return { t, seen };
}

const sgd = (o: { lr: number; momentum?: number; weight_decay?: number }) => (ps: Tensor[]) => new SGD(ps, o) as unknown as Opt;
const adam = (o: { lr: number; eps?: number }) => (ps: Tensor[]) => new Adam(ps, o) as unknown as Opt;

describe("float64 values whose squares underflow: every metric as defined", () => {
  it("SGD on θ, g ~ 1e-170 (‖g‖² ~ 1e-340 is 0 in float64): lr_projected = lr_realized = γ, the norms ~1e-170", () => {
    const { seen } = run(sgd({ lr: 0.1 }), [values(7, 1e-170, 1)], (s) => values(7, 1e-170, 10 + s), 3, () => {}, { batch: 16 });
    // plain SGD: both rates are γ (to the rounding of θ_{t+1}); they were null (‖g‖² = 0)
    for (const m of seen) {
      expect(rel(m.lr_projected!, 0.1)).toBeLessThan(1e-12);
      expect(rel(m.lr_realized!, 0.1)).toBeLessThan(1e-12);
      expect(m.grad_norm!).toBeGreaterThan(1e-171);
    }
  });

  it("SGD with momentum and weight decay, θ and g ~ 1e-200", () => {
    run(sgd({ lr: 0.05, momentum: 0.9, weight_decay: 0.01 }), [values(9, 1e-200, 2)], (s) => values(9, 3e-201, 20 + s), 4);
  });

  it("Adam on θ, g ~ 1e-170 (its update does not shrink with g: Δ ~ γ·g/ε)", () => {
    run(adam({ lr: 1e-3 }), [values(6, 1e-170, 3)], (s) => values(6, 1e-170, 30 + s), 4);
  });

  it("Adam with a step of ~1e-170 on θ ~ 1e-165 and g ~ 1 (‖Δ‖², ‖θ‖² underflow, ‖g‖² does not)", () => {
    // Adam is scale-invariant in g: |Δ_k| ≈ γ = 1e-170 at the first step, ρ_k ≈ γ/|g_k|
    const { seen } = run(adam({ lr: 1e-170 }), [values(5, 1e-165, 4)], (s) => values(5, 1, 40 + s), 3);
    // ‖Δ‖/‖g‖ ~ 1e-170 (was 0), ‖Δ‖/‖θ‖ ~ 1e-5 (was NaN or 0)
    expect(seen[0].lr_realized!).toBeGreaterThan(1e-171);
    expect(seen[0].update_ratio!).toBeGreaterThan(1e-6);
  });

  it("subnormal float64 values (~1e-310)", () => {
    run(sgd({ lr: 0.5 }), [values(8, 1e-310, 5)], (s) => values(8, 1e-310, 50 + s), 3);
  });

  it("weight decay alone on θ ~ 1e-170 (Δ parallel to θ): the angle of the stored vectors, ~0", () => {
    const { seen } = run(sgd({ lr: 0.01, weight_decay: 0.1 }), [values(5, 1e-170, 6)], () => new Float64Array(5), 2);
    for (const m of seen) expect(m.angular_update!).toBeLessThan(1e-16);
  });

  it("a group with a tiny parameter, an ordinary one and a zero one, in either order (per_param too)", () => {
    const tiny = values(6, 1e-170, 7), normal = values(4, 0.5, 8), zero = new Float64Array(3);
    const g = (sz: number[], sc: number[]) => (s: number, k: number) => (sc[k] === 0 ? new Float64Array(sz[k]) : values(sz[k], sc[k], 60 + 7 * s + k));
    // tiny + normal: the group is dominated by the ordinary parameter, each parameter exact
    run(sgd({ lr: 0.1, momentum: 0.5 }), [tiny, normal], g([6, 4], [1e-170, 0.1]), 3);
    run(sgd({ lr: 0.1, momentum: 0.5 }), [normal, tiny], g([4, 6], [0.1, 1e-170]), 3);
    // tiny + zero (θ = g = 0: sums 0, exponents 0): the group's metrics are the tiny one's
    run(sgd({ lr: 0.1 }), [tiny, zero], g([6, 3], [1e-170, 0]), 2);
    run(sgd({ lr: 0.1 }), [zero, tiny], g([3, 6], [0, 1e-170]), 2);
    // two tiny parameters of very different sizes, and one just above the threshold (2^-960)
    run(adam({ lr: 1e-3 }), [tiny, values(5, 1e-250, 9), values(3, 1e-140, 10)], (s, k) => values([6, 5, 3][k], [1e-170, 1e-250, 1e-140][k], 70 + s), 3);
  });

  it("a tiny gradient on θ ~ 1e-20 (only ‖g‖² underflows): lr_projected = γ", () => {
    // θ ~ 1e-20, g ~ 1e-170, γ = 1e150: Δ = −γg ~ 1e-20, rounded in θ_{t+1} to ~1e-16 of it
    const { seen } = run(sgd({ lr: 1e150 }), [values(6, 1e-20, 11)], (s) => values(6, 1e-170, 80 + s), 2);
    expect(rel(seen[0].lr_projected!, 1e150)).toBeLessThan(1e-12);
  });
});

describe("underflow together with non-finite data or an overflow", () => {
  it("a non-finite step on θ ~ 1e-170: param_norm = ‖θ_t‖ (not 0), grad_norm ∞, no ratios", () => {
    const theta = values(5, 1e-170, 20);
    const p = param(theta);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt);
    p.grad = grad([1e-170, Infinity, 2e-170, -1e-170, 3e-171]);
    opt.step();
    const m = t.latest()!;
    expect(m.grad_norm).toBe(Infinity);
    const want = reference([{ theta, grad: new Float64Array(5), after: theta }]);
    expect(rel(m.param_norm!, want.param_norm)).toBeLessThan(1e-14);
    expect([m.lr_projected, m.lr_realized, m.update_ratio, m.angular_update]).toEqual([null, null, null, null]);
    expect(t.diverged_at).toMatchObject({ step: 0, lr: 0.1 });
  });

  it("one parameter whose ‖θ‖² overflows while its ‖g‖² underflows (θ ~ 1e155, g ~ 1e-165, Δ ~ 1e140)", () => {
    // a step by sign(g) of 1e140: lr_projected ~ 1e140/1e-165 = 1e305, update_ratio ~ 1e-15
    class SignStep extends Optimizer {
      constructor(ps: Tensor[]) { super(ps, { lr: 1e140 }); }
      step(): undefined {
        for (const q of this.param_groups[0].params as Tensor[]) {
          const d = q.data, g = (q.grad as Tensor).data;
          for (let i = 0; i < d.length; i++) d[i] -= 1e140 * Math.sign(g[i]);
        }
        return undefined;
      }
    }
    run((ps) => new SignStep(ps) as unknown as Opt, [values(6, 1e155, 21)], (s) => values(6, 1e-165, 120 + s), 2);
  });
});

describe("the WebAssembly pass and the worker thread reach the rescaled pass too", () => {
  it("a large float64 parameter of ~1e-170 through the WebAssembly pass and the JS pass", () => {
    const n = WASM_MIN_ELEMENTS + 3;
    for (const wasm of [true, false]) {
      run(adam({ lr: 1e-3 }), [values(n, 1e-170, 12)], (s) => values(n, 1e-170, 90 + s), 2, (t) => { t._snapshots.use_wasm = wasm; });
      run(sgd({ lr: 0.1 }), [values(n, 1e-170, 13), values(n, 2, 14)], (s, k) => values(n, k === 0 ? 1e-170 : 0.01, 95 + s), 2, (t) => { t._snapshots.use_wasm = wasm; });
    }
  });

  describe("the tracer's worker thread", () => {
    beforeAll(async () => {
      const until = Date.now() + 10000;
      while (!worker_ready() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(worker_ready(), "the tracer's worker thread did not start: it runs kernel/dist/trace/trace_worker.js (npm run setup builds it)").toBe(true);
    });

    it("a step of ≥ OFFLOAD_MIN_ELEMENTS float64 elements of ~1e-170, measured on the worker", () => {
      const sizes = [OFFLOAD_MIN_ELEMENTS, 10];
      const before = offload_stats.replies;
      // one group of a tiny and an ordinary parameter, and one of a tiny parameter alone
      run(sgd({ lr: 0.1, momentum: 0.9 }), sizes.map((n, k) => values(n, 1e-170, 15 + k)), (s, k) => values(sizes[k], k === 0 ? 1e-170 : 1e-180, 100 + s), 4, (t) => { t._use_worker = true; }, { listen: true });
      run(adam({ lr: 1e-3 }), sizes.map((n, k) => values(n, k === 0 ? 1e-170 : 1, 17 + k)), (s, k) => values(sizes[k], k === 0 ? 1e-170 : 0.1, 110 + s), 4, (t) => { t._use_worker = true; }, { listen: true });
      expect(offload_stats.replies).toBeGreaterThan(before);
    });
  });
});

describe("sums: the fast path keeps exponent 0; underflow gets the exponents of the largest values", () => {
  const anyRho = (): Quantiles => ({ min: 0, q05: 0, q25: 0, q50: 0, q75: 0, q95: 0, max: 0 });

  it("ordinary, zero and float32 data keep exponent 0; float64 data of ~1e-170 is scaled up", () => {
    const s = new StepSums();
    // zero vectors (θ = 0, g = 0, Δ = 0): nothing to scale
    accumulate(new Float64Array(4), new Float64Array(4), new Float64Array(4), s);
    expect([s.kt, s.kg, s.kd, s.ka, s.tt, s.gg]).toEqual([0, 0, 0, 0, 0, 0]);
    // float32 extremes: the squares of the smallest subnormal, 2^-298, do not underflow
    s.reset();
    const f = Float32Array.from([1.4e-45, -1e-40]);
    accumulate(f, f, Float32Array.from([0, 1e-38]), s);
    expect([s.kt, s.kg, s.kd, s.ka]).toEqual([0, 0, 0, 0]);
    expect(s.tt).toBeGreaterThan(0);
    s.reset();
    accumulate(Float64Array.from([1e-170, 0]), Float64Array.from([3e-171, 4e-171]), Float64Array.from([2e-170, -1e-170]), s);
    expect(s.kt).toBe(Math.floor(Math.log2(1e-170)) + 1);
    const m = measure(s, anyRho);
    expect(rel(m.param_norm!, 1e-170)).toBeLessThan(1e-15);
    expect(rel(m.grad_norm!, 5e-171)).toBeLessThan(1e-15);
  });

  it("add: a scaled part combined with an empty or zero one takes its exponents, in either order", () => {
    const tiny = new StepSums();
    accumulate(Float64Array.from([3e-170, 4e-170]), Float64Array.from([1e-170, 0]), Float64Array.from([3e-170, 3e-170]), tiny);
    const zero = new StepSums();
    accumulate(new Float64Array(2), new Float64Array(2), new Float64Array(2), zero);
    for (const order of [[tiny, zero], [zero, tiny]]) {
      const total = new StepSums();
      for (const p of order) total.add(p);
      const m = measure(total, anyRho);
      expect(rel(m.param_norm!, 5e-170)).toBeLessThan(1e-15);
      expect(rel(m.grad_norm!, 1e-170)).toBeLessThan(1e-15);
      expect(rel(m.update_ratio!, 1e-170 / 5e-170)).toBeLessThan(1e-15);
    }
  });
});
