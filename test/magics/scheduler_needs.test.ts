/**
 * A scheduler missing a required option says, in one line, what it needs and what else it takes
 * (a teacher's pass: `%lr_schedule StepLR` without step_size ended in the scheduler's own
 * "missing 1 required argument", and the same call in typed code in a 7-line overload error).
 * The defaults the message lists are PyTorch's (fixtures/generate_scheduler_signatures.py).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { SCHEDULER_NEEDS, requiredOptions } from "../../kernel/src/optim/lr_scheduler/needs";
import { KernelClient } from "../kernel/client";

// the magic from the build, as the kernel loads it (its library is the build's: magics/tools.ts)
const { previewLines } = createRequire(__filename)(join(__dirname, "../../kernel/dist/magics/lr_schedule.js")) as typeof import("../../kernel/src/magics/lr_schedule");

type Signature = { required: string[]; optional: [string, string][] };
const pytorch = JSON.parse(readFileSync(join(__dirname, "fixtures", "scheduler_signatures.json"), "utf8")) as Record<string, Signature>;

/** A Python repr of a default (None, True, 0.1, 'min') as a JS value. */
function pyValue(repr: string): unknown {
  if (repr === "None") return null;
  if (repr === "True" || repr === "False") return repr === "True";
  if (/^'.*'$/.test(repr)) return repr.slice(1, -1);
  return Number(repr);
}

const schedulerClass = (name: string): any => (name === "SWALR" ? torch.optim.swa_utils.SWALR : (torch.optim.lr_scheduler as any)[name]);
const optimizer = () => new torch.optim.SGD([torch.zeros([2], { requires_grad: true })], { lr: 0.1 });

describe("what each scheduler needs, against PyTorch 2.13", () => {
  for (const [name, sig] of Object.entries(pytorch)) {
    it(name, () => {
      if (name === "ChainedScheduler") return expect(SCHEDULER_NEEDS[name]).toBeUndefined(); // its schedulers come first, positionally
      expect(requiredOptions(name)).toEqual(sig.required);
      if (sig.required.length === 0) return expect(SCHEDULER_NEEDS[name]).toBeUndefined();
      // the optional ones, in PyTorch's order, with PyTorch's defaults
      expect(Object.entries(SCHEDULER_NEEDS[name].optional)).toEqual(sig.optional.map(([k, v]) => [k, pyValue(v)]));
      // and the library requires exactly those (its check names them)
      const missing = (() => {
        try {
          new (schedulerClass(name))(optimizer(), {});
        } catch (e: any) {
          return [...String(e.message).matchAll(/'(\w+)'/g)].map((m) => m[1]);
        }
        return [];
      })();
      expect(missing).toEqual(sig.required);
    });
  }
});

const lineError = (line: string): string => {
  try {
    previewLines([line]);
  } catch (e: any) {
    return String(e.message);
  }
  return "(no error)";
};

