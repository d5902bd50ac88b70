/**
 * Steps measured on the tracer's worker thread (offload.ts, step_job.ts) against the same steps
 * measured on the main thread: every metric, series and divergence must be identical, whatever
 * reads the trace and when (right after a step, after a loop, from a listener), with losses
 * logged before or after step(), several traces sharing the worker, and a memory that grows.
 * Each test also checks that the worker really measured steps (offload_stats).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, Adam } from "../../kernel/src/optim/index";
import { StepLR } from "../../kernel/src/optim/lr_scheduler/index";
import { trace, type Trace } from "../../kernel/src/trace/trace";
import { OFFLOAD_MIN_ELEMENTS } from "../../kernel/src/trace/steps";
import type { StepMetrics } from "../../kernel/src/trace/metrics";
import { forget, offload_stats, poll_job, post_job, wait_job, worker_ready } from "../../kernel/src/trace/offload";
import { rng } from "../tensor/gradcheck";
import { wasm_api } from "../../kernel/src/wasm_host";

type Opt = Parameters<typeof trace>[0] & { step(): void; add_param_group(g: object): void };

/** Sizes of a model above OFFLOAD_MIN_ELEMENTS: a large matrix, its bias, a small layer. */
const SIZES = [256 * 300, 256, 10 * 256, 10];

