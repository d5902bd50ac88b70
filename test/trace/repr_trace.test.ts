/**
 * `console.log` of the tools' results prints their summary (what the plot's text/plain says),
 * not their internals: a Trace printed its optimizer, every series buffer and its hooks; a
 * preview or a range test every rate. A Trace's cell echo is its plot, whose text/plain is the
 * same summary under a title.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, lr_scheduler } from "../../kernel/src/optim/index";
import { find, preview, trace, trace_all } from "../../kernel/src/trace/index";
import { TEXT_MIME } from "../../kernel/src/plot/index";

const param = (values: number[]) => new Tensor(Float64Array.from(values), [values.length], "float64", true);
const grad = (values: number[]) => new Tensor(Float64Array.from(values), [values.length], "float64");

describe("console.log of traces, previews and range tests", () => {
  it("Trace: steps, latest rates, divergence", () => {
    const p = param([1, -2]);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt, { batch_size: 4 });
    for (let i = 0; i < 3; i++) {
      p.grad = grad([0.5, -1]);
      opt.step();
    }
    const lines = [
      "trace (SGD): 3 steps",
      "  group 0: lr 0.1, lr_projected 0.1, lr_per_sample 0.025, lr_realized 0.1, update_ratio 0.05556, lr_preconditioned median 0.1",
      "  no divergence",
    ];
    expect(inspect(t)).toBe(lines.join("\n"));
    expect(t._repr_mimebundle_()[TEXT_MIME]).toContain(lines.join("\n"));
    // the first non-finite step is reported
    p.grad = grad([Infinity, 0]);
    opt.step();
    expect(inspect(t)).toMatch(/^trace \(SGD\): 4 steps\n[^]*\n {2}diverged at step 3 \(lr 0\.1\)$/);
    t.stop();
  });

  it("trace_all (the %%lr_trace cell's _lr_trace): each optimizer's summary", () => {
    const all = trace_all({ name: "run" });
    expect(inspect(all)).toBe("run: no optimizer stepped");
    const p = param([1]);
    const opt = new SGD([p], { lr: 0.5 });
    p.grad = grad([1]);
    opt.step();
    all.stop();
    expect(inspect(all)).toMatch(/^run \(SGD\): 1 step\n {2}group 0: lr 0\.5, /);
    expect(inspect(all)).toBe(all.traces[0].toString());
  });

  it("SchedulePreview and RangeTest: their summary, not every rate", () => {
    const pv = preview((o: any) => new lr_scheduler.StepLR(o, { step_size: 5, gamma: 0.5 }), { steps: 300 });
    expect(inspect(pv)).toBe("StepLR: 300 steps, lr 0.1 → 1.735e-19 (min 1.735e-19, max 0.1)");
    const p = param([1, -1]);
    const opt = new SGD([p], { lr: 0.01 });
    const r = find(opt, () => {
      p.grad = grad([p.data[0], p.data[1]]);
      return 0.5 * (p.data[0] ** 2 + p.data[1] ** 2);
    }, { start_lr: 1e-3, end_lr: 1, num_iter: 20 });
    expect(inspect(r)).toBe(r.summary().join("\n"));
    expect(inspect(r)).toMatch(/^lr range test: 20 rates from 0\.001 to 1\n {2}suggestions: (valley|steepest) /);
  });
});
