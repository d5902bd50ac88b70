/**
 * An ML engineer's pass (userpass14, /work/scratch/s14/userA), the tracer's side: each test failed
 * before its fix.
 *   1   log_loss puts each loss on its own step: logged between backward() and step() every K
 *       steps, or with a step skipped (each loss went one step early), with a step's batch size
 *       (a warning blamed a placement that was right), or after step(); logging at the top of the
 *       loop, before zero_grad(), keeps working;
 *   14  log_loss twice for one step: the later value replaces the earlier (the loss line had two
 *       points per step);
 *   9   on_step listeners hear of every step at a fixed turn: at once for a small step, two steps
 *       later for a step measured on the worker thread, and every step once the trace is read,
 *       stopped, or the code yields to the event loop (the last steps came only when read);
 *   10  a trace_all run (_lr_trace) before its first step: latest() is null (it threw);
 *   16  a saved trace.to_json() given to lrlab.bundle: the error says lrlab.Trace.from_json;
 *   17  log_loss of a per-sample loss says to reduce it; series(metric, group, name) with a group
 *       that does not hold the parameter is an error naming the group that does.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, Adam } from "../../kernel/src/optim/index";
import { trace, trace_all, Trace } from "../../kernel/src/trace/index";
import { OFFLOAD_MIN_ELEMENTS } from "../../kernel/src/trace/steps";
import { offload_stats, worker_ready } from "../../kernel/src/trace/offload";
import { bundle } from "../../kernel/src/plot/index";
import * as torch from "../../kernel/src/index";

afterEach(() => {
  vi.restoreAllMocks();
});

beforeAll(async () => {
  const until = Date.now() + 10_000;
  while (!worker_ready() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(worker_ready()).toBe(true);
});

/** Linear(features, 1), MSE on 16 samples, SGD γ = 0.1; `body(i, api)` is one iteration's code. */
function setup(features = 4, name = "up14") {
  torch.manual_seed(0);
  const model = new torch.nn.Linear(features, 1);
  const X = torch.randn([16, features]), y = torch.randn([16, 1]);
  const loss_fn = new torch.nn.MSELoss();
  const opt = new SGD(model.parameters(), { lr: 0.1 });
  const t = trace(opt, { batch_size: 16, name });
  const forward = () => loss_fn.forward(model.forward(X), y);
  return { model, opt, t, forward };
}

const lossAt = (t: Trace) => {
  const c = t.series("loss")!.columns();
  return c.x.map((x, i) => [x, c.mean[i]] as [number, number | null]);
};

