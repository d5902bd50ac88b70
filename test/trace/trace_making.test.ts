/**
 * A trace's making (PERF.md session 28, round 2): a named trace's run (GlobalTrace._of) makes no
 * Trace of its own to validate `{ name }` (the trace it wraps validated it), while
 * `trace_all(options)` still validates its options at once; per_param's row (scratchRow), made
 * at its first use, is filled as before.
 */
import { describe, expect, it, vi } from "vitest";

// Every Trace makes one StepPipeline: counting those counts the Traces made.
const made = vi.hoisted(() => ({ pipelines: 0 }));
vi.mock("../../kernel/src/trace/steps", async (importOriginal) => {
  const orig = await importOriginal<typeof import("../../kernel/src/trace/steps")>();
  class CountedPipeline extends orig.StepPipeline {
    constructor(...args: ConstructorParameters<typeof orig.StepPipeline>) {
      super(...args);
      made.pipelines++;
    }
  }
  return { ...orig, StepPipeline: CountedPipeline };
});

import * as torch from "../../kernel/src/index";
import { run, trace, trace_all } from "../../kernel/src/trace/index";

function adam() {
  torch.manual_seed(1);
  const model = new torch.nn.Linear(4, 2);
  return { model, opt: new torch.optim.Adam(model.parameters(), { lr: 0.01 }) };
}

describe("a trace's making", () => {
  it("a named trace makes one Trace (its run makes none), and is the run of its name", () => {
    const { opt } = adam();
    const before = made.pipelines;
    const t = trace(opt as never, { name: "making_named" });
    expect(made.pipelines - before).toBe(1);
    expect(run("making_named")?.traces).toEqual([t]);
    t.stop();
    const unnamed = made.pipelines;
    trace(opt as never).stop();
    expect(made.pipelines - unnamed).toBe(1);
  });

  it("trace_all(options) still validates its options when made", () => {
    expect(() => trace_all({ capacity: 3 })).toThrow(/capacity/);
    expect(() => trace_all({ batch_size: 0 })).toThrow(/batch_size/);
    const all = trace_all({ name: "making_all" });
    all.stop();
  });

  it("per_param: a lone parameter's metrics (made through the scratch row) are its group's", () => {
    torch.manual_seed(2);
    const model = new torch.nn.Linear(4, 2, { bias: false });
    const opt = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
    const t = trace(opt as never, { per_param: true, batch_size: 8 });
    const x = torch.randn(8, 4), y = torch.randn(8, 2);
    for (let s = 0; s < 5; s++) {
      opt.zero_grad();
      new torch.nn.MSELoss().forward(model.forward(x), y).backward();
      opt.step();
      const group = t.latest()!, param = t.latest_param("0.0")!;
      expect(param.step).toBe(s);
      expect(typeof param.lr_projected).toBe("number");
      for (const key of ["lr", "lr_projected", "lr_realized", "lr_per_sample", "update_ratio", "angular_update", "grad_norm", "param_norm", "lr_elementwise", "lr_preconditioned"] as const) {
        expect(param[key]).toEqual(group[key]);
      }
    }
    t.stop();
  });
});
