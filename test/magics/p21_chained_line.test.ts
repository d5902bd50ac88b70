/**
 * Session 21, finding 2 (a users' pass): `%lr_schedule ChainedScheduler schedulers=[...]` was refused
 * by the option check ("unexpected keyword argument 'schedulers'; accepted: optimizer") before it
 * reached the answer that says how to preview a ChainedScheduler, which the SequentialLR line gives
 * (session 20). `schedulers` is ChainedScheduler's first argument, positional in lrlab as in
 * PyTorch, where a call may also name it: the line now gets the same answer as SequentialLR's, with
 * the code built from the schedulers and options it gave, and that code previews the line's
 * schedule. A misspelt key is still refused, naming schedulers.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const load = createRequire(__filename);
const DIST = join(__dirname, "../../kernel/dist");
const { previewLines } = load(join(DIST, "magics/lr_schedule.js")) as typeof import("../../kernel/src/magics/lr_schedule");
const { preview } = load(join(DIST, "trace/preview.js")) as typeof import("../../kernel/src/trace/preview");
const torch = load(join(DIST, "index.js")) as typeof import("../../kernel/src/index");
const { lr_scheduler } = torch.optim;

/**
 * PyTorch 2.13 (/work/torchvenv): ChainedScheduler([StepLR(step_size=2, gamma=0.5), ExponentialLR(gamma=0.9)]) on SGD lr 0.05, 8 steps:
 *   import torch; from torch.optim.lr_scheduler import *
 *   o = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.05)
 *   s = ChainedScheduler([StepLR(o, step_size=2, gamma=0.5), ExponentialLR(o, gamma=0.9)]); lrs = []
 *   for _ in range(8): lrs.append(o.param_groups[0]["lr"]); o.step(); s.step()
 *   print(lrs)
 */
const PYTORCH = [0.05, 0.045000000000000005, 0.020250000000000004, 0.018225000000000005, 0.008201250000000002, 0.007381125000000002, 0.0033215062500000013, 0.0029893556250000014];

/** The message of what `f` throws, or "no error". */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e: any) {
    return e.message;
  }
  return "no error";
}

describe("%lr_schedule ChainedScheduler schedulers=[...]", () => {
  const LINE = "ChainedScheduler schedulers=[StepLR(step_size=2,gamma=0.5),ExponentialLR(gamma=0.9)] --steps 8 --lr 0.05";

  it("gets the code that previews it, with the line's schedulers and options, not the option check's refusal", () => {
    const e = thrown(() => previewLines([LINE]));
    expect(e).not.toContain("unexpected keyword argument");
    expect(e).toContain("ChainedScheduler combines other schedulers, which a magic line cannot build; preview it in code, with the options your line gave:\n");
    expect(e).toContain("const s0 = new torch.optim.lr_scheduler.StepLR(opt, { step_size: 2, gamma: 0.5 }); "
      + "const s1 = new torch.optim.lr_scheduler.ExponentialLR(opt, { gamma: 0.9 }); "
      + "return new torch.optim.lr_scheduler.ChainedScheduler([s0, s1]); }, { steps: 8, lr: 0.05 })");
  });

  it("the code it gives runs and previews PyTorch's rates", () => {
    const code = /^  (lrlab\.preview\(.*\))$/m.exec(thrown(() => previewLines([LINE])))?.[1];
    expect(code).toBeDefined();
    const p = new Function("lrlab", "torch", `return ${code};`)({ preview }, torch);
    p.lrs[0].forEach((v: number, i: number) => expect(Math.abs(v - PYTORCH[i])).toBeLessThanOrEqual(1e-15));
    // and it is the scheduler built by hand
    const o = new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 0.05 });
    const s = new lr_scheduler.ChainedScheduler([new lr_scheduler.StepLR(o, { step_size: 2, gamma: 0.5 }), new lr_scheduler.ExponentialLR(o, { gamma: 0.9 })]);
    expect(p.lrs[0]).toEqual(preview(s, { steps: 8 }).lrs[0]);
  });

  it("bare names: the same answer, saying the options are examples", () => {
    const e = thrown(() => previewLines(["ChainedScheduler schedulers=[StepLR,ExponentialLR] --steps 10"]));
    expect(e).toContain("preview it in code (the schedulers' options are examples: give yours):");
    expect(e).toContain("new torch.optim.lr_scheduler.ChainedScheduler([s0, s1])");
  });

  it("a misspelt or foreign key is still refused, naming what ChainedScheduler takes", () => {
    expect(thrown(() => previewLines(["ChainedScheduler schedulrs=[StepLR] --steps 10"])))
      .toContain("ChainedScheduler.__init__() got an unexpected keyword argument 'schedulrs' (did you mean schedulers=?); accepted: schedulers, optimizer");
    expect(thrown(() => previewLines(["ChainedScheduler schedulers=[StepLR,ExponentialLR] milestones=[3] --steps 10"])))
      .toContain("unexpected keyword argument 'milestones'; accepted: schedulers, optimizer");
  });

  it("SequentialLR's line is as before", () => {
    expect(thrown(() => previewLines(["SequentialLR schedulers=[LinearLR,CosineAnnealingLR] milestones=[8] --steps 64"])))
      .toContain("SequentialLR combines other schedulers, which a magic line cannot build; preview it in code");
  });
});
