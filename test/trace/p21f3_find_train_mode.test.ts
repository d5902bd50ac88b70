/**
 * The range test trains the model in train mode (a user's pass, porting a Transformer: after an
 * evaluate() cell left the model in eval mode, %lr_find ran every forward with dropout off, and
 * nothing said so; torch-lr-finder calls model.train() for its test). lrlab.find with { model }
 * now runs the test in train mode, gives each module its own mode back afterwards, and says so in
 * its notes only when some module was in eval mode.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { find } from "../../kernel/src/trace/index";

/** A model with dropout, its data and a step function; `modes` collects the dropout's `training` at each forward. */
function setup() {
  torch.manual_seed(0);
  const X = torch.randn(64, 4);
  const Y = X.sum(1, true);
  const model = new torch.nn.Sequential(new torch.nn.Linear(4, 16), new torch.nn.Dropout(0.5), new torch.nn.ReLU(), new torch.nn.Linear(16, 1));
  const drop = model.named_modules().find(([n]) => n === "1")![1];
  const modes: boolean[] = [];
  drop.register_forward_hook((m: torch.nn.Module) => { modes.push(m.training); });
  const opt = new torch.optim.SGD(model.parameters(), { lr: 1e-3 });
  const loss_fn = new torch.nn.MSELoss();
  const step = () => {
    opt.zero_grad();
    const l = loss_fn.forward(model.forward(X), Y);
    l.backward();
    return l;
  };
  return { model, drop, modes, opt, step };
}

const OPTS = { start_lr: 1e-4, end_lr: 1, num_iter: 30 };

describe("lrlab.find trains a model in eval mode in train mode, and puts its modes back", () => {
  it("after model.eval(): the same losses as in train mode, dropout on in every forward, eval mode back, a note", () => {
    const a = setup();
    a.model.train();
    torch.manual_seed(5);
    const inTrain = find(a.opt, a.step, { ...OPTS, model: a.model });
    const b = setup();
    b.model.eval();
    torch.manual_seed(5);
    const inEval = find(b.opt, b.step, { ...OPTS, model: b.model });
    expect(b.modes.length).toBeGreaterThan(5);
    expect(new Set(b.modes)).toEqual(new Set([true]));
    expect(inEval.losses).toEqual(inTrain.losses);
    expect(b.model.modules().map((m) => m.training)).toEqual([false, false, false, false, false]);
    expect(inEval.notes[0]).toMatch(/^the model was in eval mode \(model\.training false\): the range test ran it in train mode \(dropout on, .*\); it is back in eval mode$/);
    expect(inEval.summary().join("\n")).toContain("the model was in eval mode");
    // in train mode: nothing to say
    expect(inTrain.notes.some((n) => /eval mode/.test(n))).toBe(false);
    expect(a.model.modules().every((m) => m.training)).toBe(true);
  });

  it("a submodule frozen with eval() in a training model: run in train mode, named, its own mode back", () => {
    const c = setup();
    c.model.train();
    c.drop.eval();
    const r = find(c.opt, c.step, { ...OPTS, model: c.model });
    expect(new Set(c.modes)).toEqual(new Set([true]));
    expect(c.model.modules().map((m) => m.training)).toEqual([true, true, false, true, true]);
    expect(r.notes[0]).toMatch(/^1 of the model's 5 modules were in eval mode \(1\): the range test ran them in train mode .*; each has its own mode back$/);
  });

  it("restore: false keeps the trained weights but still puts the mode back", () => {
    const d = setup();
    d.model.eval();
    const before = Array.from(d.model.parameters()[0].data);
    find(d.opt, d.step, { ...OPTS, restore: false, model: d.model });
    expect(Array.from(d.model.parameters()[0].data)).not.toEqual(before);
    expect(new Set(d.modes)).toEqual(new Set([true]));
    expect(d.model.training).toBe(false);
    expect(d.drop.training).toBe(false);
  });

  it("the mode comes back when the step function throws", () => {
    const e = setup();
    e.model.eval();
    let i = 0;
    expect(() => find(e.opt, () => { if (++i === 3) throw new Error("boom"); return e.step(); }, { ...OPTS, model: e.model })).toThrow("boom");
    expect(e.modes).toEqual([true, true]);
    expect(e.model.modules().some((m) => m.training)).toBe(false);
  });
});
