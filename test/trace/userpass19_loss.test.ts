/**
 * Two users' passes of session 19 (userT, userS), the tracer's loss side: each test failed before its fix.
 *   T2  the summary's "loss X" was the last *logged* loss with no step, shown next to the last
 *       step's rates even when it was many steps old: it names its step then;
 *   T3  "lr far too low?" never fired on a mini-batch run that logged its loss (batch-to-batch noise
 *       over 1%) though its weights moved by ~4e-8 of their norm a step;
 *   S1.2 gradient accumulation (a log_loss per micro-batch, backward() between them, one step()):
 *       only the last micro-batch's loss was kept, with no note (the panel showed 1/k of the loss);
 *   T4  `_lr_trace.get(optimizer)` was undefined until that optimizer's first step, so the README's
 *       per-optimizer log_loss before step() threw.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace, trace_all, type GlobalTrace } from "../../kernel/src/trace/index";
import { BoundedSeries } from "../../kernel/src/trace/series";
import { lowLrLine } from "../../kernel/src/trace/summary_lines";

const lineWith = (lines: string[], s: string) => lines.find((l) => l.includes(s));

describe("T2: the loss line names its step when it is not the last step's", () => {
  it("a loss logged at steps 0-2 of 30: 'loss 1.229 (step 2, ...)'", () => {
    const w = new torch.nn.Parameter(torch.ones([3]));
    const o = new torch.optim.SGD([w], { lr: 0.1 });
    const t = trace(o, { name: "up19-stale" });
    for (let i = 0; i < 30; i++) {
      o.zero_grad();
      const l = w.pow(2).sum();
      l.backward();
      if (i < 3) t.log_loss(l);
      o.step();
    }
    t.stop();
    expect(lineWith(t.summary(), "  loss ")).toBe("  loss 1.229 (step 2's, the last logged; the last step is 29)");
  });

  it("a loss logged at every step, before or after step(): the plain line", () => {
    for (const after of [false, true]) {
      const w = new torch.nn.Parameter(torch.ones([3]));
      const o = new torch.optim.SGD([w], { lr: 0.1 });
      const t = trace(o, { name: "up19-fresh" });
      let last = 0;
      for (let i = 0; i < 5; i++) {
        o.zero_grad();
        const l = w.pow(2).sum();
        l.backward();
        if (!after) t.log_loss(l);
        o.step();
        if (after) t.log_loss(w.pow(2).sum());
        last = after ? w.pow(2).sum().item() : l.item();
      }
      t.stop();
      expect(lineWith(t.summary(), "  loss ")).toMatch(/^ {2}loss \S+$/);
      expect(Number(lineWith(t.summary(), "  loss ")!.slice(7))).toBeCloseTo(last, 3);
    }
  });

  it("a loss logged for the coming step that was never taken says so", () => {
    const w = new torch.nn.Parameter(torch.ones([3]));
    const o = new torch.optim.SGD([w], { lr: 0.1 });
    const t = trace(o, { name: "up19-coming" });
    for (let i = 0; i < 3; i++) {
      o.zero_grad();
      const l = w.pow(2).sum();
      l.backward();
      t.log_loss(l);
      o.step();
    }
    o.zero_grad();
    const l = w.pow(2).sum();
    l.backward();
    t.log_loss(l);
    expect(lineWith(t.summary(), "  loss ")).toBe(`  loss ${Number(l.item().toPrecision(4))} (logged for step 3, not taken yet)`);
    t.stop();
  });

  it("survives to_json / from_json", () => {
    const w = new torch.nn.Parameter(torch.ones([3]));
    const o = new torch.optim.SGD([w], { lr: 0.1 });
    const t = trace(o, { name: "up19-json" });
    for (let i = 0; i < 12; i++) {
      o.zero_grad();
      const l = w.pow(2).sum();
      l.backward();
      if (i < 3) t.log_loss(l);
      o.step();
    }
    t.stop();
    const back = (t.constructor as unknown as { from_json(j: unknown): { summary(): string[] } }).from_json(JSON.parse(JSON.stringify(t.to_json())));
    expect(lineWith(back.summary(), "  loss ")).toBe("  loss 1.229 (step 2's, the last logged; the last step is 11)");
  });
});

/** userT's cell: a 10→32→1 MLP on shuffled batches of 32 of 512 samples, Adam, 4 epochs (64 steps), or `steps` of them. */
function miniBatch(lr: number, log: boolean, steps = 64) {
  torch.manual_seed(0);
  const X = torch.randn([512, 10]);
  const Y = X.sum(1, true);
  const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 32, shuffle: true });
  const m = new torch.nn.Sequential(new torch.nn.Linear(10, 32), new torch.nn.ReLU(), new torch.nn.Linear(32, 1));
  const o = new torch.optim.Adam(m.parameters(), { lr });
  const t = trace(o, { name: "up19-low", batch_size: 32 });
  let n = 0;
  for (let e = 0; e < 8 && n < steps; e++) {
    for (const [x, y] of loader) {
      if (n++ >= steps) break;
      o.zero_grad();
      const l = torch.nn.functional.mse_loss(m.forward(x as torch.Tensor), y as torch.Tensor);
      if (log) t.log_loss(l);
      l.backward();
      o.step();
    }
  }
  t.stop();
  return t.summary();
}

