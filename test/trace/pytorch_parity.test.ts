import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { set_default_dtype } from "../../kernel/src/tensor/dtype";
import * as optim from "../../kernel/src/optim/index";
import { lr_scheduler } from "../../kernel/src/optim/index";
import { trace, preview } from "../../kernel/src/trace/index";

const fixtures = join(__dirname, "../fixtures/trace");
const metrics = JSON.parse(readFileSync(join(fixtures, "metrics.json"), "utf8"));
const schedules = JSON.parse(readFileSync(join(fixtures, "schedules.json"), "utf8"));

/** |a − b| ≤ tol·max(|b|, tiny): relative agreement (float64 on both sides). */
function close(a: number | null, b: number | null, tol: number, what: string) {
  if (b === null) return expect(a, what).toBeNull();
  expect(a, what).not.toBeNull();
  const err = Math.abs((a as number) - b) / Math.max(Math.abs(b), 1e-300);
  expect(err, `${what}: ${a} vs ${b}`).toBeLessThan(tol);
}

describe("tracer metrics equal those computed from real PyTorch 2.13 steps (float64)", () => {
  // The generator runs under torch.set_default_dtype(torch.float64), which also makes PyTorch's
  // scalar optimizer state (NAdam's mu_product) float64: mirror it.
  beforeAll(() => set_default_dtype("float64"));
  afterAll(() => set_default_dtype("float32"));

  for (const c of metrics.cases) {
    it(`${c.optimizer}(${JSON.stringify(c.options)})`, () => {
      const p = new Tensor(Float64Array.from(metrics.theta0), metrics.shape, "float64", true);
      const opt = new (optim as any)[c.optimizer]([p], c.options);
      const t = trace(opt);
      const tol = 1e-9;
      c.steps.forEach((ref: any, i: number) => {
        p.grad = new Tensor(Float64Array.from(metrics.grads[i]), metrics.shape, "float64");
        opt.step();
        const m = t.latest()!;
        // Sums of 20 terms in another order: agreement to ~1e-12; ratios of tiny Δ/g to 1e-9.
        for (const k of ["lr_projected", "lr_realized", "update_ratio", "grad_norm", "param_norm"]) {
          close((m as any)[k], ref[k], tol, `step ${i} ${k}`);
        }
        for (const k of ["min", "q05", "q25", "q50", "q75", "q95", "max"]) {
          close(m.lr_elementwise![k as "min"], ref.lr_elementwise[k], 1e-7, `step ${i} lr_elementwise.${k}`);
          if (ref.lr_preconditioned === null) expect(m.lr_preconditioned).toBeNull();
          else close(m.lr_preconditioned![k as "min"], ref.lr_preconditioned[k], 1e-12, `step ${i} lr_preconditioned.${k}`);
        }
      });
    });
  }
});

describe("preview equals PyTorch's scheduler sequences", () => {
  const S = lr_scheduler as any;
  const factories: Record<string, (o: any) => any> = {
    StepLR: (o) => new S.StepLR(o, { step_size: 5, gamma: 0.5 }),
    OneCycleLR_sgd: (o) => new S.OneCycleLR(o, { max_lr: 1.0, total_steps: 60 }),
    OneCycleLR_adam: (o) => new S.OneCycleLR(o, { max_lr: 0.5, total_steps: 50, anneal_strategy: "linear", three_phase: true }),
    ReduceLROnPlateau: (o) => new S.ReduceLROnPlateau(o, { patience: 2, factor: 0.5, cooldown: 1 }),
    CyclicLR: (o) => new S.CyclicLR(o, { base_lr: 0.01, max_lr: 0.1, step_size_up: 7, mode: "triangular2" }),
    CosineAnnealingWarmRestarts: (o) => new S.CosineAnnealingWarmRestarts(o, { T_0: 5, T_mult: 2, eta_min: 0.001 }),
  };
  for (const c of schedules) {
    it(c.name, () => {
      const pv = preview(factories[c.name], {
        steps: c.steps, lr: 0.1, optimizer: c.optimizer, optimizer_options: c.optimizer_options ?? undefined,
        metrics: c.metrics ?? undefined,
      });
      expect(pv.lr.length).toBe(c.steps);
      pv.lr.forEach((v, i) => close(v, c.lr[i], 1e-12, `lr[${i}]`));
      pv.momentum!.forEach((v, i) => close(v, c.momentum[i], 1e-12, `momentum[${i}]`));
    });
  }
});
