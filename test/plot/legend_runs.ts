/** Real runs whose plots have several lines, for the legend tests (legend*.test.ts). */
import * as torch from "../../kernel/src/index";
import { trace, type Trace } from "../../kernel/src/trace/index";
import { bundle, type MimeBundle } from "../../kernel/src/plot/index";
import { tracedRun, trainLogged } from "./saved";

/** SGD with momentum on a 4-8-1 MLP whose weights, biases and last layer are three groups. */
export function threeGroups(steps: number): Trace {
  torch.manual_seed(0);
  const l1 = new torch.nn.Linear(4, 8), l2 = new torch.nn.Linear(8, 1);
  const model = new torch.nn.Sequential(l1, new torch.nn.ReLU(), l2);
  const opt = new torch.optim.SGD([
    { params: [l1.weight] }, { params: [l1.bias!], lr: 0.05 }, { params: l2.parameters(), lr: 0.02 },
  ], { lr: 0.1, momentum: 0.9 });
  const t = trace(opt, { batch_size: 8, name: "groups" });
  const x = torch.randn(8, 4), y = torch.randn(8, 1);
  return trainLogged(model, opt, t, x, y, steps);
}

/** SGD on a 4-8-1 MLP whose two layers are two parameter groups, the loss logged. */
export function twoGroups(steps: number): Trace {
  torch.manual_seed(0);
  const l1 = new torch.nn.Linear(4, 8), l2 = new torch.nn.Linear(8, 1);
  const model = new torch.nn.Sequential(l1, new torch.nn.ReLU(), l2);
  const opt = new torch.optim.SGD([{ params: l1.parameters() }, { params: l2.parameters(), lr: 0.02 }], { lr: 0.1, momentum: 0.9 });
  const t = trace(opt, { batch_size: 8, name: "two" });
  const x = torch.randn(8, 4), y = torch.randn(8, 1);
  return trainLogged(model, opt, t, x, y, steps);
}

/**
 * What `%lr_compare two adam` displays when `two` traced an optimizer of two parameter groups and
 * `adam` one of a single group: lr.bundle(record of runs).
 */
export function mixedCompareBundle(): MimeBundle {
  const adam = tracedRun((params) => {
    const optimizer = new torch.optim.Adam(params, { lr: 1e-3 });
    return { optimizer, sched: { step() {} } };
  }, 30, "adam");
  return bundle({ two: twoGroups(30), adam });
}

/** What `%lr_compare sgd adam --metric lr_per_sample` displays: lr.bundle(record of runs, options). */
export function compareBundle(): MimeBundle {
  const sgd = tracedRun((params) => {
    const optimizer = new torch.optim.SGD(params, { lr: 0.1, momentum: 0.9 });
    return { optimizer, sched: new torch.optim.lr_scheduler.StepLR(optimizer, { step_size: 10, gamma: 0.5 }) };
  }, 40, "sgd");
  const adam = tracedRun((params) => {
    const optimizer = new torch.optim.Adam(params, { lr: 1e-3 });
    return { optimizer, sched: new torch.optim.lr_scheduler.StepLR(optimizer, { step_size: 10, gamma: 0.5 }) };
  }, 40, "adam");
  return bundle({ sgd, adam }, { default_metric: "lr_per_sample" });
}
