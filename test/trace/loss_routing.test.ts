/**
 * Which step a logged loss belongs to, in the cases an optimization researcher's pass found wrong
 * (session 17), each failing before its fix:
 *   1  two optimizers traced by one trace_all (a %%lr_trace cell) split one loss series between
 *      them (each loss went to "the optimizer that stepped last"): a loss logged through the
 *      run is every traced optimizer's coming step's; one logged on one trace is that run's only;
 *   2  LBFGS: the loss logged inside the closure was the last inner evaluation's, and trace_all
 *      dropped step 0's: a step's loss is the first logged during its step() (the closure's
 *      first evaluation, at θ_t, which step() returns), from either place;
 *   3  the labels of a multi-optimizer run (`gan:Adam`) are names: lrlab.run("gan:Adam").
 */
import { describe, expect, it, vi } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace, trace_all } from "../../kernel/src/trace/index";
import { run, run_names, saveRun } from "../../kernel/src/trace/runs";

const { nn } = torch;

function mkmodel(seed: number) {
  torch.manual_seed(seed);
  return new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Linear(8, 1));
}
torch.manual_seed(0);
const X = torch.randn([16, 4]), Y = torch.randn([16, 1]);
const loss_fn = new nn.MSELoss();
const lossXs = (t: { series(m: string): { columns(): { x: number[]; mean: (number | null)[] } } | undefined }) => {
  const c = t.series("loss")!.columns();
  return { x: c.x, y: c.mean };
};

/** The GAN-like loop of the finding: one loss, both optimizers step; `place` where it is logged. */
function twoOptimizers(place: "before" | "after", OptB: "SGD" | "Adam" = "SGD") {
  const g1 = mkmodel(1), g2 = mkmodel(2);
  const og1 = new torch.optim.Adam(g1.parameters(), { lr: 0.01 });
  const og2 = OptB === "SGD" ? new torch.optim.SGD(g2.parameters(), { lr: 0.05 }) : new torch.optim.Adam(g2.parameters(), { lr: 0.05 });
  const gt = trace_all({ name: "gan-lib", batch_size: 16 });
  const losses: number[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      og1.zero_grad(); og2.zero_grad();
      const l = loss_fn.forward(g1.forward(X).add(g2.forward(X)), Y);
      l.backward();
      losses.push(l.item());
      if (place === "before") gt.log_loss(l);
      og1.step(); og2.step();
      if (place === "after") gt.log_loss(l);
    }
  } finally {
    gt.stop();
  }
  return { gt, losses, og1, og2 };
}

