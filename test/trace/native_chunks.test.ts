/**
 * Large native passes and updates in chunks shared with a helper thread
 * (kernel/native/pass_helper.h): the chunks depend on n alone, so the results are the same bit for
 * bit with the helper on or off (or busy, or asleep), the sums are the chunks' own passes added in
 * order, the draws in every chunk are taken, the update is the same, and the helper really runs
 * chunks.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SGD } from "../../kernel/src/optim/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { trace } from "../../kernel/src/trace/index";
import { NATIVE_TRACE_SUMS, native_in_place } from "../../kernel/src/trace/native_sums";
import { strata } from "../../kernel/src/trace/sample";
import { rng } from "../tensor/gradcheck";
import { updateArrays } from "./update_arrays";

type Fn = (...args: unknown[]) => unknown;
type Addon = Record<"sgd" | "adam" | "rmsprop" | "adagrad" | "sums_arrays" | "help_mode" | "help_stats" | "help_wake", Fn>;
const addon = (): Addon => require(NATIVE_TRACE_SUMS) as Addon;
// skipped only where set-up built no addon (no C compiler) or the processor lacks AVX2 and FMA
const itNative = native_in_place() ? it : it.skip;
const f = Math.fround;

afterEach(() => {
  if (native_in_place()) addon().help_mode(true);
});

/** Elements from which calls are cut, and the chunks' size (pass_helper.h chunk_size: 8192, doubled up to 256 chunks). */
const helpMin = (): number => (addon().help_stats() as number[])[2];
const chunkOf = (n: number): number => {
  let size = 8192;
  while (n > size * 256) size *= 2;
  return size;
};

const arrays = updateArrays;

/** The draws of a group sample over [base, base + n) of a longer group: idx, j0, j1. */
function drawsOver(base: number, n: number, size: number) {
  const idx = strata(base + n + 1000, size);
  let j0 = 0;
  while (idx[j0] < base) j0++;
  let j1 = j0;
  while (j1 < idx.length && idx[j1] < base + n) j1++;
  return { idx, j0, j1 };
}

/** One SGD momentum update with the pass and draws, the helper on or off: everything it wrote. */
function sgdOnce(n: number, helper: boolean, zeros: number) {
  const a = arrays(n, n + 11, zeros);
  const t0 = a.theta.slice();
  const base = 700, { idx, j0, j1 } = drawsOver(base, n, 4096);
  const rho = new Float64Array(idx.length).fill(-7), out = new Float64Array(9), copy = new Float32Array(n);
  addon().help_mode(helper);
  expect(addon().sgd(a.theta, a.grad, a.buf, 1, false, f(-0.1), f(0.01), f(0.9), 1, out, copy, idx, j0, j1, base, rho)).toBe(true);
  return { a, t0, out, copy, rho, idx, j0, j1, base };
}

