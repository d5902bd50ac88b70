/**
 * Session 21, fix helper F1 (a user's pass, s21/userX F1, F4): the tracer's losses.
 *   F1  `opt.zero_grad()` inside the micro-batch loop (only the last micro-batch's gradient reaches
 *       step()) read as "gradient accumulation ... each step's gradient averaged 32 samples": the
 *       gradient tensors are replaced between the losses (zero_grad() ran), which accumulation
 *       never does; the summary now says so, and nothing of accumulation. Both loops side by side.
 *   F4  a validation loss logged with `_lr_trace.log_loss(vl)` after each epoch was merged into the
 *       next step's micro-batches (that step's loss halved) and the last one made a point past the
 *       run's end: it is now set aside (series "val_loss") with a line saying why, and a validation
 *       loss has its own API, `log_loss(v, { split: "val" })` / `record({ val_loss: v })`.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace, trace_all, type GlobalTrace } from "../../kernel/src/trace/index";
import { Trace } from "../../kernel/src/trace/trace";

const lineWith = (lines: string[], s: string) => lines.find((l) => l.includes(s));
const MB = 16, ACC = 2;

/** The user's data: 4 epochs of 128 samples in micro-batches of 16 (8 a epoch, 4 steps). */
function setup(seed: number) {
  torch.manual_seed(seed);
  const X = torch.randn(128, 6), Y = torch.randint(0, 3, [128]);
  const model = new torch.nn.Linear(6, 3);
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const crit = new torch.nn.CrossEntropyLoss();
  const batches = Array.from({ length: 128 / MB }, (_, i) => [X.narrow(0, i * MB, MB), Y.narrow(0, i * MB, MB)] as const);
  const evaluate = () => torch.no_grad(() => crit.forward(model.forward(X), Y).item());
  return { model, opt, crit, batches, evaluate };
}

let g: GlobalTrace | null = null;
afterEach(() => {
  g?.stop();
  g = null;
});