const series = (values: number[]) => {
  const s = new BoundedSeries(2000);
  values.forEach((v, i) => s.push(i, v));
  return s;
};

describe("T3: lr far too low on a noisy mini-batch run that logs its loss", () => {
  it("userT's run (Adam lr 1e-8, 4 shuffled epochs, loss logged): the line; its trend is of the loss's quarters (each an epoch here)", () => {
    const note = lineWith(miniBatch(1e-8, true), "lr far too low?");
    expect(note).toMatch(/median \S+ of their norm per step and the loss's trend changed by \S+% over 64 steps \(/);
  });

  it("50 steps (quarters not whole epochs: the batch noise shows) at a ratio ~1e-6: the line says the change is within the noise", () => {
    const note = lineWith(miniBatch(3e-7, true, 50), "lr far too low?");
    expect(note).toMatch(/the loss's trend changed by \S+% over 50 steps, within its batch-to-batch noise \(±\S+%\)/);
  });

  it("a healthy noisy run (lr 1e-3 and 1e-2; 64 or 50 steps): no line", () => {
    for (const steps of [64, 50]) {
      expect(lineWith(miniBatch(1e-3, true, steps), "lr far too low?")).toBeUndefined();
      expect(lineWith(miniBatch(1e-2, true, steps), "lr far too low?")).toBeUndefined();
    }
  });

  it("the rule on its own (lowLrLine): noise, a real trend, and a ratio under 1e-6 that speaks alone", () => {
    torch.manual_seed(5);
    const noise = Array.from(torch.randn(60).data as Float32Array, Number);
    const ratio = (r: number) => series(Array(60).fill(r));
    // ratio 3e-6, a loss of 1 ± 20% with no trend: within its noise
    expect(lowLrLine(ratio(3e-6), series(noise.map((z) => 1 + 0.2 * z)))).toMatch(/within its batch-to-batch noise \(±\S+%\)/);
    // ratio 3e-6, a loss falling 1 → 0.7 far beyond its ±2%: training, no line
    expect(lowLrLine(ratio(3e-6), series(noise.map((z, i) => 1 - 0.3 * i / 59 + 0.02 * z)))).toBeNull();
    // ratio 4e-8: said whatever the loss did, and the line says why
    expect(lowLrLine(ratio(4e-8), series(noise.map((z, i) => 1 - 0.3 * i / 59 + 0.02 * z))))
      .toMatch(/median 4e-8 of their norm per step over 60 steps \(under 1e-6 of the weights a step is too small to train, whatever the loss did: it changed by \S+%\)/);
    // a healthy ratio: never
    expect(lowLrLine(ratio(1e-3), series(Array(60).fill(1)))).toBeNull();
  });
});

/** userS's idiom: ACC micro-batches of 8, `loss / ACC` (or the raw loss) logged after each backward(), one step. */
const MEAN_LINE = "  gradient accumulation: 4 losses logged with backward() between them at each of 6 steps; a step's loss is their mean "
  + "(each a torch.nn loss reduced by \"mean\", or one divided by a number as a tensor, loss.div(4): the sum of loss/4 that PyTorch's loop adds up)";

function accumulate(o: { scaled: boolean; item?: boolean; steps?: number; ACC?: number; name?: string; batch?: number }) {
  torch.manual_seed(1);
  const ACC = o.ACC ?? 4;
  const m = new torch.nn.Linear(6, 5);
  const opt = new torch.optim.SGD(m.parameters(), { lr: 0.05 });
  const crit = new torch.nn.CrossEntropyLoss();
  const t = trace(opt, { name: o.name ?? "up19-acc", batch_size: o.batch ?? 8 * ACC });
  const stepLoss: number[] = [];
  for (let s = 0; s < (o.steps ?? 6); s++) {
    opt.zero_grad();
    let tot = 0;
    for (let k = 0; k < ACC; k++) {
      const x = torch.randn(8, 6), y = torch.randint(0, 5, [8]);
      const raw = crit.forward(m.forward(x), y);
      const loss = raw.div(ACC);
      loss.backward();
      tot += loss.item();
      if (o.item) t.log_loss(raw.item());
      else t.log_loss(o.scaled ? loss : raw);
    }
    stepLoss.push(tot);
    opt.step();
  }
  t.stop();
  return { t, stepLoss, lines: t.summary() };
}

describe("S1.2: gradient accumulation", () => {
  it("the raw torch.nn losses logged per micro-batch: the step's loss is their mean (PyTorch's tot of loss/k), with a note", () => {
    const { t, stepLoss, lines } = accumulate({ scaled: false });
    const s = t.series("loss")!.columns();
    expect(s.x).toEqual([0, 1, 2, 3, 4, 5]);
    s.mean.forEach((v, i) => expect(v).toBeCloseTo(stepLoss[i], 5));
    expect(lineWith(lines, "gradient accumulation")).toBe(MEAN_LINE);
  });

  // session 20: the tensor loss.div(k) keeps the loss's mark with its factor (tensor/loss_scale.ts)
  it("loss.div(k) logged per micro-batch, as a tensor: the step's loss is the sum of the loss/k, PyTorch's tot", () => {
    const { t, stepLoss, lines } = accumulate({ scaled: true, name: "up19-acc-div" });
    const s = t.series("loss")!.columns();
    expect(s.x).toEqual([0, 1, 2, 3, 4, 5]);
    // (the mean of v·4 over 4 micro-batches is the sum of the v, to float32's rounding of each v)
    s.mean.forEach((v, i) => expect(v).toBeCloseTo(stepLoss[i], 6));
    expect(lineWith(lines, "gradient accumulation")).toBe(MEAN_LINE);
    // the batch_size given (32) is the accumulated batch's: no hint about it
    expect(lineWith(lines, "the batch_size given")).toBeUndefined();
  });

  it("a number logged per micro-batch (loss.item()): the last is kept (ambiguous), and the note says what to log", () => {
    const { t, lines } = accumulate({ scaled: false, item: true, name: "up19-acc2" });
    expect(t.series("loss")!.columns().x).toEqual([0, 1, 2, 3, 4, 5]);
    expect(lineWith(lines, "gradient accumulation?")).toBe(
      "  gradient accumulation? 4 losses logged with backward() between them at each of 6 steps: a step's loss is the last one "
      + "(1/4 of the step's if each is loss/4); log the step's loss once before step() (the sum of the loss/4 values, "
      + "PyTorch's tot += loss.item()), or each torch.nn loss itself, or loss.div(4) as a tensor, not a number (the mean of the losses is then kept)");
  });

  it("the batch_size given is one micro-batch's (8 of 4 × 8): a hint names the accumulated batch (32)", () => {
    const { lines } = accumulate({ scaled: true, batch: 8, name: "up19-acc-b8" });
    expect(lineWith(lines, "the batch_size given")).toBe(
      "  (lr_per_sample is lr_projected/8, the batch_size given, while each step's gradient averaged 32 samples (4 losses, gradient accumulation): "
      + "the per-sample rate of the accumulated batch is lr_projected/32 (--batch-size 32, or trace(optimizer, { batch_size: 32 }))");
  });

  it("one loss a step, or a loss logged twice with no backward() between: no note, the later replaces", () => {
    const w = new torch.nn.Parameter(torch.ones([3]));
    const o = new torch.optim.SGD([w], { lr: 0.1 });
    const t = trace(o, { name: "up19-twice" });
    for (let i = 0; i < 4; i++) {
      o.zero_grad();
      const l = w.pow(2).sum();
      l.backward();
      t.log_loss(99);
      t.log_loss(l);
      o.step();
    }
    t.stop();
    expect(lineWith(t.summary(), "accumulation")).toBeUndefined();
    expect(t.series("loss")!.columns().mean.every((v) => v !== null && v < 99)).toBe(true);
  });
});

describe("S1.2 in a %%lr_trace run: the micro-batches of the first step count too", () => {
  let g: GlobalTrace | null = null;
  afterEach(() => {
    g?.stop();
    g = null;
  });

  it("4 raw losses a step through _lr_trace.log_loss: every step's loss is their mean, step 0's too", () => {
    torch.manual_seed(2);
    // (16: neither a micro-batch's 8 nor the accumulated 32, so that the hint speaks)
    g = trace_all({ name: "up19-accg", batch_size: 16 });
    const m = new torch.nn.Linear(6, 5);
    const opt = new torch.optim.SGD(m.parameters(), { lr: 0.05 });
    const crit = new torch.nn.CrossEntropyLoss();
    const stepLoss: number[] = [];
    for (let s = 0; s < 5; s++) {
      opt.zero_grad();
      let tot = 0;
      for (let k = 0; k < 4; k++) {
        const raw = crit.forward(m.forward(torch.randn(8, 6)), torch.randint(0, 5, [8]));
        raw.div(4).backward();
        tot += raw.item() / 4;
        g.log_loss(raw);
      }
      stepLoss.push(tot);
      opt.step();
    }
    g.stop();
    const s = g.series("loss")!.columns();
    s.mean.forEach((v, i) => expect(v).toBeCloseTo(stepLoss[i], 5));
    expect(lineWith(g.summary(), "gradient accumulation")).toMatch(/^ {2}gradient accumulation: 4 losses logged with backward\(\) between them at each of 5 steps;/);
    // and the batch-size hint counts all 20 losses, step 0's 4 too
    // (it counted 17: step 0's first 3 were lost; then step 0 would not have averaged 32 samples)
    const hints = g.summary().filter((l) => l.includes("the batch_size given"));
    expect(hints).toEqual([expect.stringMatching(/while each step's gradient averaged 32 samples \(4 losses, gradient accumulation\)/)]);
  });
});

describe("T4: _lr_trace.get(optimizer) before that optimizer's first step", () => {
  let g: GlobalTrace | null = null;
  afterEach(() => {
    g?.stop();
    g = null;
  });

  it("gives its run (tracing it from then), so a loss logged before step() is that step's", () => {
    g = trace_all({ name: "up19-gan2" });
    const G = new torch.nn.Linear(2, 2);
    const oG = new torch.optim.Adam(G.parameters(), { lr: 1e-3 });
    const losses: number[] = [];
    for (let i = 0; i < 3; i++) {
      oG.zero_grad();
      const l = G.forward(torch.randn([4, 2])).pow(2).mean();
      l.backward();
      g.get(oG).log_loss(l);
      losses.push(l.item());
      oG.step();
    }
    g.stop();
    expect(g.traces.length).toBe(1);
    expect(g.traces[0].steps).toBe(3);
    expect(g.traces[0].name).toBe("up19-gan2");
    const s = g.traces[0].series("loss")!.columns();
    expect(s.x).toEqual([0, 1, 2]);
    s.mean.forEach((v, i) => expect(v).toBeCloseTo(losses[i], 6));
  });

  it("a GAN's two optimizers, each one's loss logged before its own first step: two runs, each its own loss", () => {
    g = trace_all({ name: "up19-gan" });
    torch.manual_seed(3);
    const D = new torch.nn.Linear(2, 1), G = new torch.nn.Linear(2, 2);
    const oD = new torch.optim.Adam(D.parameters(), { lr: 1e-3 }), oG = new torch.optim.SGD(G.parameters(), { lr: 1e-2 });
    const lds: number[] = [], lgs: number[] = [];
    for (let i = 0; i < 3; i++) {
      oD.zero_grad();
      const ld = D.forward(G.forward(torch.randn([4, 2])).detach()).pow(2).mean();
      ld.backward();
      g.get(oD).log_loss(ld);
      oD.step();
      oG.zero_grad();
      const lg = D.forward(G.forward(torch.randn([4, 2]))).sub(1).pow(2).mean();
      lg.backward();
      g.get(oG).log_loss(lg);
      oG.step();
      lds.push(ld.item());
      lgs.push(lg.item());
    }
    g.stop();
    expect(g.traces.map((t) => t.name)).toEqual(["up19-gan:Adam", "up19-gan:SGD"]);
    g.traces[0].series("loss")!.columns().mean.forEach((v, i) => expect(v).toBeCloseTo(lds[i], 6));
    g.traces[1].series("loss")!.columns().mean.forEach((v, i) => expect(v).toBeCloseTo(lgs[i], 6));
  });

  it("an optimizer got but never stepped is no run; get of what is not an optimizer, or after the run, is an error", () => {
    g = trace_all({ name: "up19-none" });
    const o = new torch.optim.SGD(new torch.nn.Linear(2, 2).parameters(), { lr: 0.1 });
    g.get(o);
    expect(() => g!.get(new torch.nn.Linear(2, 2) as unknown as object)).toThrow(/get\(optimizer\): expected an optimizer .*got Linear/);
    g.stop();
    expect(g.traces.length).toBe(0);
    expect(() => g!.get(o)).toThrow(/did not step in the run "up19-none"/);
  });
});