describe("1: a loss logged through a run of several optimizers", () => {
  it("logged before step(): every traced optimizer's step gets it (Adam + SGD)", () => {
    const { gt, losses } = twoOptimizers("before");
    expect(gt.traces.map((t) => t.name)).toEqual(["gan-lib:Adam", "gan-lib:SGD"]);
    for (const t of gt.traces) expect(lossXs(t)).toEqual({ x: [0, 1, 2, 3], y: losses });
    // the text summary's latest loss is the last step's, not step 0's
    expect(gt.traces[0].latest()!.loss).toBe(losses[3]);
  });

  it("two optimizers of one class (SGD + SGD... here Adam + Adam), and logged after step()", () => {
    const a = twoOptimizers("before", "Adam");
    expect(a.gt.traces.map((t) => t.name)).toEqual(["gan-lib:Adam", "gan-lib:Adam#2"]);
    for (const t of a.gt.traces) expect(lossXs(t)).toEqual({ x: [0, 1, 2, 3], y: a.losses });
    const b = twoOptimizers("after");
    for (const t of b.gt.traces) expect(lossXs(t)).toEqual({ x: [0, 1, 2, 3], y: b.losses });
  });

  it("a sum-reduced loss is noted once per run; a loss that is not one number fails at log_loss, not in step()", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const g1 = mkmodel(1), g2 = mkmodel(2);
      const o1 = new torch.optim.SGD(g1.parameters(), { lr: 0.01 }), o2 = new torch.optim.SGD(g2.parameters(), { lr: 0.01 });
      const sum = new nn.MSELoss({ reduction: "sum" });
      const gt = trace_all({ name: "sum2" });
      for (let i = 0; i < 2; i++) {
        o1.zero_grad(); o2.zero_grad();
        const l = sum.forward(g1.forward(X).add(g2.forward(X)), Y);
        l.backward(); gt.log_loss(l); o1.step(); o2.step();
      }
      expect(() => gt.log_loss(torch.ones([3]))).toThrow(/one number per step/);
      gt.stop();
      const notes = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('reduction "sum"'));
      // (each trace's name when it was noted: the first one's before the second optimizer stepped)
      expect(notes.map((m) => m.match(/trace "([^"]+)"/)?.[1])).toEqual(["sum2", "sum2:SGD#2"]);
    } finally {
      warn.mockRestore();
    }
  });

  it("a loss logged on one run (gt.get(opt).log_loss) is that run's only", () => {
    const g1 = mkmodel(1), g2 = mkmodel(2);
    const o1 = new torch.optim.SGD(g1.parameters(), { lr: 0.05 }), o2 = new torch.optim.SGD(g2.parameters(), { lr: 0.05 });
    const gt = trace_all({ name: "two-sgd" });
    const l1s: number[] = [], l2s: number[] = [];
    for (let i = 0; i < 3; i++) {
      o1.zero_grad(); o2.zero_grad();
      const l1 = loss_fn.forward(g1.forward(X), Y), l2 = loss_fn.forward(g2.forward(X), Y);
      l1.backward(); l2.backward();
      l1s.push(l1.item()); l2s.push(l2.item());
      if (i === 0) { o1.step(); o2.step(); gt.get(o1)!.log_loss(l1); gt.get(o2)!.log_loss(l2); continue; }
      gt.get(o1)!.log_loss(l1); gt.get(o2)!.log_loss(l2);
      o1.step(); o2.step();
    }
    gt.stop();
    expect(lossXs(gt.get(o1)!)).toEqual({ x: [0, 1, 2], y: l1s });
    expect(lossXs(gt.get(o2)!)).toEqual({ x: [0, 1, 2], y: l2s });
  });

  it("optimizers trained one after the other in one run: each run's losses are its own", () => {
    const a = mkmodel(1), b = mkmodel(2);
    const oa = new torch.optim.SGD(a.parameters(), { lr: 0.05 }), ob = new torch.optim.Adam(b.parameters(), { lr: 0.01 });
    const gt = trace_all({ name: "phases" });
    const la: number[] = [], lb: number[] = [];
    for (let i = 0; i < 3; i++) {
      oa.zero_grad(); const l = loss_fn.forward(a.forward(X), Y); l.backward(); la.push(l.item()); gt.log_loss(l); oa.step();
    }
    for (let i = 0; i < 3; i++) {
      ob.zero_grad(); const l = loss_fn.forward(b.forward(X), Y); l.backward(); lb.push(l.item()); gt.log_loss(l); ob.step();
    }
    gt.stop();
    expect(lossXs(gt.get(oa)!)).toEqual({ x: [0, 1, 2], y: la });
    expect(lossXs(gt.get(ob)!)).toEqual({ x: [0, 1, 2], y: lb });
  });

  it("one after the other, the second's loss logged after its step(): still its own", () => {
    const a = mkmodel(1), b = mkmodel(2);
    const oa = new torch.optim.SGD(a.parameters(), { lr: 0.05 }), ob = new torch.optim.SGD(b.parameters(), { lr: 0.05 });
    const gt = trace_all({ name: "phases2" });
    const la: number[] = [], lb: number[] = [];
    for (let i = 0; i < 3; i++) {
      oa.zero_grad(); const l = loss_fn.forward(a.forward(X), Y); l.backward(); la.push(l.item()); gt.log_loss(l); oa.step();
    }
    for (let i = 0; i < 3; i++) {
      ob.zero_grad(); const l = loss_fn.forward(b.forward(X), Y); l.backward(); lb.push(l.item()); ob.step(); gt.log_loss(l);
    }
    gt.stop();
    expect(lossXs(gt.get(oa)!)).toEqual({ x: [0, 1, 2], y: la });
    expect(lossXs(gt.get(ob)!)).toEqual({ x: [0, 1, 2], y: lb });
  });

  it("a discriminator stepping every iteration, a generator every other one: each step gets the loss logged before it", () => {
    const d = mkmodel(1), g = mkmodel(2);
    const od = new torch.optim.SGD(d.parameters(), { lr: 0.05 }), og = new torch.optim.Adam(g.parameters(), { lr: 0.01 });
    const gt = trace_all({ name: "gan-ncritic" });
    const ls: number[] = [];
    for (let i = 0; i < 4; i++) {
      od.zero_grad(); og.zero_grad();
      const l = loss_fn.forward(d.forward(X).add(g.forward(X)), Y);
      l.backward(); ls.push(l.item()); gt.log_loss(l);
      od.step();
      if (i % 2 === 1) og.step();
    }
    gt.stop();
    expect(lossXs(gt.get(od)!)).toEqual({ x: [0, 1, 2, 3], y: ls });
    expect(lossXs(gt.get(og)!)).toEqual({ x: [0, 1], y: [ls[1], ls[3]] });
  });
});