describe("1: log_loss puts each loss on its own step", () => {
  it("every 3 steps between backward() and step(): steps 0, 3, 6, 9 (they went to 0, 2, 5, 8)", () => {
    const { opt, t, forward } = setup();
    const logged: [number, number][] = [];
    for (let i = 0; i < 10; i++) {
      opt.zero_grad();
      const l = forward();
      l.backward();
      if (i % 3 === 0) {
        t.log_loss(l);
        logged.push([i, l.item()]);
      }
      opt.step();
    }
    expect(lossAt(t)).toEqual(logged);
    expect(t.latest()!.loss).toBe(logged[3][1]); // the last step (9) has its loss (it had none)
    t.stop();
  });

  it("the step's metrics carry their own loss; the last step has its loss", () => {
    const { opt, t, forward } = setup();
    const seen: [number, number | null][] = [];
    t.on_step((_, ms) => seen.push([ms[0].step, ms[0].loss]));
    const logged = new Map<number, number>();
    for (let i = 0; i < 10; i++) {
      opt.zero_grad();
      const l = forward();
      l.backward();
      if (i % 3 === 0) {
        t.log_loss(l);
        logged.set(i, l.item());
      }
      opt.step();
    }
    expect(seen).toEqual([...Array(10).keys()].map((i) => [i, logged.get(i) ?? null]));
    t.stop();
  });

  it("a step skipped: the losses after it stay on their steps (they all went one early)", () => {
    const { opt, t, forward } = setup();
    const logged: [number, number][] = [];
    for (let i = 0; i < 6; i++) {
      opt.zero_grad();
      const l = forward();
      l.backward();
      if (i !== 1) {
        t.log_loss(l.item()); // a number: told by the gradients that changed since the last step
        logged.push([i, l.item()]);
      }
      opt.step();
    }
    expect(lossAt(t)).toEqual(logged);
    t.stop();
  });

  it("zero_grad({ set_to_none: false }): gradients zeroed and accumulated in place are told apart too", () => {
    const { opt, t, forward } = setup();
    const logged: [number, number][] = [];
    for (let i = 0; i < 7; i++) {
      opt.zero_grad({ set_to_none: false });
      const l = forward();
      l.backward();
      if (i % 3 === 0) {
        t.log_loss(l);
        logged.push([i, l.item()]);
      }
      opt.step();
    }
    expect(lossAt(t)).toEqual(logged);
    t.stop();
  });

  it("with { batch_size } from step 2 on: losses and per-sample rates on steps 2, 3, 4, and no warning", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { opt, t, forward } = setup();
    const logged: [number, number][] = [];
    for (let i = 0; i < 5; i++) {
      opt.zero_grad();
      const l = forward();
      l.backward();
      if (i >= 2) {
        t.log_loss(l, { batch_size: 8 });
        logged.push([i, l.item()]);
      }
      opt.step();
    }
    expect(lossAt(t)).toEqual(logged);
    const ps = t.series("lr_per_sample")!.columns();
    expect(ps.x).toEqual([0, 1, 2, 3, 4]);
    ps.mean.forEach((v, i) => expect(v).toBeCloseTo(0.1 / (i >= 2 ? 8 : 16), 9));
    expect(warn).not.toHaveBeenCalled();
    t.stop();
  });

  it("after step(), every step or every 3 steps: the step just taken", () => {
    for (const every of [1, 3]) {
      const { opt, t, forward } = setup();
      const logged: [number, number][] = [];
      for (let i = 0; i < 7; i++) {
        opt.zero_grad();
        const l = forward();
        l.backward();
        opt.step();
        if (i % every === 0) {
          t.log_loss(l);
          logged.push([i, l.item()]);
        }
      }
      expect(lossAt(t)).toEqual(logged);
      expect(t.latest()!.loss).toBe(logged[logged.length - 1][1]);
      t.stop();
    }
  });

  it("at the top of the loop, before zero_grad() (a loss logged after the forward pass), every step: its own step", () => {
    const { opt, t, forward } = setup();
    const logged: [number, number][] = [];
    for (let i = 0; i < 5; i++) {
      const l = forward();
      t.log_loss(l.item());
      logged.push([i, l.item()]);
      opt.zero_grad();
      l.backward();
      opt.step();
    }
    expect(lossAt(t)).toEqual(logged);
    t.stop();
  });

  it("every 3 steps on the worker thread (a large step, measured later): the same steps", async () => {
    const { opt, t, forward } = setup(OFFLOAD_MIN_ELEMENTS + 16);
    t._use_worker = true; // the worker even where the native pass measures in place (steps.ts in_place)
    const before = offload_stats.replies;
    const logged: [number, number][] = [];
    for (let i = 0; i < 8; i++) {
      opt.zero_grad();
      const l = forward();
      l.backward();
      if (i % 3 === 0) {
        t.log_loss(l);
        logged.push([i, l.item()]);
      }
      opt.step();
      if (i === 4) t.log_loss(-1); // after step 4 (no loss before it): step 4, while it may wait for the worker
    }
    expect(lossAt(t)).toEqual([...logged.slice(0, 2), [4, -1], ...logged.slice(2)]);
    expect(t.latest()!.loss).toBeNull(); // step 7
    expect(offload_stats.replies).toBeGreaterThan(before);
    t.stop();
  });

  it("trace_all (the %%lr_trace cell's _lr_trace): every 3 steps", () => {
    torch.manual_seed(0);
    const model = new torch.nn.Linear(4, 1);
    const X = torch.randn([16, 4]), y = torch.randn([16, 1]);
    const g = trace_all({ name: "up14-all" });
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const logged: [number, number][] = [];
    for (let i = 0; i < 10; i++) {
      opt.zero_grad();
      const l = new torch.nn.MSELoss().forward(model.forward(X), y);
      l.backward();
      if (i % 3 === 0) {
        g.log_loss(l);
        logged.push([i, l.item()]);
      }
      opt.step();
    }
    g.stop();
    expect(lossAt(g.single())).toEqual(logged);
  });
});

describe("14: log_loss twice for one step: the later value replaces the earlier", () => {
  it("before step(): one point per step, the later value", () => {
    const { opt, t, forward } = setup();
    const logged: [number, number][] = [];
    for (let i = 0; i < 3; i++) {
      opt.zero_grad();
      const l = forward();
      l.backward();
      t.log_loss(l);
      t.log_loss(l.mul(10));
      logged.push([i, l.item() * 10]);
      opt.step();
    }
    const got = lossAt(t);
    expect(got.map(([x]) => x)).toEqual([0, 1, 2]);
    got.forEach(([, v], i) => expect(v).toBeCloseTo(logged[i][1], 5));
    expect(t.latest()!.loss).toBeCloseTo(logged[2][1], 5);
    t.stop();
  });

  it("after step(), with a read of the trace in between: one point per step, the later value", () => {
    const { opt, t, forward } = setup();
    for (let i = 0; i < 3; i++) {
      opt.zero_grad();
      forward().backward();
      opt.step();
      t.log_loss(i);
      expect(t.series("loss")!.last_value).toBe(i); // a read before the second call
      t.log_loss(100 + i);
    }
    expect(lossAt(t)).toEqual([[0, 100], [1, 101], [2, 102]]);
    expect(t.latest()!.loss).toBe(102);
    // a saved trace holds the same points
    expect(Trace.from_json(JSON.parse(JSON.stringify(t.to_json()))).series("loss")!.columns().x).toEqual([0, 1, 2]);
    t.stop();
  });
});

