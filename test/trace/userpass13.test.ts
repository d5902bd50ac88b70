/**
 * A teacher's pass through JupyterLab (userpass13), the tracer's side: each test failed before its
 * fix.
 *   F3  a step's own batch size (a DataLoader's smaller last batch) for lr_per_sample;
 *   F8  find() leaves the default random generator as it was (same suggestions when repeated);
 *   F9  a series prints its steps and values, not its typed array of rows;
 *   F10 a new trace of an optimizer replaces its active trace of the same name;
 *   F11 lrlab.run("nope") is an error naming the recorded runs;
 *   F16 the summary writes every non-finite rate alike ("—") and says what it is.
 */
import { inspect } from "node:util";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, Adam } from "../../kernel/src/optim/index";
import { find, run, run_names, trace, trace_all } from "../../kernel/src/trace/index";
import { saveRun, recording } from "../../kernel/src/trace/runs";
import { OFFLOAD_MIN_ELEMENTS } from "../../kernel/src/trace/steps";
import { offload_stats, worker_ready } from "../../kernel/src/trace/offload";
import { BoundedSeries } from "../../kernel/src/trace/series";
import { TEXT_MIME } from "../../kernel/src/plot/index";
import * as torch from "../../kernel/src/index";

const param = (values: number[]) => new Tensor(Float64Array.from(values), [values.length], "float64", true);
const grad = (values: number[]) => new Tensor(Float64Array.from(values), [values.length], "float64");
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

afterEach(() => {
  vi.restoreAllMocks();
});

