/**
 * The summary names each param group (group_label.ts): its `name` key, else its parameters' names
 * when the trace knows them; and the hyper-parameters in which the groups differ. "group 0" and
 * "group 1" alone left a reader to remember which was the no-decay group (a porter's pass, with
 * AdamW's usual decay / no-decay split). One group, or groups alike: the line is as it was.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";

function run(groups: (m: any) => any[], named = true) {
  torch.manual_seed(0);
  const m = new torch.nn.Sequential(new torch.nn.Linear(4, 8), new torch.nn.ReLU(), new torch.nn.Linear(8, 1));
  const opt = new torch.optim.AdamW(groups(m), { lr: 1e-3 });
  const t = trace(opt, { name: "g", ...(named ? { named_parameters: m.named_parameters() } : {}) });
  const X = torch.randn(16, 4), Y = torch.randn(16, 1), lf = new torch.nn.MSELoss();
  for (let k = 0; k < 3; k++) {
    opt.zero_grad();
    lf.forward(m.forward(X), Y).backward();
    opt.step();
  }
  t.stop();
  return t.summary().filter((l) => l.startsWith("  group "));
}

describe("group titles in the summary", () => {
  it("decay / no-decay: the name key, else the tensors; and the weight decay that differs", () => {
    const lines = run((m) => [
      { params: [m.get(0).weight, m.get(2).weight], weight_decay: 0.05 },
      { params: [m.get(0).bias, m.get(2).bias], weight_decay: 0, name: "no_decay" },
    ]);
    expect(lines[0]).toMatch(/^ {2}group 0 \(0\.weight, 2\.weight; weight_decay 0\.05\): lr 0\.001, /);
    expect(lines[1]).toMatch(/^ {2}group 1 \(no_decay; weight_decay 0\): lr 0\.001, /);
  });

  it("without the model's names: the differing hyper-parameters alone; groups alike or one group: no title", () => {
    const lines = run((m) => [
      { params: [m.get(0).weight], betas: [0.9, 0.99] },
      { params: [m.get(2).weight] },
    ], false);
    expect(lines[0]).toMatch(/^ {2}group 0 \(betas \[0\.9, 0\.99\]\): lr/);
    expect(lines[1]).toMatch(/^ {2}group 1 \(betas \[0\.9, 0\.999\]\): lr/);
    expect(run((m) => [{ params: [...m.parameters()] }])[0]).toMatch(/^ {2}group 0: lr/);
  });
});
