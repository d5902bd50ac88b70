/**
 * The native update loops taking the tracer's pass along (kernel/native/sgd_update.h,
 * adam_update.h, rmsprop_update.h, adagrad_update.h, through
 * optim/native_update.ts, asked for by an in-place tap, trace/snapshot.ts): the sums are the
 * native pass's over θ_t, θ_{t+1} and ∇ bit for bit, θ_t is copied, the ρ draws are the values the
 * JavaScript loop reads; bad calls are errors. Traced runs give the same metrics, every one
 * exactly, with the native update on and off (the WebAssembly loop and the post-hook's pass), per
 * group and per parameter, with and without zero gradients.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { Adagrad, Adam, AdamW, RMSprop, SGD } from "../../kernel/src/optim/index";
import type { Optimizer } from "../../kernel/src/optim/optimizer";
import { native_update_stats, set_native_update_enabled } from "../../kernel/src/optim/native_update";
import { trace, type StepMetrics } from "../../kernel/src/trace/index";
import { NATIVE_TRACE_SUMS, native_in_place } from "../../kernel/src/trace/native_sums";
import { strata } from "../../kernel/src/trace/sample";
import { param_draws_stats } from "../../kernel/src/trace/snapshot";
import { rng } from "../tensor/gradcheck";
import { updateArrays } from "./update_arrays";

type Addon = { sgd: (...args: unknown[]) => boolean; adam: (...args: unknown[]) => boolean; sums_arrays: (...args: unknown[]) => boolean };
const addon = (): Addon => require(NATIVE_TRACE_SUMS) as Addon;
// skipped only where set-up built no addon (no C compiler) or the processor lacks AVX2 and FMA
const itNative = native_in_place() ? it : it.skip;

afterEach(() => set_native_update_enabled(true));

const arrays = updateArrays;

describe("the native SGD update with the tracer's pass", () => {
  itNative("the pass's sums bit for bit, θ_t copied, the draws the JavaScript loop reads, for every kind and length mod 4", () => {
    const f = Math.fround;
    for (const [kind, wd, maximize] of [[0, 0, false], [1, 0, false], [1, f(0.01), true], [2, 0, false], [2, f(0.05), false]] as const) {
      for (const n of [5, 2047, 2048, 2049, 9003]) {
        const a = arrays(n, 7 * n + kind, 0.1);
        const t0 = a.theta.slice();
        const out = new Float64Array(9), copy = new Float32Array(n);
        const base = 500, N = base + n + 300, idx = strata(N, Math.min(N - 1, 2000));
        let j0 = 0;
        while (idx[j0] < base) j0++;
        let j1 = j0;
        while (j1 < idx.length && idx[j1] < base + n) j1++;
        const rho = new Float64Array(idx.length).fill(-7);
        const args = [a.theta, a.grad, kind === 0 ? null : a.buf, kind, maximize, f(-0.1), wd, f(0.9), 1];
        expect(addon().sgd(...args, out, copy, idx, j0, j1, base, rho)).toBe(true);
        expect(Array.from(copy)).toEqual(Array.from(t0));
        const pass = new Float64Array(9);
        expect(addon().sums_arrays(t0, a.theta, a.grad, pass)).toBe(true);
        for (let k = 0; k < 9; k++) expect(Object.is(out[k], pass[k]), `kind ${kind} n ${n} sum ${k}: ${out[k]} vs ${pass[k]}`).toBe(true);
        for (let j = j0; j < j1; j++) {
          const i = idx[j] - base, g = a.grad[i];
          expect(Object.is(rho[j], g !== 0 ? -(a.theta[i] - t0[i]) / g : NaN), `draw ${j}`).toBe(true);
        }
        expect(rho.subarray(0, j0).every((v) => v === -7) && rho.subarray(j1).every((v) => v === -7)).toBe(true);
      }
    }
  });

  itNative("Adam: the pass's sums bit for bit and θ_t copied, with amsgrad and decoupled decay", () => {
    const f = Math.fround;
    for (const [amsgrad, decay] of [[false, 1], [true, f(1 - 1e-4)]] as const) {
      for (const n of [7, 2048, 5001]) {
        const a = arrays(n, 3 * n, 0.1);
        const v = new Float32Array(n).map((_, i) => (i % 3) * 1e-4), vMax = amsgrad ? new Float32Array(n).fill(2e-4) : null;
        const t0 = a.theta.slice(), out = new Float64Array(9), copy = new Float32Array(n);
        expect(addon().adam(a.theta, a.grad, a.buf, v, vMax, false, decay, 0, true, f(0.1), f(-0.9), f(0.999), f(0.001), f(-0.01), f(0.0447), f(1e-8), out, copy)).toBe(true);
        expect(Array.from(copy)).toEqual(Array.from(t0));
        const pass = new Float64Array(9);
        addon().sums_arrays(t0, a.theta, a.grad, pass);
        for (let k = 0; k < 9; k++) expect(Object.is(out[k], pass[k]), `n ${n} sum ${k}`).toBe(true);
      }
    }
  });

  itNative("the same update with and without the pass", () => {
    const a = arrays(5003, 3, 0), b = { theta: a.theta.slice(), buf: a.buf.slice() };
    addon().sgd(a.theta, a.grad, a.buf, 1, false, Math.fround(-0.1), 0, Math.fround(0.9), 1);
    addon().sgd(b.theta, a.grad, b.buf, 1, false, Math.fround(-0.1), 0, Math.fround(0.9), 1, new Float64Array(9), new Float32Array(5003));
    expect(Array.from(b.theta)).toEqual(Array.from(a.theta));
    expect(Array.from(b.buf)).toEqual(Array.from(a.buf));
  });

  itNative("refuses bad calls, saying what is allowed", () => {
    const x = new Float32Array(8), y = new Float32Array(8);
    const sgd = addon().sgd;
    expect(() => sgd(x, y, null, 1, false, -0.1, 0, 0.9, 1)).toThrow(/null exactly when kind is 0/);
    expect(() => sgd(x, y, new Float32Array(8), 0, false, -0.1, 0, 0.9, 1)).toThrow(/null exactly when kind is 0/);
    expect(() => sgd(x, new Float32Array(7), null, 0, false, -0.1, 0, 0, 1)).toThrow(/one length/);
    expect(() => sgd(x, new Float64Array(8), null, 0, false, -0.1, 0, 0, 1)).toThrow(/Float32Arrays/);
    expect(() => sgd(x, y, null, 3, false, -0.1, 0, 0, 1)).toThrow(/kind 0, 1 or 2/);
    expect(() => sgd(x, y, null, 0, false, -0.1, 0, 0)).toThrow(/9, 11, 16 or 21 arguments/);
    // the second sample's draws (a parameter's own, per_param) are checked as the first's
    const out = new Float64Array(9), copy = new Float32Array(8), ok = [Int32Array.from([1, 5]), 0, 2, 0, new Float64Array(2)];
    expect(() => sgd(x, y, null, 0, false, -0.1, 0, 0, 1, out, copy, ...ok, Int32Array.from([5, 1]), 0, 2, 0, new Float64Array(2)))
      .toThrow(/increasing/);
    expect(() => sgd(x, y, null, 0, false, -0.1, 0, 0, 1, out, copy, ...ok, Int32Array.from([1]), 0, 1, 0, new Float64Array(0)))
      .toThrow(/rho at least j1 long/);
    expect(() => sgd(x, y, null, 0, false, -0.1, 0, 0, 1, out, copy, ...ok, Int32Array.from([1]), 0, 1)).toThrow(/9, 11, 16 or 21 arguments/);
    expect(() => sgd(x, y, null, 0, false, -0.1, 0, 0, 1, new Float64Array(8), new Float32Array(8))).toThrow(/at least 9 elements/);
    expect(() => sgd(x, y, null, 0, false, -0.1, 0, 0, 1, new Float64Array(9), new Float32Array(7))).toThrow(/as long as theta/);
    expect(() => sgd(x, y, null, 0, false, -0.1, 0, 0, 1, new Float64Array(9), new Float32Array(8), Int32Array.from([9]), 0, 1, 0, new Float64Array(1)))
      .toThrow(/inside the arrays/);
    const a = addon() as unknown as Record<string, (...args: unknown[]) => boolean>;
    const m = new Float32Array(8);
    expect(() => a.adam(x, y, m, new Float32Array(7), null, false, 1, 0, true, 0.1, -0.9, 0.999, 0.001, -0.01, 1, 1e-8)).toThrow(/one length/);
    expect(() => a.adam(x, y, m, m, null, false, 1, 0, true, 0.1, -0.9, 0.999, 0.001, -0.01, 1)).toThrow(/16, 18, 23 or 28 arguments/);
    expect(() => a.rmsprop(x, y, m, new Float32Array(3), null, false, 0, 0.99, 0.01, true, 0.1, -0.9, 0, -0.01, 1e-8)).toThrow(/ga, b, or null/);
    expect(() => a.rmsprop(x, y, m, null, null, "no", 0, 0.99, 0.01, true, 0.1, -0.9, 0, -0.01, 1e-8)).toThrow(/booleans/);
    expect(() => a.adagrad(x, y, new Float64Array(8), false, 0, -0.01, 1e-10)).toThrow(/Float32Arrays of one length/);
    expect(() => a.adagrad(x, y, m, false, 0, -0.01, 1e-10, new Float64Array(9), new Float32Array(2))).toThrow(/as long as theta/);
  });
});

describe("traced runs with the native update on and off", () => {
  function run(native: boolean, make: (ps: Tensor[]) => Optimizer, per_param: boolean, zeros: number) {
    set_native_update_enabled(native);
    const r = rng(5);
    const sizes = [40000, 5000, 300];
    const ps = sizes.map((n) => new Tensor(Float32Array.from({ length: n }, () => r() - 0.5), [n], "float32", true));
    const opt = make(ps);
    const t = trace(opt, { per_param });
    const before = native_update_stats.fused, ownBefore = param_draws_stats.fused;
    const out: StepMetrics[] = [];
    for (let s = 0; s < 5; s++) {
      ps.forEach((p, i) => (p.grad = new Tensor(Float32Array.from({ length: sizes[i] }, () => (r() < zeros ? 0 : (r() - 0.5) * 0.02 || 1e-3)), [sizes[i]], "float32")));
      opt.step();
      out.push(t.latest()!);
    }
    expect(t.errors).toEqual([]);
    const params = per_param ? sizes.map((_, k) => t.latest_param(`0.${k}`)) : [];
    t.stop();
    return { out, params, fused: native_update_stats.fused - before, ownFused: param_draws_stats.fused - ownBefore, data: ps.map((p) => Array.from(p.data)) };
  }

  const cases: [string, (ps: Tensor[]) => Optimizer][] = [
    ["SGD momentum", (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9 })],
    ["SGD plain", (ps) => new SGD(ps, { lr: 0.05 })],
    ["SGD nesterov, weight_decay", (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01 })],
    ["SGD momentum, dampening, maximize", (ps) => new SGD(ps, { lr: 0.05, momentum: 0.8, dampening: 0.2, maximize: true })],
    ["Adam", (ps) => new Adam(ps, { lr: 1e-3 })],
    ["Adam amsgrad, weight_decay, maximize", (ps) => new Adam(ps, { lr: 1e-3, amsgrad: true, weight_decay: 0.01, maximize: true })],
    ["AdamW", (ps) => new AdamW(ps, { lr: 1e-3, weight_decay: 0.1 })],
    ["RMSprop centered, momentum", (ps) => new RMSprop(ps, { lr: 1e-3, centered: true, momentum: 0.9 })],
    ["RMSprop weight_decay", (ps) => new RMSprop(ps, { lr: 1e-3, weight_decay: 0.01 })],
    ["Adagrad lr_decay, maximize", (ps) => new Adagrad(ps, { lr: 1e-2, lr_decay: 0.01, maximize: true })],
  ];
  for (const [name, options] of cases) {
    for (const per_param of [false, true]) {
      for (const zeros of [0, 0.1]) {
        itNative(`${name}${per_param ? ", per_param" : ""}, ${zeros ? "some gradients zero" : "no gradient zero"}: every metric the same`, () => {
          const a = run(true, options, per_param, zeros), b = run(false, options, per_param, zeros);
          expect(a.fused).toBeGreaterThan(0);
          expect(b.fused).toBe(0);
          // per_param: each large parameter's own ρ sample was taken by the update loop too
          // (the 40000- and 5000-element ones, at every step once the taps were filled)
          expect(a.ownFused > 0, "parameters' own draws taken by the update loop").toBe(per_param);
          expect(b.ownFused).toBe(0);
          expect(a.data).toEqual(b.data);
          expect(a.out).toEqual(b.out);
          expect(a.params).toEqual(b.params);
        });
      }
    }
  }
});