describe("9: when on_step listeners hear of a step", () => {
  /** `n` steps of a Linear(features, 1) under Adam, with a listener; what it heard after each step. */
  function run(features: number, n: number) {
    torch.manual_seed(1);
    const model = new torch.nn.Linear(features, 1);
    const X = torch.randn([8, features]);
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const t = trace(opt, { name: `up14-listen-${features}` });
    t._use_worker = true; // the worker's timing, even where the native pass measures in place (steps.ts in_place)
    const heard: number[] = [];
    t.on_step((_, ms) => heard.push(ms[0].step));
    const after: number[][] = [];
    for (let i = 0; i < n; i++) {
      opt.zero_grad();
      model.forward(X).pow(2).mean().backward();
      opt.step();
      after.push([...heard]);
    }
    return { t, heard, after };
  }

  it("a small step at the end of its own step()", () => {
    const { t, after } = run(4, 5);
    after.forEach((h, i) => expect(h).toEqual([...Array(i + 1).keys()]));
    t.stop();
  });

  it("a large step (the worker's) exactly two steps later, every time; all of them once the trace is read", () => {
    for (let rep = 0; rep < 3; rep++) {
      const before = offload_stats.replies;
      const { t, heard, after } = run(OFFLOAD_MIN_ELEMENTS + 16, 6);
      after.forEach((h, i) => expect(h).toEqual([...Array(Math.max(0, i - 1)).keys()]));
      expect(offload_stats.replies).toBeGreaterThan(before);
      t.latest();
      expect(heard).toEqual([0, 1, 2, 3, 4, 5]);
      t.stop();
    }
  });

  it("all of them once the code yields to the event loop (a notebook cell's end), or the trace stops", async () => {
    const a = run(OFFLOAD_MIN_ELEMENTS + 16, 5);
    expect(a.heard).toEqual([0, 1, 2]);
    await new Promise((r) => setImmediate(r));
    expect(a.heard).toEqual([0, 1, 2, 3, 4]);
    a.t.stop();
    const b = run(OFFLOAD_MIN_ELEMENTS + 16, 5);
    b.t.stop();
    expect(b.heard).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("10: a trace_all run before its first step", () => {
  it("latest() is null, steps 0, diverged_at null", () => {
    const g = trace_all({ name: "up14-early" });
    expect(g.latest()).toBeNull();
    expect(g.steps).toBe(0);
    expect(g.diverged_at).toBeNull();
    g.stop();
  });
});

describe("16: a saved trace is not plottable until Trace.from_json", () => {
  it("lrlab.bundle(saved) says lrlab.Trace.from_json", () => {
    const { opt, t, forward } = setup();
    opt.zero_grad();
    forward().backward();
    opt.step();
    const saved = JSON.parse(JSON.stringify(t.to_json()));
    expect(() => bundle(saved)).toThrow(/trace saved with trace\.to_json\(\).*lrlab\.Trace\.from_json\(saved\)/);
    expect(() => bundle({ today: t, saved } as never)).toThrow(/"saved" is not plottable.*lrlab\.Trace\.from_json\(saved\)/);
    expect(() => bundle(Trace.from_json(saved))).not.toThrow();
    t.stop();
  });
});

describe("17: messages", () => {
  it("log_loss of a per-sample loss says that it takes one number (reduce it first)", () => {
    const { t } = setup();
    const perSample = new Tensor(new Float32Array(16), [16], "float32");
    expect(() => t.log_loss(perSample)).toThrow(new TypeError(
      "trace.log_loss: the loss is one number per step, got a tensor of 16 elements (shape [16]); reduce it first: loss.mean() (or loss.sum() for a sum-reduced loss)"));
    t.stop();
  });

  it("series(metric, group, name): a group that does not hold the parameter is an error naming the one that does", () => {
    const w = new Tensor(Float64Array.from([1, 2]), [2], "float64", true);
    const b = new Tensor(Float64Array.from([0.5]), [1], "float64", true);
    const opt = new SGD([{ params: [w] }, { params: [b], lr: 0.01 }], { lr: 0.1 });
    const t = trace(opt, { per_param: true, named_parameters: [["0.weight", w], ["0.bias", b]] });
    w.grad = new Tensor(Float64Array.from([1, -1]), [2], "float64");
    b.grad = new Tensor(Float64Array.from([2]), [1], "float64");
    opt.step();
    expect(() => t.series("lr_per_sample", 0, "0.bias")).toThrow(/parameter "0\.bias" is in group 1, not group 0/);
    expect(t.series("lr", 1, "0.bias")!.last_value).toBe(0.01);
    expect(t.series("lr", undefined, "0.bias")!.last_value).toBe(0.01);
    t.stop();
  });
});