/** LBFGS steps with the loss logged inside the closure (PyTorch's idiom) through `log`. */
function lbfgs(log: (l: any) => void, o: any, m: any, n = 4) {
  const firsts: number[] = [], returned: number[] = [];
  for (let i = 0; i < n; i++) {
    let k = 0;
    const r = o.step(() => {
      o.zero_grad();
      const l = loss_fn.forward(m.forward(X), Y);
      l.backward();
      if (k++ === 0) firsts.push(l.item());
      log(l);
      return l;
    });
    returned.push(r.item());
  }
  return { firsts, returned };
}

describe("2: LBFGS, the loss logged in the closure", () => {
  it("trace_all (a %%lr_trace cell): steps 0..3, each the closure's first evaluation (what step() returns)", () => {
    const m = mkmodel(3);
    const o = new torch.optim.LBFGS(m.parameters(), { lr: 1, max_iter: 5 });
    const gt = trace_all({ name: "lb-lib", batch_size: 16 });
    const { firsts, returned } = lbfgs((l) => gt.log_loss(l), o, m);
    gt.stop();
    expect(returned).toEqual(firsts);
    expect(lossXs(gt.single())).toEqual({ x: [0, 1, 2, 3], y: firsts });
  });

  it("lrlab.trace(opt) and its log_loss: the first evaluation of each step", () => {
    const m = mkmodel(3);
    const o = new torch.optim.LBFGS(m.parameters(), { lr: 1, max_iter: 5 });
    const tr = trace(o, { name: "lb-lib-t" });
    const { firsts } = lbfgs((l) => tr.log_loss(l), o, m);
    tr.stop();
    expect(lossXs(tr)).toEqual({ x: [0, 1, 2, 3], y: firsts });
  });

  it("a loss logged before step(closure) is replaced by the closure's first one; a closure without log keeps it", () => {
    const m = mkmodel(3);
    const o = new torch.optim.LBFGS(m.parameters(), { lr: 1, max_iter: 3 });
    const tr = trace(o);
    tr.log_loss(123);
    const { firsts } = lbfgs((l) => tr.log_loss(l), o, m, 1);
    tr.log_loss(7);
    o.step(() => { o.zero_grad(); const l = loss_fn.forward(m.forward(X), Y); l.backward(); return l; });
    tr.stop();
    expect(lossXs(tr)).toEqual({ x: [0, 1], y: [firsts[0], 7] });
  });
});

describe("3: the labels of a run of several optimizers are names", () => {
  it("lrlab.run('gan:Adam') is that optimizer's trace; an unknown label names them", () => {
    const { gt } = twoOptimizers("before");
    saveRun("gan-lib", gt);
    expect(run("gan-lib:Adam").single()).toBe(gt.traces[0]);
    expect(run("gan-lib:SGD").single()).toBe(gt.traces[1]);
    expect(run_names()).toContain("gan-lib");
    expect(() => run("gan-lib:RMSprop")).toThrow(/gan-lib:Adam/);
  });
});
