/**
 * A sum-reduced loss logged to a trace of reduction "mean" (userpass14 finding 10,
 * /work/scratch/s14/userA c17.txt): lr_per_sample read γ/B where the project's definition of a
 * sum-reduced loss's per-sample rate is γ, silently. The losses of torch.nn mark their output
 * when reduced by "sum" (nn/functional/_reduce.ts, a hidden symbol: no value, key or autograd
 * change), and log_loss / record warn once per trace: what it saw, what lr_per_sample assumes,
 * and the fix. No warning for a trace of reduction "sum", a plain number, or a mean-reduced loss.
 * The warning tests failed before (nothing was said).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace, trace_all } from "../../kernel/src/trace/index";

afterEach(() => {
  vi.restoreAllMocks();
});

const { nn } = torch;
const F = nn.functional;

function setup() {
  torch.manual_seed(0);
  const head = new nn.Linear(8, 3);
  const X = torch.randn([64, 8]), yc = torch.randint(0, 3, [64]);
  const opt = new torch.optim.SGD(head.parameters(), { lr: 0.1 });
  return { head, X, yc, opt };
}

const warnings = () => vi.spyOn(console, "warn").mockImplementation(() => {});

describe("a loss reduced by sum, logged to a trace of reduction mean", () => {
  it("CrossEntropyLoss({ reduction: 'sum' }): one warning per trace, naming the fix", () => {
    const { head, X, yc, opt } = setup();
    const ce_sum = new nn.CrossEntropyLoss({ reduction: "sum" });
    const warn = warnings();
    const t = trace(opt, { batch_size: 64, name: "sumcheck" });
    for (let i = 0; i < 3; i++) {
      opt.zero_grad();
      const loss = ce_sum.forward(head.forward(X), yc);
      loss.backward();
      t.log_loss(loss);
      opt.step();
    }
    t.stop();
    expect(warn).toHaveBeenCalledTimes(1);
    const text = String(warn.mock.calls[0][0]);
    expect(text).toContain('the loss logged to the trace "sumcheck" was computed with reduction "sum"');
    expect(text).toContain('assumes reduction "mean": its lr_per_sample is lr_projected/B');
    expect(text).toContain("a sum-reduced loss's per-sample rate is lr_projected (γ)");
    expect(text).toContain('{ reduction: "sum" }');
    expect(text).toContain("%%lr_trace --reduction sum");
    // the trace records as it was told (the user decides)
    expect(t.latest()!.lr_per_sample).toBeCloseTo(0.1 / 64, 7);
  });

  it("F.mse_loss(..., { reduction: 'sum' }) through record({ loss }) and trace_all (the %%lr_trace run) warns too", () => {
    const { head, X, opt } = setup();
    const target = torch.randn([64, 3]);
    const warn = warnings();
    const g = trace_all({ name: "sum-all", batch_size: 64 });
    for (let i = 0; i < 2; i++) {
      opt.zero_grad();
      const loss = F.mse_loss(head.forward(X), target, { reduction: "sum" });
      loss.backward();
      g.record({ loss }); // before the first step: held until the optimizer's trace exists
      opt.step();
    }
    g.stop();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain('trace "sum-all" was computed with reduction "sum"');
  });

  it("F.ctc_loss(..., { reduction: 'sum' }) warns too (it reduces on its own, not through reduceLoss); 'mean' does not", () => {
    // 4 frames, batch 2, 3 classes (blank 0); targets [1, 2] and [1]
    torch.manual_seed(0);
    const logits = torch.randn([4, 2, 3], { requires_grad: true });
    const targets = torch.tensor([[1, 2], [1, 0]], { dtype: "int64" });
    const opt = new torch.optim.SGD([logits], { lr: 0.1 });
    const warn = warnings();
    for (const [reduction, calls] of [["mean", 0], ["sum", 1]] as const) {
      const t = trace(opt, { batch_size: 2, name: `ctc-${reduction}` });
      for (let i = 0; i < 2; i++) {
        opt.zero_grad();
        const loss = F.ctc_loss(logits.log_softmax(2), targets, [4, 4], [2, 1], { reduction });
        loss.backward();
        t.log_loss(loss);
        opt.step();
      }
      t.stop();
      expect(warn).toHaveBeenCalledTimes(calls);
    }
    expect(String(warn.mock.calls[0][0])).toContain('trace "ctc-sum" was computed with reduction "sum"');
  });

  it("no warning: a trace of reduction sum, a plain number, a mean-reduced loss, a sum loss divided by B", () => {
    const { head, X, yc, opt } = setup();
    const ce_sum = new nn.CrossEntropyLoss({ reduction: "sum" });
    const ce = new nn.CrossEntropyLoss();
    const warn = warnings();
    const ts = trace(opt, { batch_size: 64, reduction: "sum", name: "s1" });
    const tn = trace(opt, { batch_size: 64, name: "s2" });
    const tm = trace(opt, { batch_size: 64, name: "s3" });
    const td = trace(opt, { batch_size: 64, name: "s4" });
    for (let i = 0; i < 2; i++) {
      opt.zero_grad();
      const loss = ce_sum.forward(head.forward(X), yc);
      loss.backward();
      ts.log_loss(loss);
      tn.log_loss(loss.item());
      tm.log_loss(ce.forward(head.forward(X), yc));
      td.log_loss(loss.div(64));
      opt.step();
    }
    for (const t of [ts, tn, tm, td]) t.stop();
    expect(warn).not.toHaveBeenCalled();
    expect(ts.latest()!.lr_per_sample).toBeCloseTo(0.1, 7);
  });

  it("the mark changes no value, key or gradient of the loss", () => {
    const { head, X, yc } = setup();
    const sum = new nn.CrossEntropyLoss({ reduction: "sum" }).forward(head.forward(X), yc);
    const mean = new nn.CrossEntropyLoss().forward(head.forward(X), yc);
    expect(Object.keys(sum)).toEqual(Object.keys(mean));
    expect(JSON.stringify(Object.getOwnPropertyDescriptor(sum, Symbol.for("lrlab.loss.sum_reduced")))).toBe('{"value":true,"writable":false,"enumerable":false,"configurable":false}');
    expect(Object.getOwnPropertyDescriptor(mean, Symbol.for("lrlab.loss.sum_reduced"))).toBeUndefined();
    expect(sum.item()).toBeCloseTo(mean.item() * 64, 3);
    head.zero_grad();
    sum.backward();
    const gSum = [...head.weight.grad!.data];
    head.zero_grad();
    mean.backward();
    const gMean = [...head.weight.grad!.data];
    gSum.forEach((v, i) => expect(v).toBeCloseTo(gMean[i] * 64, 4));
    expect(sum.grad_fn).not.toBeNull();
  });
});