describe("%lr_schedule without a required option: one line", () => {
  it("StepLR, with or without --steps", () => {
    const want = "StepLR needs step_size=<int> (epochs between decays); optional: gamma=0.1, last_epoch=-1";
    expect(lineError("StepLR --steps 10")).toBe(want);
    // it asked for --steps first, then for step_size
    expect(lineError("StepLR")).toBe(want);
    expect(lineError("StepLR gamma=0.5 --steps 10")).toBe(want);
  });

  it("every scheduler with a required option names it, in one line; given, the line previews", () => {
    expect(lineError("CyclicLR --steps 10")).toBe("CyclicLR needs base_lr=<float> (the cycle's lowest lr) and max_lr=<float> (the cycle's highest lr); "
      + "optional: step_size_up=2000, step_size_down=null, mode=triangular, gamma=1, scale_fn=null, scale_mode=cycle, cycle_momentum=true, base_momentum=0.8, max_momentum=0.9, last_epoch=-1");
    expect(lineError("CyclicLR base_lr=0.01 --steps 10")).toMatch(/^CyclicLR needs max_lr=<float> \(the cycle's highest lr\); optional: step_size_up=2000, /);
    expect(lineError("OneCycleLR")).toBe("OneCycleLR needs max_lr=<float> (the peak lr) and total_steps=<int> (or epochs= and steps_per_epoch=); "
      + "optional: pct_start=0.3, anneal_strategy=cos, cycle_momentum=true, base_momentum=0.85, max_momentum=0.95, div_factor=25, final_div_factor=10000, three_phase=false, last_epoch=-1");
    expect(lineError("MultiStepLR --steps 10")).toBe("MultiStepLR needs milestones=[30,60] (the epochs at which lr is multiplied by gamma); optional: gamma=0.1, last_epoch=-1");
    for (const [line, key] of [["ExponentialLR", "gamma"], ["CosineAnnealingLR", "T_max"], ["CosineAnnealingWarmRestarts", "T_0"], ["SWALR", "swa_lr"], ["LambdaLR", "lr_lambda"], ["MultiplicativeLR", "lr_lambda"]]) {
      const m = lineError(`${line} --steps 10`);
      expect(m).toMatch(new RegExp(`^${line} needs ${key}=\\S+ \\(.+\\); optional: .*last_epoch=-1$`));
      expect(m).not.toContain("\n");
    }
    expect(previewLines(["StepLR step_size=3 --steps 10"])).toHaveLength(1);
    expect(previewLines(["ExponentialLR gamma=0.9 --steps 10"])).toHaveLength(1);
    // schedulers without a required option are unchanged
    expect(previewLines(["LinearLR --steps 10"])).toHaveLength(1);
  });
});

describe("in code", () => {
  it("PyTorch's message, then what the argument is, an example and the optional ones (a TypeError)", () => {
    const StepLR = torch.optim.lr_scheduler.StepLR as any;
    let err: any;
    try {
      new StepLR(optimizer(), {});
    } catch (e) {
      err = e;
    }
    expect(err.name).toBe("TypeError");
    expect(err.message).toBe("StepLR.__init__() missing 1 required argument: 'step_size' "
      + "(step_size: int, epochs between decays), e.g. new StepLR(optimizer, { step_size: 30 }); optional: gamma=0.1, last_epoch=-1");
    const CyclicLR = torch.optim.lr_scheduler.CyclicLR as any;
    expect(() => new CyclicLR(optimizer())).toThrow(/^CyclicLR\.__init__\(\) missing 2 required arguments: 'base_lr' and 'max_lr' \(base_lr: float, the cycle's lowest lr; max_lr: float, the cycle's highest lr\), e\.g\. new CyclicLR\(optimizer, \{ base_lr: 0\.001, max_lr: 0\.1 \}\); optional: step_size_up=2000, /);
  });
});

describe("through the kernel", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start();
    const r = await k.execute("const opt = new torch.optim.SGD([torch.zeros([2], { requires_grad: true })], { lr: 0.1 });");
    expect(r.reply.content.status).toBe("ok");
  }, 60_000);
  afterAll(async () => { await k?.shutdown(); });

  it("%lr_schedule StepLR: a one-line UsageError", async () => {
    const r = await k.execute("%lr_schedule StepLR");
    expect(r.reply.content.ename).toBe("UsageError");
    expect(r.reply.content.evalue).toBe("StepLR needs step_size=<int> (epochs between decays); optional: gamma=0.1, last_epoch=-1");
  });

  it("untyped code reaches the scheduler's check: its TypeError says the same", async () => {
    const r = await k.execute("const S: any = torch.optim.lr_scheduler.StepLR;\nnew S(opt)");
    expect(r.reply.content.ename).toBe("TypeError");
    expect(r.reply.content.evalue).toBe("StepLR.__init__() missing 1 required argument: 'step_size' (step_size: int, epochs between decays), "
      + "e.g. new StepLR(optimizer, { step_size: 30 }); optional: gamma=0.1, last_epoch=-1");
  });
});
