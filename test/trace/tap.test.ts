/**
 * Update taps (kernel/src/optim/wasm/tap.ts): the optimizer's WebAssembly update loop copies θ_t,
 * ∇ and θ_{t+1} of a traced parameter for the tracer, which then copies nothing around the step.
 *
 * - the loop's copies themselves (what a tap holds after one update);
 * - traces with taps against the same traces without (copies around the step): every metric,
 *   series and summary identical, for each optimizer with a WebAssembly loop and its options,
 *   float64, per_param, the worker thread on and off; taps really filled (tap_stats);
 * - where the loop does not run (first momentum step, optimizers without one): the tracer's own
 *   copies, the same results, no error;
 * - a tap relied on and not filled (the loop switched off mid-run): that step is reported as not
 *   measured, nothing wrong is recorded, and the next steps are measured again.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, Adam, AdamW, Adamax, RMSprop, Adagrad } from "../../kernel/src/optim/index";
import { sgd_wasm } from "../../kernel/src/optim/wasm/update";
import { close_tap, open_tap, tap_stats, type UpdateTap } from "../../kernel/src/optim/wasm/tap";
import { set_optim_wasm_enabled } from "../../kernel/src/optim/wasm/instance";
import { trace, type Trace } from "../../kernel/src/trace/trace";
import { worker_ready } from "../../kernel/src/trace/offload";
import { rng } from "../tensor/gradcheck";

type Opt = Parameters<typeof trace>[0] & { step(): void };
type Make = (ps: Tensor[]) => Opt;

/** Above the worker's threshold (65,536 elements): a matrix, its bias, a small layer. */
const LARGE = [256 * 300, 256, 10 * 256, 10];
/** Below it: measured at the post-hook, the 2563-element parameter (padded to 2564) still in the module's memory. */
const SMALL = [2563, 256, 10];