describe("F3: a step's own batch size", () => {
  /** 100 samples in batches of 32 (32, 32, 32, 4), mean MSE, plain SGD γ = 0.1. */
  function loop(log: (t: ReturnType<typeof trace>, l: Tensor, b: number) => void, useWorker = false, features = 4) {
    torch.manual_seed(0);
    const X = torch.randn(100, features), Y = X.sum(1, true);
    const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 32, shuffle: true });
    const net = new torch.nn.Linear(features, 1);
    const opt = new SGD(net.parameters(), { lr: 0.1 });
    const t = trace(opt, { batch_size: 32, name: `f3-${useWorker}` });
    t._use_worker = useWorker;
    const perSample: number[] = [], sizes: number[] = [];
    for (const [x, y] of loader) {
      opt.zero_grad();
      const l = new torch.nn.MSELoss().forward(net.forward(x), y);
      l.backward();
      log(t, l, x.shape[0]);
      opt.step();
      sizes.push(x.shape[0]);
      // (read after each step, a large step is measured at once: read from the series then)
      if (!useWorker) perSample.push(t.latest()!.lr_per_sample!);
    }
    if (useWorker) perSample.push(...t.series("lr_per_sample")!.buckets().map((b) => b.last!));
    return { t, perSample, sizes };
  }

  it("log_loss(loss, { batch_size }) before step(): the last batch of 4 gets γ/4, the next step the trace's batch_size again", () => {
    const { t, perSample, sizes } = loop((tr, l, b) => tr.log_loss(l, { batch_size: b }));
    expect(sizes).toEqual([32, 32, 32, 4]);
    perSample.forEach((v, i) => expect(rel(v, 0.1 / sizes[i])).toBeLessThan(1e-6));
    // the series holds the same values
    const s = t.series("lr_per_sample")!.buckets();
    expect(rel(s[3].last!, 0.025)).toBeLessThan(1e-6);
    // a step without its own size uses batch_size (32)
    const p = t.optimizer!.param_groups[0].params;
    for (const q of p) q.grad = torch.ones_like(q);
    (t.optimizer as SGD).step();
    expect(rel(t.latest()!.lr_per_sample!, 0.1 / 32)).toBeLessThan(1e-6);
    t.stop();
  });

  it("record({ loss, batch_size }) and record({ batch_size }) alone do the same", () => {
    const a = loop((tr, l, b) => tr.record({ loss: l, batch_size: b }));
    const b = loop((tr, _l, n) => tr.record({ batch_size: n }));
    expect(rel(a.perSample[3], 0.025)).toBeLessThan(1e-6);
    expect(rel(b.perSample[3], 0.025)).toBeLessThan(1e-6);
    a.t.stop();
    b.t.stop();
  });

  it("without it the last batch reads γ/32 (what the pass saw), and a bad batch size is an error naming the call", () => {
    const { t, perSample } = loop(() => {});
    expect(rel(perSample[3], 0.1 / 32)).toBeLessThan(1e-6);
    expect(() => t.log_loss(1, { batch_size: 0 })).toThrow("trace.log_loss: batch_size must be a positive integer, got 0");
    expect(() => t.record({ batch_size: 2.5 })).toThrow("trace.record: batch_size must be a positive integer, got 2.5");
    // (val_loss and split: a validation loss's own series, s21 f1)
    expect(() => t.record({ batch: 3 } as never)).toThrow('trace.record: unknown key "batch"; valid keys: loss, batch_size, val_loss');
    expect(() => t.log_loss(1, { bs: 3 } as never)).toThrow('trace.log_loss: unknown option "bs"; valid options: batch_size, split');
    t.stop();
  });

  it("given with the loss after step() it still goes to the coming step, and a note says so once", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt, { batch_size: 8, name: "late" });
    for (let i = 0; i < 3; i++) {
      p.grad = grad([1, 1]);
      opt.step();
      t.log_loss(1, { batch_size: 2 });
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain("batch_size is the batch size of the coming optimizer.step()");
    t.stop();
  });

  it("measured on the worker thread (a large step, deferred) the step keeps its own batch size", async () => {
    const until = Date.now() + 10_000;
    while (!worker_ready() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(worker_ready()).toBe(true);
    const posted = offload_stats.posted;
    const { t, perSample, sizes } = loop((tr, l, b) => tr.log_loss(l, { batch_size: b }), true, OFFLOAD_MIN_ELEMENTS + 1);
    expect(offload_stats.posted).toBeGreaterThan(posted);
    // lr_projected of plain SGD is γ: the per-sample rate is γ/B, step by step
    perSample.forEach((v, i) => expect(rel(v, 0.1 / sizes[i])).toBeLessThan(1e-6));
    t.stop();
  });

  it("trace_all (the %%lr_trace cell's _lr_trace): log_loss(loss, { batch_size }) before an optimizer's first step reaches its trace", () => {
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    const g = trace_all({ batch_size: 10, name: "f3-all" });
    const seen: number[] = [];
    for (const b of [10, 10, 3]) {
      p.grad = grad([1, 1]);
      g.log_loss(1, { batch_size: b });
      opt.step();
      seen.push(g.latest()!.lr_per_sample!);
    }
    g.record({ batch_size: 5 });
    p.grad = grad([1, 1]);
    opt.step();
    seen.push(g.latest()!.lr_per_sample!);
    g.stop();
    [0.01, 0.01, 0.1 / 3, 0.02].forEach((v, i) => expect(rel(seen[i], v)).toBeLessThan(1e-12));
  });

  it("the summary's hint for a missing batch size is left out when steps were given theirs", () => {
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt, { name: "f3-hint" });
    p.grad = grad([1, 1]);
    t.record({ batch_size: 4 });
    opt.step();
    expect(t.summary().join("\n")).not.toContain("lr_per_sample needs the batch size");
    expect(t.latest()!.lr_per_sample).toBeCloseTo(0.025, 12);
    t.stop();
  });
});