describe("native passes and updates of large parameters in chunks shared with a helper thread", () => {
  itNative("the same sums, θ_{t+1}, buffer, copy and draws with the helper thread on and off", () => {
    const n = helpMin() + 3 * 2048 + 3;
    for (const zeros of [0, 0.2]) {
      const on = sgdOnce(n, true, zeros), off = sgdOnce(n, false, zeros);
      for (let k = 0; k < 9; k++) expect(Object.is(on.out[k], off.out[k]), `sum ${k}`).toBe(true);
      expect(Buffer.from(on.a.theta.buffer).equals(Buffer.from(off.a.theta.buffer))).toBe(true);
      expect(Buffer.from(on.a.buf.buffer).equals(Buffer.from(off.a.buf.buffer))).toBe(true);
      expect(Buffer.from(on.copy.buffer).equals(Buffer.from(on.t0.buffer))).toBe(true);
      expect(Buffer.from(on.rho.buffer).equals(Buffer.from(off.rho.buffer))).toBe(true);
    }
  });

  itNative("the sums are the chunks' own passes added in order; every draw in every chunk is taken", () => {
    for (const n of [helpMin(), helpMin() + 2049, 3 * helpMin() + 7, 2_500_003]) {
      const r = sgdOnce(n, true, 0.1);
      const size = chunkOf(n);
      expect(size < helpMin() && size % 2048 === 0).toBe(true);
      // each chunk below HELP_MIN: its own pass is one piece
      const acc = new Float64Array(9);
      for (let from = 0; from < n; from += size) {
        const to = Math.min(n, from + size), c = new Float64Array(9);
        expect(addon().sums_arrays(r.t0.subarray(from, to), r.a.theta.subarray(from, to), r.a.grad.subarray(from, to), c)).toBe(true);
        if (from === 0) acc.set(c);
        else {
          for (let k = 0; k < 6; k++) acc[k] = acc[k] + c[k];
          acc[6] = Math.min(acc[6], c[6]);
          acc[7] = Math.max(acc[7], c[7]);
          acc[8] += c[8];
        }
      }
      for (let k = 0; k < 9; k++) expect(Object.is(r.out[k], acc[k]), `n ${n} sum ${k}: ${r.out[k]} vs ${acc[k]}`).toBe(true);
      // the pass over the same arrays (sums_arrays, in the same chunks) gives the update's sums
      const whole = new Float64Array(9);
      addon().sums_arrays(r.t0, r.a.theta, r.a.grad, whole);
      for (let k = 0; k < 9; k++) expect(Object.is(whole[k], r.out[k]), `n ${n} pass ${k}`).toBe(true);
      const chunksDrawn = new Set<number>();
      for (let j = r.j0; j < r.j1; j++) {
        const i = r.idx[j] - r.base, g = r.a.grad[i];
        expect(Object.is(r.rho[j], g !== 0 ? -(r.a.theta[i] - r.t0[i]) / g : NaN), `n ${n} draw ${j}`).toBe(true);
        chunksDrawn.add(Math.floor(i / size));
      }
      // draws in every whole chunk (the sample is denser than a chunk; a short last one may have none)
      for (let k = 0; k < Math.floor(n / size); k++) expect(chunksDrawn.has(k), `n ${n} chunk ${k}`).toBe(true);
      expect(r.rho.subarray(0, r.j0).every((v) => v === -7) && r.rho.subarray(r.j1).every((v) => v === -7)).toBe(true);
    }
  });

  itNative("draws in one chunk, in the last, and across a chunk's edge", () => {
    const n = helpMin() + 8195, cut = chunkOf(n);
    for (const [lo, hi] of [[0, cut - 1], [n - 20, n], [cut - 3, cut + 3], [2 * cut - 1, 2 * cut + 1]]) {
      const a = arrays(n, lo + 5, 0), t0 = a.theta.slice();
      const idx = Int32Array.from({ length: hi - lo }, (_, k) => lo + k);
      const rho = new Float64Array(idx.length).fill(-7);
      expect(addon().sgd(a.theta, a.grad, null, 0, false, f(-0.1), 0, 0, 1, new Float64Array(9), new Float32Array(n), idx, 0, idx.length, 0, rho)).toBe(true);
      for (let j = 0; j < idx.length; j++) expect(rho[j], `draw ${j} of [${lo}, ${hi})`).toBe(-(a.theta[idx[j]] - t0[idx[j]]) / a.grad[idx[j]]);
    }
  });

  itNative("Adam, RMSprop and Adagrad: the same bits with the helper on and off, with the pass and without", () => {
    const n = helpMin() + 4099;
    const run = (helper: boolean, pass: boolean) => {
      const a = arrays(n, 5, 0.05);
      const s1 = new Float32Array(n).map((_, i) => (i % 5) * 1e-4), s2 = new Float32Array(n).map((_, i) => (i % 3) * 1e-3);
      const outs: Float64Array[] = [];
      const tail = () => {
        if (!pass) return [];
        const o = new Float64Array(9);
        outs.push(o);
        return [o, new Float32Array(n)];
      };
      addon().help_mode(helper);
      expect(addon().adam(a.theta, a.grad, a.buf, s1, null, false, 1, 0, true, f(0.1), f(-0.9), f(0.999), f(0.001), f(-0.01), f(0.0447), f(1e-8), ...tail())).toBe(true);
      // theta, grad, v, ga, b, maximize, wd, alpha, 1 − alpha, lerpFromAvg, w, w − 1, momentum, −lr, eps
      expect(addon().rmsprop(a.theta, a.grad, s1, s2, a.buf, false, 0, f(0.99), f(0.01), true, f(0.01), f(-0.99), f(0.9), f(-0.01), f(1e-8), ...tail())).toBe(true);
      expect(addon().adagrad(a.theta, a.grad, s2, false, 0, f(-0.01), f(1e-10), ...tail())).toBe(true);
      return { bytes: [a.theta, a.buf, s1, s2].map((x) => Buffer.from(x.buffer)), outs };
    };
    for (const pass of [false, true]) {
      const on = run(true, pass), off = run(false, pass);
      on.bytes.forEach((b, k) => expect(b.equals(off.bytes[k]), `array ${k}, pass ${pass}`).toBe(true));
      on.outs.forEach((o, k) => o.forEach((v, i) => expect(Object.is(v, off.outs[k][i]), `call ${k} sum ${i}`).toBe(true)));
    }
  });

  itNative("the helper thread runs chunks (large updates); below HELP_MIN nothing is cut", () => {
    const stats = () => addon().help_stats() as number[];
    const small = arrays(helpMin() - 4, 1, 0), s0 = stats();
    addon().sgd(small.theta, small.grad, null, 0, false, f(-0.1), 0, 0, 1, new Float64Array(9), new Float32Array(small.theta.length));
    expect(stats()[0]).toBe(s0[0]);
    // 4M elements: the caller's chunks take milliseconds, time enough for the helper to wake; on a
    // loaded machine the helper's thread may not be scheduled in time (a run at load 8 saw none in
    // 5 updates): up to 100 updates, until it has run one
    const big = arrays(1 << 22, 2, 0), before = stats();
    let calls = 0;
    do {
      addon().sgd(big.theta, big.grad, null, 0, false, f(-1e-3), 0, 0, 1, new Float64Array(9), new Float32Array(big.theta.length));
      calls++;
    } while (calls < 5 || (stats()[1] === before[1] && calls < 100));
    const after = stats();
    expect(after[0] - before[0]).toBe(calls);
    expect(after[1] - before[1], "chunks run by the helper").toBeGreaterThan(0);
  });

  itNative("many updates in a row (each chunk taken once, whoever takes it): the same bits with the helper on and off", () => {
    // small chunks (n just above HELP_MIN: 8192 elements, ~10 µs each), both threads taking them at once
    const n = helpMin() + 12345, steps = 300;
    const run = (helper: boolean) => {
      const a = arrays(n, 99, 0);
      addon().help_mode(helper);
      const out = new Float64Array(9), copy = new Float32Array(n), sums: number[] = [];
      for (let s = 0; s < steps; s++) {
        if (helper && s % 3 === 0) addon().help_wake();
        addon().sgd(a.theta, a.grad, a.buf, 1, false, f(-0.01), 0, f(0.9), 1, out, copy);
        sums.push(...out);
      }
      return { theta: Buffer.from(a.theta.buffer), buf: Buffer.from(a.buf.buffer), sums };
    };
    const before = addon().help_stats() as number[];
    let on = run(true);
    // as above: on a loaded machine the helper's thread may not take a chunk in one run (again,
    // until it has: the run compared is one where it took some)
    for (let k = 0; k < 10 && (addon().help_stats() as number[])[1] === before[1]; k++) on = run(true);
    const helped = (addon().help_stats() as number[])[1] - before[1];
    const off = run(false);
    expect(on.theta.equals(off.theta)).toBe(true);
    expect(on.buf.equals(off.buf)).toBe(true);
    expect(on.sums.every((v, k) => Object.is(v, off.sums[k]))).toBe(true);
    expect(helped, "chunks run by the helper").toBeGreaterThan(0);
  });

  itNative("a traced run of a large model measures the same with the helper on and off", () => {
    const once = (helper: boolean) => {
      addon().help_mode(helper);
      const r = rng(3);
      const w = new Tensor(Float32Array.from({ length: 300 * 300 }, () => r() - 0.5), [300, 300], "float32", true);
      const opt = new SGD([w], { lr: 0.05, momentum: 0.9 });
      const t = trace(opt, { name: `halves ${helper}`, batch_size: 8 });
      const x = new Tensor(Float32Array.from({ length: 8 * 300 }, () => r() - 0.5), [8, 300], "float32");
      const out: unknown[] = [];
      for (let s = 0; s < 6; s++) {
        opt.zero_grad();
        x.matmul(w).pow(2).mean().backward();
        opt.step();
        out.push(t.latest());
      }
      t.stop();
      return { out, errors: t.errors, w: Buffer.from((w.data as Float32Array).buffer) };
    };
    const on = once(true), off = once(false);
    expect(on.errors).toEqual([]);
    expect(on.out).toEqual(off.out);
    expect(on.w.equals(off.w)).toBe(true);
  });
});