beforeAll(async () => {
  const until = Date.now() + 10000;
  while (!worker_ready() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(worker_ready()).toBe(true);
});

/** The same training traced with taps (`tap`) and without (`copy`), grads drawn alike. */
function twins(sizes: number[], make: Make, options: Parameters<typeof trace>[1] = {}, dtype: "float32" | "float64" = "float32", worker = true) {
  const rnd = rng(3);
  const init = sizes.map((n) => Array.from({ length: n }, () => rnd() - 0.5));
  const Arr = dtype === "float32" ? Float32Array : Float64Array;
  const side = (taps: boolean) => {
    const ps = init.map((v) => new Tensor(Arr.from(v), [v.length], dtype, true));
    const opt = make(ps);
    const t = trace(opt, options);
    t._snapshots.use_taps = taps;
    t._use_worker = worker;
    const g = rng(7);
    const setGrads = () => ps.forEach((p) => {
      p.grad = new Tensor(Arr.from(Array.from({ length: p.data.length }, () => (g() < 0.1 ? 0 : (g() - 0.5) * 0.02))), [p.data.length], dtype);
    });
    return { ps, opt, t, setGrads };
  };
  return { tap: side(true), copy: side(false) };
}

function report(t: Trace) {
  return { json: t.to_json(), summary: t.summary(), errors: t.errors.map((e) => e.message) };
}

function train(pair: ReturnType<typeof twins>, steps: number, between?: (s: number) => void) {
  for (let s = 0; s < steps; s++) {
    between?.(s);
    for (const side of [pair.tap, pair.copy]) {
      side.setGrads();
      side.opt.step();
    }
  }
}

describe("update taps: what the WebAssembly loop copies", () => {
  it("θ before the update, ∇ from the tap's source, θ after it; a tap of another length is left alone", () => {
    const n = 20000; // several chunks of 8192
    const theta = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const grad = Float32Array.from({ length: n }, (_, i) => Math.cos(i) * 0.1);
    const buf = Float32Array.from({ length: n }, (_, i) => Math.sin(2 * i) * 0.01);
    const before = theta.slice();
    // θ ← θ − 0.5·(0.9·b + ∇) with b ← 0.9·b + ∇ (momentum, dampening 0), in float32 as the loop does
    const expected = before.map((t, i) => Math.fround(t + Math.fround(-0.5) * Math.fround(Math.fround(buf[i] * Math.fround(0.9)) + grad[i])));
    const tap: UpdateTap = { theta: new Float32Array(n), grad: new Float32Array(n), after: new Float32Array(n), gradSource: grad, filled: false };
    const wrong: UpdateTap = { theta: new Float32Array(n - 1), grad: new Float32Array(n - 1), after: new Float32Array(n - 1), gradSource: grad, filled: false };
    open_tap(theta, tap);
    open_tap(theta, wrong);
    const filled = tap_stats.filled;
    expect(sgd_wasm(theta, grad, buf, 1, false, Math.fround(-0.5), 0, Math.fround(0.9), 1)).toBe(true);
    close_tap(theta, tap);
    close_tap(theta, wrong);
    expect(tap.filled).toBe(true);
    expect(wrong.filled).toBe(false);
    expect(tap_stats.filled).toBe(filled + 1);
    expect(Array.from(tap.theta)).toEqual(Array.from(before));
    expect(Array.from(tap.grad!)).toEqual(Array.from(grad));
    expect(Array.from(theta)).toEqual(Array.from(expected));
    expect(Array.from(tap.after!)).toEqual(Array.from(theta));

    // ∇ passed to the loop is a scratch array: the tap copies its own source instead
    const scratch = grad.map((v) => v * 2);
    const tap2: UpdateTap = { ...tap, theta: new Float32Array(n), grad: new Float32Array(n), after: new Float32Array(n), filled: false };
    open_tap(theta, tap2);
    sgd_wasm(theta, scratch, null, 0, false, Math.fround(-0.1), 0, 0, 1);
    close_tap(theta, tap2);
    expect(tap2.filled).toBe(true);
    expect(Array.from(tap2.grad!)).toEqual(Array.from(grad));
    expect(Array.from(tap2.after!)).toEqual(Array.from(theta));
  });
});

describe("traces with taps: the same results as copying around the step", () => {
  const cases: [string, Make, number[]][] = [
    ["SGD", (ps) => new SGD(ps, { lr: 0.05 }) as unknown as Opt, LARGE],
    ["SGD momentum + weight decay", (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, weight_decay: 1e-3 }) as unknown as Opt, LARGE],
    ["SGD nesterov, maximize", (ps) => new SGD(ps, { lr: 0.05, momentum: 0.8, nesterov: true, maximize: true }) as unknown as Opt, SMALL],
    ["Adam, amsgrad", (ps) => new Adam(ps, { lr: 1e-3, amsgrad: true }) as unknown as Opt, LARGE],
    ["AdamW", (ps) => new AdamW(ps, { lr: 1e-3, weight_decay: 0.1 }) as unknown as Opt, SMALL],
    ["RMSprop centered, momentum", (ps) => new RMSprop(ps, { lr: 1e-3, centered: true, momentum: 0.5 }) as unknown as Opt, LARGE],
    ["Adagrad", (ps) => new Adagrad(ps, { lr: 0.01 }) as unknown as Opt, SMALL],
  ];
  for (const [label, make, sizes] of cases) {
    it(`${label} (${sizes === LARGE ? "measured on the worker" : "measured at the post-hook"}), per_param`, () => {
      const pair = twins(sizes, make, { per_param: true, batch_size: 16 });
      const filled = tap_stats.filled;
      train(pair, 6);
      expect(report(pair.tap.t)).toEqual(report(pair.copy.t));
      expect(pair.tap.t.errors).toEqual([]);
      expect(pair.tap.t.steps).toBe(6);
      expect(tap_stats.filled).toBeGreaterThan(filled); // the loop did fill the tracer's taps
    });
  }

  it("float64 parameters, the worker off", () => {
    const pair = twins(LARGE, (ps) => new Adam(ps, { lr: 1e-2 }) as unknown as Opt, {}, "float64", false);
    const filled = tap_stats.filled;
    train(pair, 5);
    expect(report(pair.tap.t)).toEqual(report(pair.copy.t));
    expect(tap_stats.filled).toBeGreaterThan(filled);
  });

  it("an optimizer without a WebAssembly loop (Adamax): the tracer's own copies, the same results", () => {
    const pair = twins(LARGE, (ps) => new Adamax(ps, { lr: 1e-2 }) as unknown as Opt);
    const filled = tap_stats.filled;
    train(pair, 5);
    expect(report(pair.tap.t)).toEqual(report(pair.copy.t));
    expect(pair.tap.t.errors).toEqual([]);
    expect(tap_stats.filled).toBe(filled);
  });

  it("two traces of one optimizer each get their own copies", () => {
    const pair = twins(LARGE, (ps) => new SGD(ps, { lr: 0.02, momentum: 0.9 }) as unknown as Opt);
    const second = trace(pair.tap.opt, { name: "second" });
    train(pair, 5);
    const a = report(pair.tap.t), b = report(second);
    expect(a).toEqual(report(pair.copy.t));
    expect(b.json.latest).toEqual(a.json.latest);
    expect(b.errors).toEqual([]);
  });
});

describe("a tap relied on and not filled", () => {
  it("that step is reported as not measured; the steps after it are measured again, as without taps", () => {
    const pair = twins(LARGE, (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9 }) as unknown as Opt);
    try {
      // step 3 updates through the JS loops: the taps opened for it stay empty
      train(pair, 7, (s) => set_optim_wasm_enabled(s !== 3));
    } finally {
      set_optim_wasm_enabled(true);
    }
    const tap = pair.tap.t, copy = pair.copy.t;
    expect(copy.errors).toEqual([]);
    expect(tap.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^trace: step not measured for parameter 0\.0: the optimizer did not update it through its WebAssembly loop/)]);
    // one bucket per step in a series this short: x the step, last its value
    const values = (t: Trace) => {
      const c = (t.series("lr_projected") as NonNullable<ReturnType<Trace["series"]>>).columns();
      return c.x.map((step, k) => [step, c.last[k]]);
    };
    expect(values(tap).map(([step]) => step)).toEqual([0, 1, 2, 4, 5, 6]);
    expect(values(tap)).toEqual(values(copy).filter(([step]) => step !== 3));
  });
});