describe("F1: zero_grad() between the micro-batches is not gradient accumulation", () => {
  /** The user's loop: 2 micro-batches of 16 a step, loss.div(2) logged after each backward(); where zero_grad() runs is `where`. */
  function run(name: string, where: "per step" | "per micro-batch" | "model per micro-batch" | "in place per micro-batch" | "in place per step" | "by hand per micro-batch" | "by hand per step") {
    const { model, opt, crit, batches } = setup(2);
    g = trace_all({ name, batch_size: 16 });
    for (let ep = 0; ep < 2; ep++) {
      batches.forEach(([x, y], i) => {
        if (where === "per micro-batch") opt.zero_grad();
        if (where === "model per micro-batch") model.zero_grad();
        if (where === "in place per micro-batch") opt.zero_grad(false);
        if (where === "by hand per micro-batch") for (const p of model.parameters()) p.grad?.zero_();
        const loss = crit.forward(model.forward(x), y).div(ACC);
        loss.backward();
        g!.log_loss(loss);
        if ((i + 1) % ACC === 0) {
          opt.step();
          if (where === "per step") opt.zero_grad();
          if (where === "in place per step") opt.zero_grad(false);
          if (where === "by hand per step") for (const p of model.parameters()) p.grad?.fill_(0);
        }
      });
    }
    g.stop();
    return { lines: g.summary(), steps: g.steps };
  }

  it("zero_grad() once per step: accumulation, and the batch-size hint (32 samples a step, 16 given)", () => {
    const { lines, steps } = run("p21f1_acc", "per step");
    expect(steps).toBe(8);
    expect(lineWith(lines, "gradient accumulation")).toMatch(/^ {2}gradient accumulation: 2 losses logged with backward\(\) between them at each of 8 steps;/);
    expect(lineWith(lines, "the batch_size given")).toMatch(/each step's gradient averaged 32 samples \(2 losses, gradient accumulation\)/);
    expect(lineWith(lines, "zero_grad() ran between")).toBeUndefined();
  });

  it("optimizer.zero_grad() before each micro-batch: said as what it is, and no accumulation, no 32-sample hint", () => {
    const { lines } = run("p21f1_zg", "per micro-batch");
    expect(lineWith(lines, "accumulation:")).toBeUndefined();
    expect(lineWith(lines, "accumulation?")).toBeUndefined();
    expect(lineWith(lines, "the batch_size given")).toBeUndefined();
    expect(lineWith(lines, "zero_grad() ran between")).toBe(
      "  zero_grad() ran between the 2 losses logged with backward() between them at each of 8 steps: each backward() started from a zero gradient, "
      + "so only the last one's gradient reaches step() (one micro-batch's, divided by k if each loss was): not gradient accumulation; "
      + "a step's loss is their mean. To accumulate, call zero_grad() once per step (after step()), not before each backward()");
  });

  it("zero_grad(false) (zeroed in place) before each micro-batch: the same; once per step: accumulation", () => {
    const zeroed = run("p21f1_zgf", "in place per micro-batch").lines;
    expect(lineWith(zeroed, "gradient accumulation:")).toBeUndefined();
    expect(lineWith(zeroed, "zero_grad() ran between")).toMatch(/at each of 8 steps/);
    const acc = run("p21f1_accf", "in place per step").lines;
    expect(lineWith(acc, "gradient accumulation")).toMatch(/^ {2}gradient accumulation: 2 losses logged with backward\(\) between them at each of 8 steps;/);
    expect(lineWith(acc, "zero_grad() ran between")).toBeUndefined();
  });

  it("the gradients zeroed by hand (p.grad.zero_()) before each micro-batch: the same; fill_(0) once per step: accumulation", () => {
    const zeroed = run("p22_hand", "by hand per micro-batch").lines;
    expect(lineWith(zeroed, "gradient accumulation:")).toBeUndefined();
    expect(lineWith(zeroed, "zero_grad() ran between")).toMatch(/at each of 8 steps/);
    const acc = run("p22_handacc", "by hand per step").lines;
    expect(lineWith(acc, "gradient accumulation")).toMatch(/^ {2}gradient accumulation: 2 losses logged with backward\(\) between them at each of 8 steps;/);
  });

  it("model.zero_grad() before each micro-batch: the same", () => {
    const { lines } = run("p21f1_zgm", "model per micro-batch");
    expect(lineWith(lines, "gradient accumulation:")).toBeUndefined();
    expect(lineWith(lines, "accumulation?")).toBeUndefined();
    expect(lineWith(lines, "zero_grad() ran between")).toMatch(/at each of 8 steps/);
  });
});

describe("F4: a validation loss logged after each epoch is not a training loss", () => {
  /**
   * The user's loop: per epoch, 4 steps of 2 micro-batches (loss.div(2) logged after each backward(),
   * zero_grad() after step(), or at the top of each step's first micro-batch), then the epoch's
   * validation loss logged (as a number, computed under no_grad), plainly or with { split: "val" }.
   */
  function run(name: string, o: { zeroAtTop?: boolean; how?: "plain" | "split" | "record"; clip?: boolean }) {
    const { model, opt, crit, batches, evaluate } = setup(3);
    g = trace_all({ name, batch_size: 32 });
    const stepLoss: number[] = [], val: number[] = [];
    let tot = 0;
    for (let ep = 0; ep < 3; ep++) {
      batches.forEach(([x, y], i) => {
        if (o.zeroAtTop && i % ACC === 0) opt.zero_grad();
        const loss = crit.forward(model.forward(x), y).div(ACC);
        loss.backward();
        tot += loss.item();
        g!.log_loss(loss);
        if ((i + 1) % ACC === 0) {
          if (o.clip) torch.nn.utils.clip_grad_norm_(model.parameters(), 0.01);
          opt.step();
          if (!o.zeroAtTop) opt.zero_grad();
          stepLoss.push(tot);
          tot = 0;
        }
      });
      const vl = evaluate();
      val.push(vl);
      if (o.how === "split") g.log_loss(vl, { split: "val" });
      else if (o.how === "record") g.record({ val_loss: vl });
      else g.log_loss(vl);
    }
    g.stop();
    return { stepLoss, val, lines: g.summary() };
  }

  const check = (r: ReturnType<typeof run>, asideLine: boolean) => {
    const loss = g!.series("loss")!.columns();
    // one point a step (12), none past the run's end, each the step's loss (PyTorch's tot of loss/2)
    expect(loss.x).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    loss.mean.forEach((v, i) => expect(v).toBeCloseTo(r.stepLoss[i], 5));
    // the validation losses: after steps 4, 8 and 12 were taken
    const v = g!.series("val_loss")!.columns();
    expect(v.x).toEqual([4, 8, 12]);
    v.mean.forEach((x, i) => expect(x).toBeCloseTo(r.val[i], 6));
    expect(lineWith(r.lines, "gradient accumulation:")).toMatch(/2 losses logged with backward\(\) between them at each of 12 steps; a step's loss is their mean/);
    expect(lineWith(r.lines, "gradient accumulation?")).toBeUndefined();
    expect(lineWith(r.lines, "  loss ")).toMatch(new RegExp(`^  loss ${r.stepLoss[11].toPrecision(4).replace(/0+$/, "").replace(".", "\\.")}`));
    const aside = lineWith(r.lines, "not a training loss");
    if (asideLine) {
      expect(aside).toBe("  3 losses logged after a step that had its loss, with no backward() before the next (after 4, 8, 12 steps taken): "
        + "not a training loss of a step (a validation loss?): kept out of the loss series, in series(\"val_loss\"); "
        + "log a validation loss with log_loss(v, { split: \"val\" }) (or record({ val_loss: v })) to say so");
    } else expect(aside).toBeUndefined();
  };

  it("logged plainly (zero_grad() after step()): set aside, the training loss intact, and a line says why", () => {
    check(run("p21f1_tv", { how: "plain" }), true);
  });

  it("logged plainly with zero_grad() at the top of the step, and with clip_grad_norm_ before step(): the same", () => {
    check(run("p21f1_tv_top", { how: "plain", zeroAtTop: true }), true);
    check(run("p21f1_tv_clip", { how: "plain", clip: true }), true);
  });

  it("log_loss(v, { split: \"val\" }) and record({ val_loss: v }): the val_loss series, no line", () => {
    check(run("p21f1_tv_split", { how: "split" }), false);
    check(run("p21f1_tv_record", { how: "record" }), false);
  });

  it("on a trace of one optimizer too; a val loss before any step is at step 0; wrong split and batch_size are errors", () => {
    const w = new torch.nn.Parameter(torch.ones([3]));
    const o = new torch.optim.SGD([w], { lr: 0.1 });
    g = trace_all({ name: "p21f1_val0" });
    g.log_loss(7, { split: "val" });
    for (let i = 0; i < 3; i++) {
      o.zero_grad();
      const l = w.pow(2).sum();
      l.backward();
      g.log_loss(l);
      o.step();
    }
    g.log_loss(5, { split: "val" });
    g.stop();
    expect(g.series("val_loss")!.columns()).toMatchObject({ x: [0, 3], mean: [7, 5] });
    expect(g.series("loss")!.columns().x).toEqual([0, 1, 2]);
    const t = trace(new torch.optim.SGD([w], { lr: 0.1 }), { name: "p21f1_val1" });
    t.record({ val_loss: torch.tensor(2) });
    expect(t.series("val_loss")!.columns().mean).toEqual([2]);
    expect(t.series("loss")!.columns().x).toEqual([]);
    expect(() => t.log_loss(1, { split: "test" } as never)).toThrow('trace.log_loss: split must be "train" (the coming step\'s training loss, the default) or "val" (a validation loss, its own series val_loss), got "test"');
    expect(() => t.log_loss(1, { split: "val", batch_size: 4 })).toThrow(/a validation loss \(\{ split: "val" \}\) takes none/);
    expect(() => g!.log_loss(1, { split: "val", batch_size: 4 })).toThrow(/a validation loss \(\{ split: "val" \}\) takes none/);
    // it survives to_json
    expect(Trace.from_json(JSON.parse(JSON.stringify(g.to_json()))).series("val_loss")!.columns().mean).toEqual([7, 5]);
    t.stop();
  });

  it("losses logged before their backward() (micro-batches, numbers): still the step's micro-batches, nothing set aside", () => {
    const { model, opt, crit, batches } = setup(4);
    g = trace_all({ name: "p21f1_pre", batch_size: 32 });
    const stepLoss: number[] = [];
    let tot = 0;
    batches.forEach(([x, y], i) => {
      const loss = crit.forward(model.forward(x), y).div(ACC);
      g!.log_loss(loss.item() * ACC); // the raw loss as a number, before its backward()
      tot += loss.item() * ACC;
      loss.backward();
      if ((i + 1) % ACC === 0) {
        opt.step();
        opt.zero_grad();
        stepLoss.push(tot);
        tot = 0;
      }
    });
    g.stop();
    expect(g.series("loss")!.columns().x).toEqual([0, 1, 2, 3]);
    expect(g.series("val_loss")).toBeUndefined();
    expect(lineWith(g.summary(), "not a training loss")).toBeUndefined();
    expect(lineWith(g.summary(), "gradient accumulation?")).toMatch(/2 losses logged with backward\(\) between them at 3 of 4 steps|at each of 4 steps/);
  });
});

describe("a validation loss on the plot", () => {
  it("is a line of its own in the loss panel (payload, SVG legend), beside the training loss", async () => {
    const { bundle } = await import("../../kernel/src/plot/bundle");
    torch.manual_seed(0);
    const model = new torch.nn.Linear(4, 1);
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const x = torch.randn(8, 4), y = torch.randn(8, 1);
    const t = trace(opt, { batch_size: 8 });
    for (let s = 0; s < 12; s++) {
      const loss = torch.nn.functional.mse_loss(model.forward(x), y);
      opt.zero_grad(); loss.backward(); t.log_loss(loss); opt.step();
      if (s % 4 === 3) t.log_loss(loss.item() * 1.1, { split: "val" });
    }
    t.stop();
    const b = bundle(t) as Record<string, any>;
    const series = b["application/vnd.lrlab.plot+json"].series as { metric: string }[];
    expect(series.filter((s) => s.metric === "val_loss")).toHaveLength(1);
    expect(String(b["image/svg+xml"])).toContain("validation loss");
  });
});
