/**
 * A stopped trace's copy buffers go to the next traces (snapshot.ts `giveSpare`, PERF.md session
 * 24): a trace that takes them must measure exactly what a trace with new buffers measures, its
 * θ_t and g_t copies never mixed with the stopped trace's values nor with each other.
 */
import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { Adam, SGD } from "../../kernel/src/optim/index";
import { trace } from "../../kernel/src/trace/trace";
import type { StepMetrics } from "../../kernel/src/trace/metrics";
import { spare_buffer_stats } from "../../kernel/src/trace/snapshot";
import { rng } from "../tensor/gradcheck";

type Opt = Parameters<typeof trace>[0] & { step(): void };
const SIZES = [70000, 300, 300, 40];

/** Parameters of SIZES drawn from `seed`, and a gradient per step from the same stream (some 0). */
function run(seed: number, make: (ps: Tensor[]) => Opt, steps: number): StepMetrics[] {
  const rnd = rng(seed);
  const ps = SIZES.map((n) => new Tensor(Float32Array.from({ length: n }, () => rnd() - 0.5), [n], "float32", true));
  const opt = make(ps);
  const t = trace(opt, { per_param: true });
  const out: StepMetrics[] = [];
  for (let s = 0; s < steps; s++) {
    ps.forEach((p, i) => (p.grad = new Tensor(Float32Array.from({ length: SIZES[i] }, () => (rnd() < 0.1 ? 0 : (rnd() - 0.5) * 0.02)), [SIZES[i]], "float32")));
    opt.step();
    out.push(t.latest()!, ...SIZES.map((_, k) => t.latest_param(`0.${k}`)!));
  }
  expect(t.errors).toEqual([]);
  t.stop();
  return out;
}

describe("copy buffers handed from a stopped trace to the next", () => {
  for (const [name, make] of [
    ["SGD with momentum", (ps: Tensor[]) => new SGD(ps, { lr: 0.1, momentum: 0.9 }) as unknown as Opt],
    ["Adam", (ps: Tensor[]) => new Adam(ps, { lr: 1e-3 }) as unknown as Opt],
  ] as const) {
    it(`${name}: a trace on spare buffers measures what it measured on new ones`, () => {
      const fresh = run(1, make, 3); // its buffers are new or spares of earlier tests; it leaves them spare
      run(2, make, 4); // other values, the same sizes: takes those buffers, leaves them again
      const taken = spare_buffer_stats.taken;
      const again = run(1, make, 3);
      expect(spare_buffer_stats.taken - taken, "buffers taken from the spares").toBeGreaterThan(0);
      expect(again).toEqual(fresh);
    });
  }
});
