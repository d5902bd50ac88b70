/**
 * The tracer's native pass and strided reads (kernel/native/trace_sums.c, trace/native_sums.ts)
 * against the WebAssembly pass, the JavaScript loops and a float64 reference: the same sums up to
 * the order of the additions, the same exact extremes of ρ and counts, the same sampled ρ values
 * bit for bit; bad calls are errors, never reads outside the memory.
 */
import { spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { Adam, SGD } from "../../kernel/src/optim/index";
import { trace, type StepMetrics } from "../../kernel/src/trace/index";
import { NATIVE_TRACE_SUMS, nativeArraySums, native_pass, native_rho_gather, native_select, set_native_pass_enabled, bytesOf } from "../../kernel/src/trace/native_sums";
import { SAMPLE_SIZE, summarize, summarizeDecreasing } from "../../kernel/src/trace/quantiles";
import { memoryView, reserve, sumsInstance, wasmSums } from "../../kernel/src/trace/wasm_sums";
import { draws_stats, RhoDraws, rhoQuantiles, strata } from "../../kernel/src/trace/sample";
import { StepSums } from "../../kernel/src/trace/sums";
import { rng } from "../tensor/gradcheck";

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const cc = spawnSync("sh", ["-c", "command -v cc"]).status === 0;
const headers = join(dirname(dirname(realpathSync(process.execPath))), "include", "node", "node_api.h");
const x86 = process.arch === "x64" || process.arch === "ia32";

afterEach(() => set_native_pass_enabled(true));

/** Sums, min/max of ρ, count, straight from the definitions (float64, one element at a time). */
function reference(theta: ArrayLike<number>, grad: ArrayLike<number>, after: ArrayLike<number>) {
  const r = { dg: 0, gg: 0, dd: 0, tt: 0, aa: 0, td: 0, lo: Infinity, hi: -Infinity, m: 0 };
  for (let i = 0; i < theta.length; i++) {
    const t = theta[i], a = after[i], g = grad[i], d = a - t;
    r.dg += d * g; r.gg += g * g; r.dd += d * d; r.tt += t * t; r.aa += a * a; r.td += t * d;
    if (g !== 0) { const x = -d / g; r.lo = x < r.lo ? x : r.lo; r.hi = x > r.hi ? x : r.hi; r.m++; }
  }
  return r;
}

/** θ, g, θ' of n elements (n a multiple of 4) in a fresh module memory, as the tracer lays them out. */
function place(n: number, f32: boolean, seed: number, zeroShare = 0.2) {
  const mod = sumsInstance(true)!;
  const size = f32 ? 4 : 8;
  const base = 512;
  expect(reserve(mod, base + 3 * n * size + 64)).toBe(true);
  const w = { theta: base, after: base + n * size, grad: base + 2 * n * size, padded: n, f32 };
  const theta = memoryView(mod, f32, w.theta, n), grad = memoryView(mod, f32, w.grad, n), after = memoryView(mod, f32, w.after, n);
  const rnd = rng(seed);
  for (let i = 0; i < n; i++) {
    theta[i] = rnd() - 0.5;
    grad[i] = rnd() < zeroShare ? 0 : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 6 - 3);
    after[i] = theta[i] - 0.01 * grad[i] * (0.5 + rnd()); // a spread of per-element rates
  }
  return { mod, w, theta, grad, after };
}