describe("F8: find() leaves the default random generator as it was", () => {
  function setUp() {
    torch.manual_seed(0);
    const X = torch.randn(96, 4), Y = X.sum(1, true).add(torch.randn(96, 1).mul(0.1));
    const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 8, shuffle: true });
    const net = new torch.nn.Sequential(new torch.nn.Linear(4, 8), new torch.nn.Dropout(0.2), new torch.nn.Linear(8, 1));
    const opt = new SGD(net.parameters(), { lr: 0.01 });
    const loss_fn = new torch.nn.MSELoss();
    // the iterator is made at the first step (inside find, as %lr_find's): making one draws a seed
    let it: Iterator<unknown> | null = null;
    const step = () => {
      if (it === null) it = loader[Symbol.iterator]();
      let n = it.next();
      if (n.done) { it = loader[Symbol.iterator](); n = it.next(); }
      const [x, y] = n.value as [Tensor, Tensor];
      opt.zero_grad();
      const l = loss_fn.forward(net.forward(x), y);
      l.backward();
      return l;
    };
    const rangeTest = () => {
      it = null;
      return find(opt, step, { model: net, num_iter: 60, end_lr: 1 });
    };
    const train = () => {
      it = loader[Symbol.iterator]();
      const out: number[] = [];
      for (let i = 0; i < 5; i++) { out.push(step().item()); opt.step(); }
      return out;
    };
    return { rangeTest, train };
  }

  it("repeated, it gives the same losses and suggestions; the random state after it is the one before", () => {
    const { rangeTest } = setUp();
    const before = torch.get_rng_state().data.slice();
    const a = rangeTest();
    expect(Array.from(torch.get_rng_state().data)).toEqual(Array.from(before));
    const b = rangeTest();
    expect(b.losses).toEqual(a.losses);
    expect(b.suggestions).toEqual(a.suggestions);
  });

  it("the training after it is the same as without it (shuffled batches, dropout)", () => {
    const without = setUp().train();
    const s = setUp();
    s.rangeTest();
    expect(s.train()).toEqual(without);
  });
});

describe("F9: a series prints its steps and values", () => {
  it("one value per step: the first and last steps, how many more, no typed array", () => {
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt, { name: "f9" });
    for (let i = 0; i < 50; i++) {
      p.grad = grad([1, 1]);
      opt.step();
    }
    const text = inspect(t.series("lr"));
    expect(text).not.toMatch(/Float64Array|capacity:|rows/);
    expect(text.split("\n")).toEqual([
      'BoundedSeries "lr": 50 steps (0 to 49), one value per step',
      "  step  value",
      "     0  0.1",
      "     1  0.1",
      "     2  0.1",
      "     3  0.1",
      "     4  0.1",
      "   ...  (40 more steps)",
      "    45  0.1",
      "    46  0.1",
      "    47  0.1",
      "    48  0.1",
      "    49  0.1",
      "  .buckets(), .columns() or .to_json() give every step",
    ]);
    expect(String(t.series("lr"))).toBe(text);
    t.stop();
  });

  it("bucketed: steps, mean, min to max; gaps are — and counted; an empty series says so", () => {
    const s = new BoundedSeries(4);
    for (let i = 0; i < 16; i++) s.push(i, i < 4 ? null : i);
    expect(inspect(s).split("\n")).toEqual([
      "BoundedSeries: 16 steps (0 to 15), in 4 buckets of up to 4 steps (mean, min to max)",
      "  steps  mean  min to max",
      "    0–3  —     —",
      "    4–7  5.5   4 to 7",
      "   8–11  9.5   8 to 11",
      "  12–15  13.5  12 to 15",
      "  .buckets(), .columns() or .to_json() give every bucket; 1 bucket without a finite value (—)",
    ]);
    expect(String(new BoundedSeries())).toBe("BoundedSeries: no steps yet (at most 2000 buckets)");
  });
});

