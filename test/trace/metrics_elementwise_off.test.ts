/**
 * A trace whose `metrics` leave out lr_elementwise takes no ρ summary (no sample drawn, none
 * summarised) and its latest() has lr_elementwise null, as one without lr_preconditioned takes no
 * factor summary: the summary was computed at every step and thrown away (a helper's finding,
 * session 22). The other metrics are the same as with every metric on, on each path: small
 * parameters (JavaScript), a large one measured in place, and the same deferred to the worker.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { Adam, SGD } from "../../kernel/src/optim/index";
import type { Optimizer } from "../../kernel/src/optim/optimizer";
import { trace, type StepMetrics } from "../../kernel/src/trace/index";
import { draws_stats } from "../../kernel/src/trace/sample";
import { OFFLOAD_MIN_ELEMENTS, set_in_place_allowed } from "../../kernel/src/trace/steps";
import { worker_ready } from "../../kernel/src/trace/offload";
import { rng } from "../tensor/gradcheck";

afterEach(() => set_in_place_allowed(true));

beforeAll(async () => {
  // the worker starts on first use and is ready some tens of milliseconds later (offload.test.ts)
  const until = Date.now() + 10000;
  while (!worker_ready() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
});

function run(sizes: number[], make: (ps: Tensor[]) => Optimizer, metrics?: string[], per_param = false): { out: StepMetrics[]; drawn: number } {
  const r = rng(11);
  const ps = sizes.map((n) => new Tensor(Float32Array.from({ length: n }, () => r() - 0.5), [n], "float32", true));
  const opt = make(ps);
  const t = trace(opt as never, { ...(metrics ? { metrics } : {}), per_param });
  const before = draws_stats.used;
  const out: StepMetrics[] = [];
  for (let s = 0; s < 4; s++) {
    ps.forEach((p, i) => (p.grad = new Tensor(Float32Array.from({ length: sizes[i] }, () => (r() - 0.5) * 0.02 || 1e-3), [sizes[i]], "float32")));
    opt.step();
    out.push(t.latest()!);
    if (per_param) sizes.forEach((_, k) => out.push(t.latest_param(`0.${k}`)!));
  }
  expect(t.errors).toEqual([]);
  t.stop();
  return { out, drawn: draws_stats.used - before };
}

const without = (m: StepMetrics) => ({ ...m, lr_elementwise: null });
const cases: [string, number[], (ps: Tensor[]) => Optimizer][] = [
  ["small parameters, Adam", [10, 1], (ps) => new Adam(ps, { lr: 1e-3 })],
  ["a large parameter, SGD momentum", [40000, 300], (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9 })],
  ["a large parameter, Adam", [40000, 300], (ps) => new Adam(ps, { lr: 1e-3 })],
  // at least OFFLOAD_MIN_ELEMENTS: not in place, the step is deferred, a job for the worker thread
  // (read at once by latest() after each step, the job is run on this thread: the same runJob)
  ["a model the worker measures, SGD momentum", [OFFLOAD_MIN_ELEMENTS, 300], (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9 })],
];

describe("metrics without lr_elementwise", () => {
  for (const [name, sizes, make] of cases) {
    for (const inPlace of [true, false]) {
      for (const per_param of [false, true]) {
        it(`${name}${inPlace ? "" : " (not in place: deferred, or copies)"}${per_param ? ", per_param" : ""}: no ρ summary, the rest the same`, () => {
          set_in_place_allowed(inPlace);
          const all = run(sizes, make, undefined, per_param);
          const some = run(sizes, make, ["lr", "lr_projected", "update_ratio", "lr_preconditioned"], per_param);
          for (const m of all.out) expect(m.lr_elementwise).not.toBeNull();
          for (const m of some.out) expect(m.lr_elementwise).toBeNull();
          expect(some.out.map(without)).toEqual(all.out.map(without));
          // no sample drawn either (a large group draws its sample in the passes when every metric is on)
          expect(some.drawn).toBe(0);
          if (sizes[0] > 4096 && inPlace) expect(all.drawn).toBeGreaterThan(0);
        });
      }
    }
  }
});