/** The same training twice, traced with the worker (`worker`) and without. */
function twins(sizes: number[], make: (ps: Tensor[]) => Opt, options: Parameters<typeof trace>[1] = {}) {
  const rnd = rng(11);
  const init = sizes.map((n) => Float32Array.from({ length: n }, () => rnd() - 0.5));
  const side = (worker: boolean) => {
    const ps = init.map((v) => new Tensor(Float32Array.from(v), [v.length], "float32", true));
    const opt = make(ps);
    const t = trace(opt, options);
    t._use_worker = worker;
    const g = rng(5);
    const setGrads = (scale = 0.01) => ps.forEach((p) => {
      p.grad = new Tensor(Float32Array.from({ length: p.data.length }, () => (g() < 0.1 ? 0 : (g() - 0.5) * scale)), [p.data.length], "float32");
    });
    return { ps, opt, t, setGrads };
  };
  return { w: side(true), m: side(false) };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** Everything a trace reports, for deep equality. */
function report(t: Trace) {
  return { json: t.to_json(), summary: t.summary(), errors: t.errors.map((e) => e.message) };
}

beforeAll(async () => {
  expect(SIZES.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(OFFLOAD_MIN_ELEMENTS);
  // the worker starts on first use and is ready some tens of milliseconds later
  const until = Date.now() + 10000;
  while (!worker_ready() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(worker_ready(), "the tracer's worker thread did not start: it runs kernel/dist/trace/trace_worker.js (npm run setup builds it)").toBe(true);
});

describe("tracer worker thread: the same results as measuring on the main thread", () => {
  it("SGD with momentum, per_param, StepLR: every step read right after it, and the whole trace after", () => {
    const { w, m } = twins(SIZES, (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9 }) as unknown as Opt, { per_param: true, batch_size: 32 });
    const schedW = new StepLR(w.opt as never, { step_size: 2, gamma: 0.5 });
    const schedM = new StepLR(m.opt as never, { step_size: 2, gamma: 0.5 });
    const before = offload_stats.replies;
    for (let s = 0; s < 8; s++) {
      for (const side of [w, m]) {
        side.setGrads();
        side.opt.step();
      }
      schedW.step();
      schedM.step();
      // read every other step only, so that deferred steps also pile up between reads
      if (s % 2 === 1) {
        expect(w.t.latest()).toEqual(m.t.latest());
        expect(w.t.latest_param("0.0")).toEqual(m.t.latest_param("0.0"));
      }
    }
    expect(report(w.t)).toEqual(report(m.t));
    expect(w.t.errors).toEqual([]);
    expect(offload_stats.replies).toBeGreaterThan(before);
  });

  it("Adam (lr_preconditioned from the optimizer state at the step), losses logged before and after step()", () => {
    const { w, m } = twins(SIZES, (ps) => new Adam(ps, { lr: 1e-3 }) as unknown as Opt);
    const before = offload_stats.replies;
    for (let s = 0; s < 7; s++) {
      for (const side of [w, m]) {
        side.setGrads();
        if (s % 2 === 0) side.t.log_loss(1 / (s + 1)); // before step(): belongs to this step
        side.opt.step();
        if (s % 2 === 1) side.t.log_loss(2 / (s + 1)); // after step(): to the step just taken
      }
    }
    const a = report(w.t), b = report(m.t);
    expect(a).toEqual(b);
    expect((a.json.latest[0] as StepMetrics).loss).toBe(1 / 7); // step 6 logged its loss before step()
    expect((a.json.latest[0] as StepMetrics).lr_preconditioned).not.toBeNull();
    expect(offload_stats.replies).toBeGreaterThan(before);
  });

  it("listeners hear every step once, in order; all of them once the trace is read", () => {
    const { w, m } = twins(SIZES, (ps) => new SGD(ps, { lr: 0.01 }) as unknown as Opt);
    const heard: Record<string, StepMetrics[][]> = { w: [], m: [] };
    w.t.on_step((_, ms) => heard.w.push(ms));
    m.t.on_step((_, ms) => heard.m.push(ms));
    for (let s = 0; s < 5; s++) {
      for (const side of [w, m]) {
        side.setGrads();
        side.opt.step();
      }
      // a step is heard at once on the main thread, at most two steps late with the worker
      expect(heard.m.length).toBe(s + 1);
      expect(heard.w.length).toBeGreaterThanOrEqual(s - 1);
    }
    w.t.latest();
    expect(heard.w).toEqual(heard.m);
    expect(heard.w.map((ms) => ms[0].step)).toEqual([0, 1, 2, 3, 4]);
  });

  it("divergence: the first non-finite step is kept even when a later NaN loss was logged before it was measured", () => {
    const { w, m } = twins(SIZES, (ps) => new SGD(ps, { lr: 0.1 }) as unknown as Opt);
    for (let s = 0; s < 5; s++) {
      for (const side of [w, m]) {
        side.setGrads(s === 2 ? Infinity : 0.01); // step 2: infinite gradients, a non-finite step
        side.opt.step();
        if (s === 3) side.t.log_loss(NaN); // logged while step 2 may still wait for the worker
      }
    }
    expect(w.t.diverged_at).toMatchObject({ step: 2, lr: 0.1 });
    expect(report(w.t)).toEqual(report(m.t));
  });

  it("float64 sums that overflow (rescaled) and non-finite norms: the same on the worker", () => {
    // float64 parameters of ~1e160: Σθ² overflows float64 at every step (the careful, rescaled
    // pass); step 3 has infinite gradients (a divergence: grad_norm ∞, no ratios)
    const sizes = [256 * 300, 10];
    const side = (worker: boolean) => {
      const ps = sizes.map((n) => new Tensor(Float64Array.from({ length: n }, (_, i) => 1e160 * Math.sin(i + 1)), [n], "float64", true));
      const opt = new SGD(ps, { lr: 0.1, momentum: 0.9 }) as unknown as Opt;
      const t = trace(opt, { per_param: true });
      t._use_worker = worker;
      return { ps, opt, t };
    };
    const w = side(true), m = side(false);
    const before = offload_stats.replies;
    for (let s = 0; s < 5; s++) {
      for (const x of [w, m]) {
        x.ps.forEach((p) => {
          p.grad = new Tensor(Float64Array.from({ length: p.data.length }, (_, i) => (s === 3 && i % 2 === 0 ? Infinity : 1e158 * Math.cos(i))), [p.data.length], "float64");
        });
        x.opt.step();
      }
      if (s === 0) {
        // the first momentum step is plain SGD: lr_projected = lr_realized = γ = 0.1, ‖θ‖ ≈ 1e160·√(n/2)
        const first = w.t.latest()!;
        expect(rel(first.lr_projected!, 0.1)).toBeLessThan(1e-12);
        expect(rel(first.param_norm!, 1e160 * Math.sqrt(sizes[0] / 2))).toBeLessThan(1e-2);
      }
    }
    expect(report(w.t)).toEqual(report(m.t));
    expect(w.t.diverged_at).toMatchObject({ step: 3, lr: 0.1 });
    // step 4: finite gradients (‖g‖ ≈ 1e158·√(n/2), its sum rescaled too), θ_t holds the infinities of step 3
    const last = w.t.latest()!;
    expect(rel(last.grad_norm!, 1e158 * Math.sqrt((sizes[0] + sizes[1]) / 2))).toBeLessThan(1e-2);
    expect(last.param_norm).toBe(Infinity);
    expect(offload_stats.replies).toBeGreaterThan(before);
  });

  it("two traces share the worker; a parameter group added mid-run grows the memory (sent to the worker again)", () => {
    const a = twins(SIZES, (ps) => new SGD(ps, { lr: 0.02, momentum: 0.5 }) as unknown as Opt, { name: "a" });
    const b = twins([300 * 300], (ps) => new Adam(ps, { lr: 0.01 }) as unknown as Opt, { name: "b" });
    const before = offload_stats.replies;
    const extra = () => new Tensor(Float32Array.from({ length: 500 * 200 }, (_, i) => Math.sin(i)), [500 * 200], "float32", true);
    for (let s = 0; s < 6; s++) {
      if (s === 3) {
        for (const side of [a.w, a.m]) {
          const p = extra();
          side.opt.add_param_group({ params: [p], lr: 0.001 });
          side.ps.push(p);
        }
      }
      for (const side of [a.w, a.m, b.w, b.m]) {
        side.setGrads();
        side.opt.step();
      }
    }
    expect(report(a.w.t)).toEqual(report(a.m.t));
    expect(report(b.w.t)).toEqual(report(b.m.t));
    expect(a.w.t.latest(1)?.lr).toBe(0.001);
    expect(offload_stats.replies - before).toBeGreaterThanOrEqual(8);
  });

  it("a step that cannot be deferred (its copies did not all fit in the memory) is recorded after the deferred ones", () => {
    const { w, m } = twins(SIZES, (ps) => new SGD(ps, { lr: 0.02 }) as unknown as Opt);
    const seen: number[] = [];
    w.t.on_step((_, ms) => seen.push(ms[0].step));
    // step 3's capture places only the large parameters, as when the memory cannot grow: that
    // step is measured at its post-hook while step 2 still waits for the worker
    const snap = w.t._snapshots;
    const capture = snap.capture.bind(snap);
    let s = 0;
    snap.capture = (groups, all, busy) => capture(groups, s === 3 ? false : all, busy);
    for (; s < 6; s++) {
      for (const side of [w, m]) {
        side.setGrads();
        side.opt.step();
      }
    }
    expect(report(w.t)).toEqual(report(m.t));
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("stop() finishes the last step; a stopped trace keeps its data", () => {
    const { w, m } = twins(SIZES, (ps) => new SGD(ps, { lr: 0.03 }) as unknown as Opt);
    for (let s = 0; s < 3; s++) {
      for (const side of [w, m]) {
        side.setGrads();
        side.opt.step();
      }
    }
    w.t.stop();
    m.t.stop();
    for (const side of [w, m]) {
      side.setGrads();
      side.opt.step(); // not traced any more
    }
    expect(w.t.steps).toBe(3);
    expect(report(w.t)).toEqual(report(m.t));
  });
});

describe("tracer worker thread: a lost reply", () => {
  it("a reply the worker sent that is nowhere (lost to an interrupt, or dropped): null at once, and the worker stays in use", () => {
    // An interrupt that unwinds the main thread between taking a reply off the port and keeping
    // it loses that reply. The same happens to the oldest of more than 64 unclaimed replies, which
    // is how this test loses some. Before: the step waited WAIT_MS (10 s) for it, then the worker
    // was dropped for the rest of the session (a kernel test saw no more replies after an interrupt).
    const memory = new (wasm_api()!.Memory)({ initial: 1, maximum: 1, shared: true });
    const owner = {}, id = 987_654;
    // jobs the worker answers with an error (an empty job): any reply will do here
    const seqs = Array.from({ length: 70 }, () => post_job(owner, id, memory, {} as never));
    const until = Date.now() + 10_000;
    while (poll_job(seqs[69]) === undefined && Date.now() < until);
    expect(poll_job(seqs[69]), "the worker answered the last job").toBeDefined();
    expect(wait_job(seqs[0])).toBeNull(); // dropped: the worker answered it, it is gone
    expect(worker_ready()).toBe(true);
    expect(wait_job(seqs[69])).toMatchObject({ seq: seqs[69], error: expect.stringMatching(/^trace worker: /) });
    forget(id);
  });
});