describe("the native tracer pass (kernel/native/trace_sums.node)", () => {
  it("is built and used wherever set-up had a C compiler and Node's headers on an x86 processor with AVX2", () => {
    if (cc && existsSync(headers)) {
      expect(existsSync(NATIVE_TRACE_SUMS), "run `npm run setup` (it builds the addon)").toBe(true);
      // its level() is "" on a processor without AVX2 and FMA, which then keeps the WebAssembly pass
      const m = require(NATIVE_TRACE_SUMS) as { level(): string };
      expect(native_pass() !== null).toBe(m.level() === "avx2");
      if (x86) expect(["", "avx2"]).toContain(m.level());
      else expect(m.level()).toBe("");
    } else expect(existsSync(NATIVE_TRACE_SUMS)).toBe(false);
  });

  const itNative = native_pass() !== null ? it : it.skip; // skipped only where the addon is absent or the processor lacks AVX2 (the test above checks that is so)

  itNative("gives the WebAssembly pass's sums (to rounding) and its exact ρ extremes and counts, float32 and float64", () => {
    for (const f32 of [true, false]) {
      for (const [n, seed] of [[4, 1], [64, 2], [4096, 3], [200704, 4]]) {
        const { mod, w, theta, grad, after } = place(n, f32, seed);
        const r = reference(theta, grad, after);
        const viaNative = new StepSums(), viaWasm = new StepSums();
        set_native_pass_enabled(true);
        expect(wasmSums(mod, w, n, 0, viaNative.reset())).toBe(true);
        set_native_pass_enabled(false);
        expect(wasmSums(mod, w, n, 0, viaWasm.reset())).toBe(true);
        for (const k of ["dg", "gg", "dd", "tt", "aa", "td"] as const) {
          expect(rel(viaNative[k], r[k]), `${k} n=${n} f32=${f32}`).toBeLessThan(1e-10);
          expect(rel(viaNative[k], viaWasm[k]), `${k} n=${n} f32=${f32}`).toBeLessThan(1e-10);
        }
        // the same extremes; === since an extreme of 0 (updates that round away) is +0 or −0 by
        // which element a lane met first, in the WebAssembly pass as here
        expect(viaNative.rho_min === r.lo && viaNative.rho_min === viaWasm.rho_min, `min n=${n} f32=${f32}`).toBe(true);
        expect(viaNative.rho_max === r.hi && viaNative.rho_max === viaWasm.rho_max, `max n=${n} f32=${f32}`).toBe(true);
        expect(viaNative.nonzero).toBe(r.m);
        expect(viaWasm.nonzero).toBe(r.m);
        expect(viaNative.n).toBe(n);
      }
    }
  });

  itNative("finds an extreme in any lane and at either end; an all-zero gradient has no ρ", () => {
    for (const at of [0, 1, 2, 3, 4093, 4095]) {
      const { mod, w, theta, grad, after } = place(4096, true, 10 + at);
      grad[at] = 1e-3;
      after[at] = theta[at] - 5; // ρ = 5000: the largest
      const s = new StepSums();
      expect(wasmSums(mod, w, 4096, 0, s.reset())).toBe(true);
      expect(s.rho_max).toBe(reference(theta, grad, after).hi);
      expect(s.rho_max).toBeGreaterThan(4000);
    }
    const { mod, w, grad } = place(8, false, 5);
    grad.fill(0);
    const s = new StepSums();
    wasmSums(mod, w, 8, 0, s.reset());
    expect([s.nonzero, s.rho_min, s.rho_max]).toEqual([0, Infinity, -Infinity]);
  });

  itNative("a non-finite value sends the step to the careful JavaScript pass (the sums come out non-finite)", () => {
    const { mod, w, after } = place(64, true, 6);
    after[17] = NaN;
    expect(wasmSums(mod, w, 64, 0, new StepSums())).toBe(false);
  });

  itNative("refuses, with an error that says what is allowed, any call that would read or write outside the memory", () => {
    const { mod, w } = place(64, true, 7);
    const pass = native_pass()!;
    const bytes = bytesOf(mod.memory.buffer);
    const len = bytes.length;
    expect(() => pass(bytes, true, len - 64, w.after, w.grad, 64, 0)).toThrow(/inside the memory/);
    expect(() => pass(bytes, true, w.theta, w.after, w.grad, 63, 0)).toThrow(/multiple of 4/);
    expect(() => pass(bytes, true, w.theta + 2, w.after, w.grad, 64, 0)).toThrow(/aligned/);
    expect(() => pass(bytes, true, w.theta, w.after, w.grad, 64, len - 100)).toThrow(/144-byte output/);
    expect(() => pass(bytes, true, -4, w.after, w.grad, 64, 0)).toThrow(/non-negative integers/);
    expect(() => pass(new Float32Array(16) as unknown as Uint8Array, true, 0, 0, 0, 4, 0)).toThrow(/Uint8Array/);
  });
});

