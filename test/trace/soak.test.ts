/**
 * What a long notebook session with the tracer on must not accumulate: a stopped trace (and a run
 * that %%lr_trace keeps under its --name, up to 64 of them) holds its series, not the model and
 * optimizer it traced; a trace dropped with a step half taken (a kernel interrupt inside
 * optimizer.step(), between the tracer's two hooks) does not leave the parameters' data held by
 * the optimizer's update taps.
 */
import { describe, expect, it } from "vitest";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, Adam } from "../../kernel/src/optim/index";
import { trace, type Trace } from "../../kernel/src/trace/trace";
import { trace_all } from "../../kernel/src/trace/global";
import { run, saveRun } from "../../kernel/src/trace/runs";
import { bundle } from "../../kernel/src/plot/bundle";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const tick = () => new Promise((r) => setTimeout(r, 5));

/**
 * Whether `ref`'s target is collected after full GCs (finalizers get turns in between). A GC
 * never runs in the job that called `deref()` (that keeps the target alive until the job ends).
 */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10; i++) {
    await tick();
    gc();
    await tick();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

/** A model's parameters (a large one and a small one) with gradients, and its optimizer. */
function model(n = 70000, adam = false) {
  const ps = [n, 64].map((k) => new Tensor(Float32Array.from({ length: k }, (_, i) => Math.sin(i)), [k], "float32", true));
  const opt = adam ? new Adam(ps, { lr: 1e-3 }) : new SGD(ps, { lr: 0.01, momentum: 0.9 });
  const step = () => {
    for (const p of ps) p.grad = new Tensor(Float32Array.from({ length: p.data.length }, (_, i) => Math.cos(i) * 0.01), [p.data.length], "float32");
    opt.step();
  };
  return { ps, opt, step };
}

describe("long sessions: what stopped or dropped traces keep", () => {
  it("a run saved by name (as %%lr_trace keeps it) does not keep the model and optimizer alive", async () => {
    const refs = await (async () => {
      const { ps, opt, step } = model(70000, true);
      const gt = trace_all({ name: "soak-saved", batch_size: 8 });
      for (let s = 0; s < 5; s++) step();
      gt.stop();
      saveRun("soak-saved", gt);
      return { data: new WeakRef(ps[0].data), param: new WeakRef(ps[0]), opt: new WeakRef(opt as object) };
    })();
    expect(await collected(refs.param)).toBe(true);
    expect(await collected(refs.data)).toBe(true);
    expect(await collected(refs.opt)).toBe(true);
    // the run still reads and plots
    const r = run("soak-saved")!;
    expect(r.steps).toBe(5);
    expect(r.latest()!.lr).toBe(1e-3);
    expect(r.series("lr_projected")!.length).toBe(5);
    expect(() => r.latest(1)).toThrow(/out of range/);
    expect(String(bundle(r.traces[0], { svg: false })["text/plain"])).toContain("5 steps");
  });

  it("a stopped lrlab.trace does not keep its optimizer alive; trace.optimizer is it while the trace is active, null once stopped", async () => {
    const { t, refs } = (() => {
      const { ps, opt, step } = model(3000);
      const t = trace(opt, { per_param: true });
      for (let s = 0; s < 3; s++) step();
      expect(t.optimizer).toBe(opt);
      t.stop();
      expect(t.optimizer).toBe(null);
      return { t, refs: { data: new WeakRef(ps[0].data), opt: new WeakRef(opt as object) } };
    })();
    expect(await collected(refs.opt)).toBe(true);
    expect(await collected(refs.data)).toBe(true);
    expect(t.optimizer).toBe(null);
    expect(t.latest()!.step).toBe(2);
    expect(t.param_names()).toEqual(["0.0", "0.1"]);
    // stop() trimmed the series to the buckets they use (3 steps: 3 of the 32 allocated); the 18
    // series of a group (or parameter) share one store (series.ts SeriesSet), 1 + 18 numbers a
    // bucket before any merge, each series counting its share (less than the 64 B a bucket of
    // its own took)
    const share = Math.ceil((3 * (1 + 18) * 8) / 18);
    expect(share).toBeLessThan(3 * 64);
    expect(t.series("lr")!.byte_length).toBe(share);
    expect(t.series("lr", 0, "0.1")!.byte_length).toBe(share);
  });

  it("a cell that traces many runs in a loop lets each model go when its trace stops, not when the cell ends", async () => {
    // All in one synchronous job, as one cell: a WeakRef to the optimizer (what a stopped trace
    // held before) keeps it and its model alive until the job ends, whatever a GC finds. A GC in
    // the job finds them free now; the registry's callbacks (after the job) count them. (The
    // ArrayBuffers' byte count is not read: V8 sweeps freed buffers on another thread.)
    let freed = 0;
    const registry = new FinalizationRegistry(() => freed++);
    const runs: Trace[] = [];
    for (let r = 0; r < 12; r++) {
      const { opt, step } = model(250_000);
      registry.register(opt, r);
      const t = trace(opt, { name: `soak-loop-${r}` });
      for (let s = 0; s < 3; s++) step();
      t.stop();
      runs.push(t);
    }
    gc();
    // V8 runs the registry's callbacks in a task of its own, which a loaded machine can put after
    // the first timer (a full parallel run once saw fewer than 10 after one tick): wait for them, a
    // bounded while, with no other GC (one after this job would free what a WeakRef kept, too)
    for (let i = 0; i < 100 && freed < 10; i++) await tick();
    // all but the last one or two (the loop's own variables may still hold the last model)
    expect(freed).toBeGreaterThanOrEqual(10);
    expect(runs.every((t) => t.steps === 3 && t.optimizer === null)).toBe(true);
  });

  it("a stopped trace's summary is the same before and after its optimizer is collected (the groups as at the stop)", async () => {
    const { text, later } = (() => {
      const ps = [0, 1].map(() => new Tensor(Float32Array.from({ length: 50 }, (_, i) => Math.sin(i)), [50], "float32", true));
      const opt = new SGD([{ params: [ps[0]], weight_decay: 0.01 }, { params: [ps[1]], weight_decay: 0 }], { lr: 0.1 });
      const t = trace(opt, { name: "soak-groups" });
      for (let s = 0; s < 3; s++) {
        for (const p of ps) p.grad = new Tensor(Float32Array.from({ length: 50 }, (_, i) => Math.cos(i)), [50], "float32");
        opt.step();
      }
      t.stop();
      opt.param_groups[1].weight_decay = 0.5; // after the stop: not the run's
      return { text: t.summary().join("\n"), later: t };
    })();
    expect(text).toContain("weight_decay 0.01");
    expect(text).not.toContain("weight_decay 0.5");
    const ref = new WeakRef(later);
    await tick();
    gc();
    await tick();
    expect(ref.deref()).toBe(later);
    expect(later.summary().join("\n")).toBe(text);
    expect(later.group_count).toBe(2);
    expect(() => later.latest(2)).toThrow(/group 2 out of range \(the optimizer has 2 parameter groups\)/);
  });

  it("a trace dropped between its hooks (an interrupt inside step()) lets the parameters go", async () => {
    const ref = (() => {
      const { ps, opt, step } = model(70000);
      const t = trace(opt);
      for (let s = 0; s < 3; s++) step();
      // the pre-hook ran, the step never finished: the taps stay open
      for (const p of ps) p.grad = new Tensor(new Float32Array(p.data.length).fill(0.01), [p.data.length], "float32");
      t._before_step(opt as never);
      return new WeakRef(ps[0].data);
    })();
    expect(await collected(ref)).toBe(true);
  });

  it("a trace stopped between its hooks closes its taps: later untraced steps of the optimizer copy nothing", async () => {
    const { ps, opt, step } = model(70000);
    const t = trace(opt);
    for (let s = 0; s < 3; s++) step();
    t._before_step(opt as never);
    t.stop();
    const { taps_on } = await import("../../kernel/src/optim/wasm/tap");
    expect(taps_on(ps[0].data).length).toBe(0);
    step();
  });
});
