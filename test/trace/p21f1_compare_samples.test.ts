/**
 * Session 21, fix helper F1 (a user's pass, s21/userX F11): `%lr_compare a b --x samples` counts
 * each run's declared batch size a step (plot/samples_axis.ts), so a run traced with
 * --batch-size 16 that accumulated 2 micro-batches a step read as having seen half its samples,
 * with no word, though its summary said "each step's gradient averaged 32 samples". The text now
 * says so for such a run (the axis stays the declared one: plot/samples_axis.ts is not this fix's).
 * In-process (kernel/dist), the magic run on a context holding the runs.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const load = createRequire(__filename);
const DIST = join(__dirname, "../../kernel/dist");
const { lr_compare } = load(join(DIST, "magics/lr_compare.js")) as typeof import("../../kernel/src/magics/lr_compare");
const { parseArgs } = load(join(DIST, "magics/parser.js")) as typeof import("../../kernel/src/magics/parser");
const lrlab = load(join(DIST, "tools.js")) as typeof import("../../kernel/src/tools");
const torch = load(join(DIST, "index.js")) as typeof import("../../kernel/src/index");

let printed: string[] = [];
const ctx: any = {
  engine: { value: () => undefined, userNames: () => [], locals: {} },
  print: (t: string) => printed.push(t),
  display: () => undefined,
};

/** 6 steps of `acc` micro-batches of `mb` samples (torch.nn mean losses logged after each backward()), traced with batch size `declared`. */
function train(name: string, mb: number, acc: number, declared: number) {
  torch.manual_seed(5);
  const m = new torch.nn.Linear(4, 2);
  const opt = new torch.optim.SGD(m.parameters(), { lr: 0.1 });
  const crit = new torch.nn.CrossEntropyLoss();
  const g = lrlab.trace(opt, { name, batch_size: declared });
  for (let s = 0; s < 6; s++) {
    for (let k = 0; k < acc; k++) {
      const loss = crit.forward(m.forward(torch.randn(mb, 4)), torch.randint(0, 2, [mb])).div(acc);
      loss.backward();
      g.log_loss(loss);
    }
    opt.step();
    opt.zero_grad();
  }
  g.stop();
}

describe("%lr_compare --x samples and gradient accumulation", () => {
  it("a run declared at its micro-batch size: the text says it saw 2× the samples drawn; a run declared right: nothing", () => {
    lrlab.clear_runs();
    train("acc16", 16, 2, 16);
    train("b32", 32, 1, 32);
    train("acc32", 16, 2, 32);
    printed = [];
    lr_compare.run(ctx, parseArgs("acc16 b32 acc32 --x samples --metric lr", lr_compare.options, lr_compare.usage), undefined);
    expect(printed).toEqual(["%lr_compare: acc16's samples axis counts its batch size 16 a step, while each of its steps' gradients averaged 32 samples "
      + "(gradient accumulation, its summary says): it saw 2× the samples drawn; trace it with --batch-size 32 to count them"]);
    // on the step axis: nothing
    printed = [];
    lr_compare.run(ctx, parseArgs("acc16 b32 --metric lr", lr_compare.options, lr_compare.usage), undefined);
    expect(printed).toEqual([]);
  });
});