describe("the native pass over arrays where they are (in-place measurement)", () => {
  const itNative = native_pass() !== null ? it : it.skip; // skipped only where the addon is absent or the processor lacks AVX2

  itNative("gives the padded copies' sums bit for bit, for every length mod 4, float32 and float64", () => {
    for (const f32 of [true, false]) {
      for (const n of [1, 2, 3, 4, 4097, 4098, 4099, 77101]) {
        const padded = (n + 3) & ~3;
        const { mod, w, theta, grad, after } = place(padded, f32, 30 + n);
        for (let i = n; i < padded; i++) theta[i] = grad[i] = after[i] = 0; // the tracer's pads
        const fromMemory = new StepSums(), fromArrays = new StepSums();
        expect(wasmSums(mod, { ...w, padded }, n, 0, fromMemory.reset())).toBe(true);
        expect(nativeArraySums(theta.slice(0, n), grad.slice(0, n), after.slice(0, n), fromArrays.reset())).toBe(true);
        for (const k of ["dg", "gg", "dd", "tt", "aa", "td", "rho_min", "rho_max", "nonzero", "n"] as const) {
          expect(Object.is(fromArrays[k], fromMemory[k]), `${k} n=${n} f32=${f32}: ${fromArrays[k]} vs ${fromMemory[k]}`).toBe(true);
        }
      }
    }
  });

  itNative("takes a ρ sample's draws inside the pass: the same sums bit for bit, the values the JavaScript loop reads", () => {
    const rnd = rng(41);
    for (const f32 of [true, false]) {
      // lengths around the pass's 2048-element chunks and with a tail of n mod 4 elements
      for (const n of [5, 2047, 2048, 2049, 6146, 50001]) {
        const C = f32 ? Float32Array : Float64Array;
        const theta = new C(n).map(() => rnd() - 0.5);
        const grad = new C(n).map(() => (rnd() < 0.2 ? 0 : rnd() - 0.5));
        const after = theta.map((t, i) => t - 0.01 * grad[i] * (1 + rnd()));
        // this array is the second part of three laid end to end: its draws are idx[j0..j1), less base
        const base = 1000, N = base + n + 700;
        const idx = strata(N, Math.min(N - 1, 3000));
        let j0 = 0;
        while (idx[j0] < base) j0++;
        let j1 = j0;
        while (j1 < idx.length && idx[j1] < base + n) j1++;
        const plain = new StepSums(), drawn = new StepSums();
        expect(nativeArraySums(theta, grad, after, plain.reset())).toBe(true);
        const values = new Float64Array(idx.length).fill(-7);
        const draws = { idx, j0, j1, base, values };
        expect(nativeArraySums(theta, grad, after, drawn.reset(), draws)).toBe(true);
        for (const k of ["dg", "gg", "dd", "tt", "aa", "td", "rho_min", "rho_max", "nonzero", "n"] as const) {
          expect(Object.is(drawn[k], plain[k]), `${k} n=${n} f32=${f32}`).toBe(true);
        }
        const want: number[] = [];
        for (let j = j0; j < j1; j++) {
          const i = idx[j] - base;
          want.push(grad[i] !== 0 ? -(after[i] - theta[i]) / grad[i] : NaN);
        }
        expect(draws.j0, `n=${n}`).toBe(j1);
        expect(Array.from(values.subarray(0, j0)).every((v) => v === -7)).toBe(true); // only [j0, j1) written
        expect(Array.from(values.subarray(j1)).every((v) => v === -7)).toBe(true);
        expect(Array.from(values.subarray(j0, j1)), `n=${n} f32=${f32}`).toEqual(want);
      }
    }
  });

  itNative("refuses draws outside the arrays, out of order, or without room, saying what is allowed", () => {
    const a = new Float32Array(10).fill(1);
    const call = (idx: number[], j0: number, j1: number, base: number, room: number) =>
      (require(NATIVE_TRACE_SUMS) as { sums_arrays: (...args: unknown[]) => boolean }).sums_arrays(a, a, a, new Float64Array(9), Int32Array.from(idx), j0, j1, base, new Float64Array(room));
    expect(call([0, 1, 2], 0, 3, 0, 3)).toBe(true);
    expect(() => call([0, 1, 2], 0, 3, 0, 2)).toThrow(/rho at least j1 long/);
    expect(() => call([0, 1, 2], 2, 1, 0, 3)).toThrow(/inside idx/);
    expect(() => call([0, 1, 2], 0, 4, 0, 4)).toThrow(/inside idx/);
    expect(() => call([2, 1], 0, 2, 0, 2)).toThrow(/increasing/);
    expect(() => call([5, 15], 0, 2, 0, 2)).toThrow(/inside the arrays/);
    expect(() => call([5, 6], 0, 2, 6, 2)).toThrow(/inside the arrays/);
    expect(() => call([0], -1, 1, 0, 1)).toThrow(/non-negative integers/);
  });

  itNative("arrays of different types or lengths go to the JavaScript pass (false), a non-finite step too", () => {
    const a = new Float32Array(8).fill(1), b = new Float64Array(8).fill(1);
    expect(nativeArraySums(a, a, b, new StepSums())).toBe(false);
    expect(nativeArraySums(a, a, new Float32Array(7), new StepSums())).toBe(false);
    expect(nativeArraySums(a, a, Float32Array.from([1, 1, NaN, 1, 1, 1, 1, 1]), new StepSums())).toBe(false);
  });
});