describe("F10: a new trace of an optimizer replaces its active trace of the same name", () => {
  it("the same (default) name: the old one stops, once said on stderr; other names coexist", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    const traces = [trace(opt, { batch_size: 16 }), trace(opt, { batch_size: 16 }), trace(opt, { batch_size: 16 })];
    expect(traces.map((t) => t.active)).toEqual([false, false, true]);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[0][0])).toMatch(/^lrlab\.trace: this SGD optimizer's trace "trace" replaces the one it had \(now stopped, with its 0 steps\)/);
    const other = trace(opt, { name: "other" });
    p.grad = grad([1, 1]);
    opt.step();
    expect([traces[2].active, other.active, traces[2].steps, other.steps, traces[0].steps]).toEqual([true, true, 1, 1, 0]);
    expect(warn).toHaveBeenCalledTimes(2);
    // another optimizer's trace of the same name is not touched
    const opt2 = new SGD([param([3])], { lr: 0.1 });
    const t2 = trace(opt2);
    expect([traces[2].active, t2.active]).toEqual([true, true]);
    // a stopped trace is not replaced (nothing to say)
    t2.stop();
    trace(opt2).stop();
    expect(warn).toHaveBeenCalledTimes(2);
    traces[2].stop();
    other.stop();
  });

  it("an invalid new trace leaves the active one running", () => {
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt);
    expect(() => trace(opt, { batch_size: -1 })).toThrow(/batch_size must be a positive integer/);
    expect(t.active).toBe(true);
    t.stop();
  });
});

describe("F11: lrlab.run of a name without a run", () => {
  beforeAll(() => {
    const g = trace_all({ name: "f11-sgd" });
    const p = param([1]);
    const opt = new SGD([p], { lr: 0.1 });
    p.grad = grad([1]);
    opt.step();
    g.stop();
    saveRun("f11-sgd", g);
  });

  it("is an error naming the recorded runs, in %lr_compare's words (with the close name)", () => {
    expect(() => run("nope")).toThrow(/^lrlab\.run: no run named "nope"; recorded runs: .*f11-sgd/);
    expect(() => run("f11-sdg")).toThrow('lrlab.run: no run named "f11-sdg" (did you mean f11-sgd?); recorded runs: ');
    expect(run("f11-sgd").steps).toBe(1);
    expect(run_names()).toContain("f11-sgd");
  });

  it("in the cell recording it, before its first step: says so", () => {
    const g = trace_all({ name: "f11-rec" });
    recording("f11-rec", g);
    try {
      expect(() => run("f11-rec")).toThrow('lrlab.run: the run "f11-rec" is being recorded by this %%lr_trace cell, and no optimizer has stepped in it yet');
    } finally {
      recording("f11-rec", null);
      g.stop();
    }
  });
});

describe("F16: non-finite values in the summary", () => {
  it("after a NaN loss every rate reads — (the factor too), and a line says what — is", () => {
    const p = param([1, -2, 0.5]);
    const opt = new Adam([p], { lr: 0.01 });
    const t = trace(opt, { batch_size: 4, name: "f16" });
    for (let i = 0; i < 5; i++) {
      p.grad = grad(i === 2 ? [NaN, NaN, NaN] : [0.1, -0.2, 0.3]);
      t.log_loss(i === 2 ? NaN : 1);
      opt.step();
    }
    const lines = t.summary();
    expect(lines[1]).toBe("  group 0: lr 0.01, lr_projected —, lr_per_sample —, lr_realized —, update_ratio —, lr_preconditioned median —");
    expect(lines[2]).toBe("  (—: not measured at step 4: its update, parameters or optimizer state hold NaN or ±Infinity)");
    expect(lines.join("\n")).not.toMatch(/median NaN/);
    expect(String(t._repr_mimebundle_()[TEXT_MIME])).toContain("lr_preconditioned median —");
    // latest() keeps the data as it was: rates null, the factor read from the NaN state NaN
    expect(t.latest()!.lr_projected).toBeNull();
    expect(Number.isNaN(t.latest()!.lr_preconditioned!.q50)).toBe(true);
    t.stop();
  });

  it("a finite run has no such line", () => {
    const p = param([1, -2]);
    const opt = new Adam([p], { lr: 0.01 });
    const t = trace(opt, { name: "f16-ok" });
    p.grad = grad([0.1, 0.2]);
    opt.step();
    expect(t.summary().join("\n")).not.toContain("not measured");
    t.stop();
  });
});
