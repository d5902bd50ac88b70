/**
 * A per_param trace whose group's first parameter would draw its own ρ sample at the same elements
 * as its share of the group's (both strata of one length L from offset 0: snapshot.ts `sameDraws`)
 * draws them once and copies the values (PERF.md session 27). Its own summary must be what a trace
 * of that parameter alone measures (its group is then the parameter, its sample the same strata),
 * with the native update on and off, without native code (the selections then permute the values
 * they are given: select.ts), with and without gradients that are 0.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { Adam, SGD } from "../../kernel/src/optim/index";
import { set_native_update_enabled } from "../../kernel/src/optim/native_update";
import { trace } from "../../kernel/src/trace/trace";
import type { StepMetrics } from "../../kernel/src/trace/metrics";
import { param_draws_stats } from "../../kernel/src/trace/snapshot";
import { set_native_pass_enabled } from "../../kernel/src/trace/native_sums";
import { rng } from "../tensor/gradcheck";

type Opt = Parameters<typeof trace>[0] & { step(): void };

/**
 * 40,960 elements: strata of L = 10 for its own 4,096 draws; with the others (N = 40,990 or more
 * below 45,056) the group's strata have L = 10 too, and its first 4,096 draws are the same.
 */
const FIRST = 40960;

/** Steps of parameters of `sizes` (values and gradients from `seed`, a share `zeros` of the gradients 0): per step, the first parameter's metrics. */
function firstOf(sizes: number[], per_param: boolean, make: (ps: Tensor[]) => Opt, seed: number, zeros: number): StepMetrics[] {
  const rnd = rng(seed);
  const all = [FIRST, 30, 7].map((n) => Float32Array.from({ length: n }, () => rnd() - 0.5));
  const ps = sizes.map((n, i) => new Tensor(all[i].slice(0, n), [n], "float32", true));
  const opt = make(ps);
  const t = trace(opt, { per_param });
  const out: StepMetrics[] = [];
  for (let s = 0; s < 4; s++) {
    const grads = [FIRST, 30, 7].map((n) => Float32Array.from({ length: n }, () => (rnd() < zeros ? 0 : (rnd() - 0.5) * 0.02 || 1e-3)));
    ps.forEach((p, i) => (p.grad = new Tensor(grads[i].slice(0, sizes[i]), [sizes[i]], "float32")));
    opt.step();
    // the parameter's metrics less its name (the only field a group's have not)
    const m = per_param ? { ...t.latest_param("0.0")! } : t.latest()!;
    if (per_param) delete (m as { param?: string }).param;
    out.push(m);
  }
  expect(t.errors).toEqual([]);
  t.stop();
  return out;
}

const OPTIMIZERS: [string, (ps: Tensor[]) => Opt][] = [
  ["SGD momentum", (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9 }) as unknown as Opt],
  ["Adam", (ps) => new Adam(ps, { lr: 1e-3 }) as unknown as Opt],
];

describe("a parameter's own ρ sample copied from its group's when the draws are the same", () => {
  afterEach(() => {
    set_native_update_enabled(true);
    set_native_pass_enabled(true);
  });
  const MODES = ["native code", "native update off", "no native code"] as const;
  for (const [name, make] of OPTIMIZERS) {
    for (const mode of MODES) {
      for (const zeros of [0, 0.1]) {
        it(`${name}, ${mode}, ${zeros ? "some" : "no"} gradients 0: the first parameter measured as alone`, () => {
          set_native_update_enabled(mode === "native code");
          set_native_pass_enabled(mode !== "no native code");
          const shared = param_draws_stats.shared;
          const within = firstOf([FIRST, 30, 7], true, make, 3, zeros);
          expect(param_draws_stats.shared - shared, "own draws copied from the group's").toBe(4);
          const alone = firstOf([FIRST], false, make, 3, zeros);
          expect(within.map((m) => m.lr_elementwise)).toEqual(alone.map((m) => m.lr_elementwise));
          expect(within).toEqual(alone);
        });
      }
    }
  }

  it("strata of another length (the group's L ≠ the parameter's): drawn by the passes, not copied", () => {
    // 40,960 + 4,100 elements: the group's L = 11, the first parameter's 10
    const shared = param_draws_stats.shared;
    const rnd = rng(9);
    const ps = [FIRST, 4100].map((n) => new Tensor(Float32Array.from({ length: n }, () => rnd() - 0.5), [n], "float32", true));
    const opt = new SGD(ps, { lr: 0.05, momentum: 0.9 }) as unknown as Opt;
    const t = trace(opt, { per_param: true });
    for (let s = 0; s < 3; s++) {
      ps.forEach((p) => (p.grad = new Tensor(Float32Array.from({ length: p.data.length }, () => (rnd() - 0.5) * 0.02), [p.data.length], "float32")));
      opt.step();
    }
    expect(t.errors).toEqual([]);
    t.stop();
    expect(param_draws_stats.shared - shared).toBe(0);
  });
});