describe("the native strided reads of ρ", () => {
  const itNative = native_rho_gather() !== null ? it : it.skip; // skipped only where the addon is absent (see native pass test)

  itNative("read the same ρ values as the JavaScript loop, bit for bit, over parts of both types", () => {
    const rnd = rng(11);
    const mk = (n: number, f64: boolean) => {
      const C = f64 ? Float64Array : Float32Array;
      const theta = new C(n).map(() => rnd() - 0.5);
      const grad = new C(n).map(() => (rnd() < 0.3 ? 0 : rnd() - 0.5));
      const after = theta.map((t, i) => t - 0.003 * grad[i] * (1 + rnd()));
      return { theta, grad, after };
    };
    const parts = [mk(50000, false), mk(7, true), mk(30001, false), mk(1, false)];
    const N = parts.reduce((k, p) => k + p.theta.length, 0);
    const idx = strata(N, 2 * SAMPLE_SIZE);
    const out = new Float64Array(idx.length);
    const m = native_rho_gather()!(parts.flatMap((p) => [p.theta, p.grad, p.after]), idx, out);
    // the JavaScript loop of sample.ts, written out
    const want: number[] = [];
    let k = 0, start = 0;
    for (const u of idx) {
      while (u >= start + parts[k].theta.length) start += parts[k++].theta.length;
      const p = parts[k], i = u - start, g = p.grad[i];
      if (g !== 0) want.push(-(p.after[i] - p.theta[i]) / g);
    }
    expect(m).toBe(want.length);
    expect(Array.from(out.subarray(0, m))).toEqual(want);
  });

  itNative("refuses indices that are not increasing or fall outside the parts, and parts of unequal lengths", () => {
    const p = { theta: new Float32Array(10), grad: new Float32Array(10).fill(1), after: new Float32Array(10) };
    const gather = native_rho_gather()!;
    const out = new Float64Array(4);
    expect(() => gather([p.theta, p.grad, p.after], Int32Array.from([1, 1]), out)).toThrow(/increasing/);
    expect(() => gather([p.theta, p.grad, p.after], Int32Array.from([3, 10]), out)).toThrow(/inside the parts/);
    expect(() => gather([p.theta, p.grad, new Float32Array(9)], Int32Array.from([0]), out)).toThrow(/same length/);
    expect(() => gather([p.theta, p.grad], Int32Array.from([0]), out)).toThrow(/three per part/);
    expect(() => gather([p.theta, p.grad, p.after], Int32Array.from([0, 1, 2, 3, 4]), out)).toThrow(/at least as long/);
  });

  itNative("rhoQuantiles gives the same summary with and without native code", () => {
    const { theta, grad, after } = place(200704, true, 12, 0.5);
    const s = new StepSums();
    // the sums from the JavaScript reference, so only the strided reads differ between the two
    const r = reference(theta, grad, after);
    Object.assign(s, { rho_min: r.lo, rho_max: r.hi, nonzero: r.m, n: theta.length });
    const parts = [{ theta, grad, after }];
    set_native_pass_enabled(true);
    const a = rhoQuantiles(parts, s);
    set_native_pass_enabled(false);
    const b = rhoQuantiles(parts, s);
    expect(a).toEqual(b);
  });
});

