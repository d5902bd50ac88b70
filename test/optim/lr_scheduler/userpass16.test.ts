/**
 * userpass16 (a scheduler engineer's pass), the library's side: ChainedScheduler/SequentialLR
 * given schedulers of two optimizer objects of one class said "has SGD, which is different from
 * SGD." (now: two different SGD objects, told apart by their rates); their state_dict had two keys
 * PyTorch 2.13's has not (`_get_lr_called_within_step`, `_is_initial`: base-class attributes a
 * composite never sets, always false), and still loads PyTorch's shape and lrlab's older one.
 * Each failed before.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../../kernel/src/index";

const S = torch.optim.lr_scheduler;
const sgd = (lr = 0.1) => new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr });

describe("schedulers of two optimizers of one class", () => {
  it("ChainedScheduler: PyTorch's sentence, then that they are two SGD objects and their rates", () => {
    const o = sgd(0.1);
    const o2 = sgd(0.2);
    expect(() => new S.ChainedScheduler([new S.StepLR(o, 2), new S.StepLR(o2, 3)])).toThrow(
      "ChainedScheduler expects all schedulers to belong to the same optimizer, but got scheduler StepLR at index 1 has SGD, "
      + "which is different from SGD. They are two different SGD objects (this scheduler's: lr [0.2]; the first scheduler's: lr [0.1]): "
      + "build every scheduler on the one optimizer object ChainedScheduler schedules.");
  });

  it("SequentialLR: the optimizer given to it; different classes keep PyTorch's sentence alone", () => {
    const o = sgd(0.1);
    const o2 = sgd(0.05);
    expect(() => new S.SequentialLR(o, [new S.LinearLR(o, 1.0), new S.StepLR(o2, 3)], [2])).toThrow(
      /which is different from SGD\. They are two different SGD objects \(this scheduler's: lr \[0\.05\]; the optimizer given to SequentialLR: lr \[0\.1\]\): build every scheduler on the one optimizer object SequentialLR schedules\.$/);
    const adam = new torch.optim.Adam([torch.zeros([1], { requires_grad: true })], { lr: 0.1 });
    expect(() => new S.SequentialLR(o, [new S.LinearLR(o, 0.5), new S.StepLR(adam, 3)], [2])).toThrow(
      /^SequentialLR expects all schedulers to belong to the same optimizer, but got scheduler StepLR at index 1 has Adam, which is different from SGD\.$/);
  });
});

describe("composite state_dict keys are PyTorch 2.13's", () => {
  it("SequentialLR: _milestones, last_epoch, _last_lr, _schedulers; ChainedScheduler: _last_lr, _schedulers", () => {
    // PyTorch 2.13: sorted(SequentialLR(...).state_dict()) == ['_last_lr', '_milestones', '_schedulers', 'last_epoch'],
    // sorted(ChainedScheduler(...).state_dict()) == ['_last_lr', '_schedulers'] (the children keep theirs)
    const o = sgd();
    const seq = new S.SequentialLR(o, [new S.LinearLR(o, 0.5, 1.0, 3), new S.ExponentialLR(o, 0.9)], [3]);
    expect(Object.keys(seq.state_dict()).sort()).toEqual(["_last_lr", "_milestones", "_schedulers", "last_epoch"]);
    expect(Object.keys(seq.state_dict()._schedulers[0])).toContain("_is_initial");
    const o2 = sgd();
    const ch = new S.ChainedScheduler([new S.StepLR(o2, 2), new S.ExponentialLR(o2, 0.9)]);
    expect(Object.keys(ch.state_dict()).sort()).toEqual(["_last_lr", "_schedulers"]);
    // nested: the inner composite too
    const o3 = sgd();
    const inner = new S.ChainedScheduler([new S.StepLR(o3, 2), new S.ExponentialLR(o3, 0.9)]);
    const outer = new S.SequentialLR(o3, [new S.LinearLR(o3, 0.5, 1.0, 2), inner], [2]);
    expect(Object.keys(outer.state_dict()._schedulers[1]).sort()).toEqual(["_last_lr", "_schedulers"]);
  });

  it("loads PyTorch's shape and lrlab's older one (with the two keys), and continues alike", () => {
    const run = (load: (s: any) => any) => {
      const o = sgd();
      const seq = new S.SequentialLR(o, [new S.LinearLR(o, 0.5, 1.0, 3), new S.ExponentialLR(o, 0.9)], [3]);
      for (let i = 0; i < 4; i++) { o.step(); seq.step(); }
      const saved = JSON.parse(JSON.stringify(seq.state_dict()));
      const o2 = sgd();
      const seq2 = new S.SequentialLR(o2, [new S.LinearLR(o2, 0.5, 1.0, 3), new S.ExponentialLR(o2, 0.9)], [3]);
      seq2.load_state_dict(load(saved));
      o2.load_state_dict(o.state_dict());
      const lrs: number[] = [];
      for (let i = 0; i < 4; i++) { o2.step(); seq2.step(); lrs.push(o2.param_groups[0].lr as number); }
      expect(Object.keys(seq2.state_dict()).sort()).toEqual(["_last_lr", "_milestones", "_schedulers", "last_epoch"]);
      return lrs;
    };
    const pytorch = run((s) => s);
    const older = run((s) => ({ _get_lr_called_within_step: false, _is_initial: false, ...s }));
    expect(older).toEqual(pytorch);
    pytorch.forEach((lr, i) => expect(lr).toBeCloseTo(0.1 * 0.9 ** (i + 2), 15));
  });
});