describe("the native order statistics (kernel/native/select.h)", () => {
  const itNative = native_select() !== null ? it : it.skip; // skipped only where the addon is absent (see native pass test)

  itNative("leave the sorted array's values at the wanted ranks: ties, infinities, ±0, sorted and reversed input", () => {
    const rnd = rng(31);
    const cases: Float64Array[] = [
      Float64Array.from({ length: 4153 }, () => rnd() - 0.5),
      Float64Array.from({ length: 4096 }, () => Math.floor(rnd() * 5)), // runs of ties
      Float64Array.from({ length: 3000 }, () => 7), // one value
      Float64Array.from({ length: 1000 }, (_, i) => i), // sorted
      Float64Array.from({ length: 1000 }, (_, i) => -i), // reversed
      Float64Array.from({ length: 2000 }, (_, i) => (i % 7 === 0 ? Infinity : i % 11 === 0 ? -Infinity : i % 5 === 0 ? -0 : rnd())),
    ];
    for (const a of cases) {
      const n = a.length;
      const ranks = [0, 1, Math.floor(0.05 * (n - 1)), Math.floor(0.5 * (n - 1)), Math.floor(0.95 * (n - 1)) + 1, n - 1].sort((x, y) => x - y);
      const sorted = Float64Array.from(a).sort();
      const out = new Float64Array(ranks.length);
      expect(native_select()!(Float64Array.from(a), n, Int32Array.from(ranks), out)).toBe(true);
      ranks.forEach((r, k) => expect(out[k] === sorted[r], `n=${n} rank ${r}: ${out[k]} vs ${sorted[r]}`).toBe(true));
    }
  });

  itNative("says no (false, nothing done) for a NaN, and refuses bad calls", () => {
    const a = Float64Array.from([3, NaN, 1]);
    expect(native_select()!(a, 3, Int32Array.from([1]), new Float64Array(1))).toBe(false);
    expect(Array.from(a)).toEqual([3, NaN, 1]);
    const sel = native_select()!;
    expect(() => sel(new Float64Array(4), 5, Int32Array.from([0]), new Float64Array(1))).toThrow(/at most a's length/);
    expect(() => sel(new Float64Array(4), 4, Int32Array.from([2, 1]), new Float64Array(2))).toThrow(/ascending, each in \[0, n\)/);
    expect(() => sel(new Float64Array(4), 4, Int32Array.from([4]), new Float64Array(1))).toThrow(/ascending, each in \[0, n\)/);
    expect(() => sel(new Float64Array(4), 4, Int32Array.from([0, 1]), new Float64Array(1))).toThrow(/as long as ranks/);
    expect(() => sel(new Float32Array(4) as unknown as Float64Array, 4, Int32Array.from([0]), new Float64Array(1))).toThrow(/Float64Arrays/);
  });

  itNative("summaries are the same with and without it", () => {
    const rnd = rng(32);
    for (const n of [300, 4153, 8000]) {
      const v = Float64Array.from({ length: n }, () => (rnd() < 0.03 ? (rnd() - 0.5) * 100 : 0.1 + 0.01 * rnd()));
      const lo = Math.min(...v), hi = Math.max(...v);
      set_native_pass_enabled(true);
      const a = summarize(Float64Array.from(v), n, lo, hi);
      const f = (x: number) => 1 / (1 + x);
      const ad = summarizeDecreasing(Float64Array.from(v).map((x) => Math.abs(x)), n, f(hi), f(0), f, 0, hi);
      set_native_pass_enabled(false);
      expect(summarize(Float64Array.from(v), n, lo, hi)).toEqual(a);
      expect(summarizeDecreasing(Float64Array.from(v).map((x) => Math.abs(x)), n, f(hi), f(0), f, 0, hi)).toEqual(ad);
    }
  });
});

describe("a traced run with and without native code", () => {
  const itNative = native_pass() !== null ? it : it.skip; // skipped only where the addon is absent or the processor lacks AVX2

  function run(native: boolean, make: (ps: Tensor[]) => { step(): void }, zeros = 0.1) {
    set_native_pass_enabled(native);
    const rnd = rng(21);
    const sizes = [40000, 5000, 300];
    const ps = sizes.map((n) => new Tensor(Float32Array.from({ length: n }, () => rnd() - 0.5), [n], "float32", true));
    const opt = make(ps) as unknown as Parameters<typeof trace>[0] & { step(): void };
    const t = trace(opt, { per_param: true });
    const out: StepMetrics[] = [];
    for (let step = 0; step < 4; step++) {
      ps.forEach((p, i) => (p.grad = new Tensor(Float32Array.from({ length: sizes[i] }, () => (rnd() < zeros ? 0 : (rnd() - 0.5) * 0.02 || 1e-3)), [sizes[i]], "float32")));
      opt.step();
      out.push(t.latest()!);
    }
    expect(t.errors).toEqual([]);
    const perParam = sizes.map((_, k) => t.latest_param(`0.${k}`)!);
    t.stop();
    return { out, perParam };
  }

  for (const [name, make] of [
    ["SGD with momentum", (ps: Tensor[]) => new SGD(ps, { lr: 0.1, momentum: 0.9 })],
    ["Adam", (ps: Tensor[]) => new Adam(ps, { lr: 1e-3 })],
  ] as const) {
    for (const zeros of [0, 0.1, 0.6, 0.85]) {
      // at most half the gradients zero: the group's ρ sample is the one drawn during the native
      // passes (its g = 0 draws left out); more: rhoQuantiles draws ⌊S·N/M⌋ (0.6) or compacts (0.85)
      itNative(`${name}, ${zeros * 100}% of the gradients zero: the same metrics (ratios to 1e-9, ρ quantiles and extremes exactly), per group and per parameter`, () => {
      const used = draws_stats.used;
      const a = run(true, make, zeros);
      const drawn = draws_stats.used - used;
      const b = run(false, make, zeros);
      expect(drawn > 0, "the ρ sample drawn during the passes").toBe(zeros <= 0.5);
      const pairs: [StepMetrics, StepMetrics][] = [...a.out.map((m, i) => [m, b.out[i]] as [StepMetrics, StepMetrics]), ...a.perParam.map((m, i) => [m, b.perParam[i]] as [StepMetrics, StepMetrics])];
      for (const [x, y] of pairs) {
        for (const k of ["lr_projected", "lr_realized", "update_ratio", "angular_update", "grad_norm", "param_norm"] as const) {
          expect(rel(x[k] as number, y[k] as number), k).toBeLessThan(1e-9);
        }
        expect(x.lr_elementwise).toEqual(y.lr_elementwise);
      }
      });
    }
  }
});
